"""A generated answer given in the question's language, where that is honest.

The answer is written and checked in English as for any question (kb/generate.py: every
sentence against the provision it cites); only then is each kept sentence machine-translated
into the question's language by the local model that translates questions (kb/translate.py,
KB_TRANSLATE), and marked so: the sentence keeps its checked English (`Sentence.english`), its
citation markers (they are not in the text the model sees), and the provisions' words it quotes
verbatim in English (each quote is replaced by a placeholder, Q1, Q2 …, put back afterwards). A
translation that loses a placeholder, changes a number or drops (or adds) a negation is not
shown: that sentence stays in English. Without the model, the answer is the English one with a
notice in the question's language. The extractive answer (no model) is left as it is.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from kb.generate import Restart
from kb.language import Language
from kb.messages import ANSWER_IN_ENGLISH, ANSWER_TRANSLATED, KEPT_IN_ENGLISH
from kb.results import Answer, Sentence
from kb.translate import TranslationUnavailable, Translator, clean

log = logging.getLogger("regkb.translate")

# The languages an answer is translated into: those of kb/language.py's detector that Qwen2.5's
# model card names among its languages (Chinese, English, French, Spanish, Portuguese, German,
# Italian, Russian, …). An answer to a question in Dutch, Polish, Swedish … stays in English.
LANGUAGES = ("de", "fr", "es", "it", "pt")
# Tried on the 0.5B and 1.5B models with sentences of the labelled answers: asked to keep quoted
# words in English, both translated them; placeholders they mostly keep (a lost one is caught).
PROMPT = (
    "Translate this sentence about EU law into {language}. Keep every placeholder such as Q1 exactly "
    "as it is, keep numbers and dates, and keep its meaning exactly. Output only the translation."
)
# A kept sentence is one claim, at most a few hundred characters: 256 tokens let it finish in
# German or French (longer than English) and cut a model that runs on.
MAX_TOKENS = 256
# Quotes as kb/check.py reads them (its _QUOTED): every one passed the check, so every one is
# the provision's own words, kept in English.
QUOTED = re.compile(r"“([^”]{3,})”|\"([^\"]{3,})\"|«([^»]{3,})»")
_MARKS = "«»\"“”„‚‘’'"
# Words that negate, by language: a translation that drops a "not" (or adds one) inverts the law,
# the worst a translation can do, so a sentence is shown translated only when both or neither
# negate. The common negators of each language's grammar; a quote's words are left out (Q1 …).
NEGATIONS = {
    "en": r"not|no|never|none|neither|nor|without|cannot|\w+n't",
    "de": r"nicht|nichts|kein\w*|nie|niemals|weder|ohne",
    "fr": r"ne|n|pas|jamais|aucun\w*|ni|sans|nul\w*",
    "es": r"no|nunca|jamás|ningun\w*|ningún|ni|sin",
    "it": r"non|mai|nessun\w*|né|senza",
    "pt": r"não|nunca|nenhu\w*|nem|sem",
}


def in_language(
    items: Iterable[Sentence | Restart | Answer], language: Language | None, translator: Translator | None
) -> Iterator[Sentence | Restart | Answer]:
    """The writer's stream (kb/generate.py `Writer.stream`) for a question in `language`: as it
    is for English (`language` None), and when it cannot be translated (a notice says why).
    Otherwise the generation runs to its end first (so nothing is withdrawn), then a generated
    answer comes sentence by sentence in the question's language, an extractive fallback as the
    writer gives it."""
    if language is None:
        yield from items
        return
    why = _unavailable(language, translator)
    if why or translator is None:
        # Streamed as for English; a generated answer says in the question's language why it is not in it.
        notice = ANSWER_IN_ENGLISH.render(language.code, language=language.name, why=why)
        for item in items:
            if isinstance(item, Answer) and item.answer_mode == "generated":
                item = item.model_copy(update={"notices": [*item.notices, notice]})
            yield item
        return
    buffered: list[Sentence | Restart] = []
    answer: Answer | None = None
    for item in items:
        if isinstance(item, Answer):
            answer = item
            break
        buffered.append(item)
    assert answer is not None  # the writer always ends with the answer
    if answer.answer_mode != "generated":
        # The quoted answer, as now: what follows the last restart (nothing was sent before it).
        cut = max((i + 1 for i, x in enumerate(buffered) if isinstance(x, Restart)), default=0)
        yield from buffered[cut:]
        yield answer
        return
    sentences: list[Sentence] = []
    for sentence in answer.sentences:
        sentences.append(translated(sentence, language, translator))
        yield sentences[-1]
    yield finished(answer, sentences, language, translator.name)


def _unavailable(language: Language, translator: Translator | None) -> str:
    """Why an answer to a question in `language` cannot be translated; "" when it can."""
    if language.code not in LANGUAGES:
        return "answers are translated into German, French, Spanish, Italian and Portuguese"
    if translator is None:
        return "KB_TRANSLATE is off"
    try:
        translator.load()
    except TranslationUnavailable as exc:
        log.warning("answers are not translated: %s", exc)
        return str(exc)
    return ""


def translated(sentence: Sentence, language: Language, translator: Translator) -> Sentence:
    """`sentence` (English, checked) in `language`, with `english` set; the sentence itself when
    the model fails, loses a quote or changes a number (it stays in English, as checked)."""
    quotes = [next(g for g in m.groups() if g) for m in QUOTED.finditer(sentence.text)]
    masked = QUOTED.sub(lambda m: f"«Q{_index(m, quotes)}»", sentence.text)
    try:
        said = clean(translator.complete(PROMPT.format(language=language.name), masked, MAX_TOKENS))
    except TranslationUnavailable as exc:
        log.warning("a sentence of the answer is left in English: %s", exc)
        return sentence
    shown = faithful(said, masked, quotes, language.code)
    if shown is None:
        log.info("a sentence of the answer is left in English: %r became %r", masked, said)
        return sentence
    return sentence.model_copy(update={"text": shown, "english": sentence.text})


def faithful(said: str, masked: str, quotes: list[str], language: str) -> str | None:
    """`said`, the model's translation of `masked` (an English sentence with its `quotes` as
    placeholders) into `language`, with the quotes put back; None when it is not to be shown: a
    placeholder lost or repeated, a figure changed, a negation dropped or added, or the sentence
    left in English."""
    restored = restore(said, quotes, masked)
    if (
        restored is None
        or _words(said) == _words(masked)
        or _numbers(said) != _numbers(masked)
        or _negates(said, language) != _negates(masked, "en")
    ):
        return None
    return restored


def _index(match: re.Match[str], quotes: list[str]) -> int:
    """The placeholder number of a quote: its place among the sentence's quotes, 1-based."""
    return quotes.index(next(g for g in match.groups() if g)) + 1


def restore(translation: str, quotes: list[str], masked: str) -> str | None:
    """`translation` of `masked` with each placeholder Qn (with whatever quotation marks the model
    put round it) replaced by the n-th quote, verbatim in English quotation marks; None when the
    placeholders are not those of `masked`, each as often."""
    if Counter(re.findall(r"\bQ(\d+)\b", translation)) != Counter(re.findall(r"\bQ(\d+)\b", masked)):
        return None

    def quote(m: re.Match[str]) -> str:
        return f"“{quotes[int(m.group(1)) - 1]}”"

    # The marks go with the placeholder, with the spaces inside them; the spaces outside stay.
    return re.sub(rf"(?:[{_MARKS}]\s*)?\bQ(\d+)\b(?:\s*[{_MARKS}])?", quote, translation)


def _words(text: str) -> list[str]:
    """The words of a text, whatever its quotation marks: a sentence the model left in English
    is not shown as a translation."""
    return re.findall(r"\w+", text.casefold())


def _negates(text: str, language: str) -> bool:
    """Whether a text (its placeholders' quotes left out) says "not" in `language`."""
    return re.search(rf"\b(?:{NEGATIONS[language]})\b", text, re.IGNORECASE) is not None


def _numbers(text: str) -> Counter[str]:
    """The figures of a text (dates, periods, amounts, article numbers), placeholders left out."""
    return Counter(re.findall(r"\d+", re.sub(r"\bQ\d+\b", " ", text)))


def finished(answer: Answer, sentences: list[Sentence], language: Language, model: str) -> Answer:
    """The generated `answer` with its `sentences` translated: its text rebuilt with the same
    markers, the model named, and notices in the question's language saying what was done."""
    english = sum(s.english is None for s in sentences)
    notices = [ANSWER_TRANSLATED.render(language.code, language=language.name, model=model)]
    if english == len(sentences):
        notices = []  # nothing was translated: the answer is the English one, and says why
    if english:
        notices.append(KEPT_IN_ENGLISH.render(language.code, count=str(english)))
    text = " ".join(f"{s.text} " + "".join(f"[{n}]" for n in s.markers()) for s in sentences)
    return answer.model_copy(
        update={
            "answer": text,
            "sentences": sentences,
            "answer_translated_by": model if english < len(sentences) else None,
            "notices": [*answer.notices, *notices],
        }
    )
