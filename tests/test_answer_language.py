"""A generated answer to a question not in English, on the real index: written by a stand-in
for an OpenAI-compatible server (real HTTP, real SSE), checked in English as any answer, then
machine-translated sentence by sentence by the real packaged 0.5B model (kb/answer_language.py),
each sentence keeping its checked English, its markers and its quotes verbatim."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import httpx
import pytest

from kb import translate
from kb.config import Settings
from kb.generate import ChatClient, Restart, Writer
from kb.knowledge import KnowledgeBase
from kb.language import detect
from kb.results import Answer, Progress
from tests.helpers import settings_env
from tests.llm_standin import Reply, StandIn
from tests.process import Server

TRANSLATOR = "qwen2.5-coder-0.5b-instruct"
GERMAN = "Ab wann gelten die Verbote für bestimmte Praktiken der künstlichen Intelligenz?"
ENGLISH = "From when do the prohibitions of certain artificial intelligence practices apply?"
# Article 113(a) of the AI Act as first published: the prohibitions' date.
QUOTE = "Chapters I and II shall apply from 2 February 2025"


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with StandIn() as s:
        yield s


@pytest.fixture(scope="module")
def translator(index_settings: Settings) -> translate.Translator:
    pytest.importorskip("llama_cpp", reason="the translation step needs the `llm` extra")
    found = translate.shared(TRANSLATOR, index_settings.model_cache)
    try:
        found.load()
    except translate.TranslationUnavailable as exc:
        pytest.skip(str(exc))
    return found


def _writing(
    knowledge: KnowledgeBase, standin: StandIn, translator: translate.Translator | None
) -> KnowledgeBase:
    writer = Writer(ChatClient(standin.url, standin.model, timeout=30))
    return KnowledgeBase(
        knowledge.files, knowledge.embedder, rules=knowledge.rules, writer=writer, translator=translator
    )


def _script(
    knowledge: KnowledgeBase, standin: StandIn, question: str, translator: translate.Translator | None = None
) -> int:
    """Scripts an answer of two sentences that pass the checks; returns Article 113's number
    among the sources of `question`, read with `translator` as it will be asked."""
    reader = KnowledgeBase(knowledge.files, knowledge.embedder, rules=knowledge.rules, translator=translator)
    hits = reader.ask(question, version="original").citations
    n = next(i for i, h in enumerate(hits, start=1) if h.unit == "art_113")
    assert QUOTE in hits[n - 1].text, hits[n - 1].text
    standin.script(f"The prohibitions apply from 2 February 2025 [{n}]. Article 113 says “{QUOTE}” [{n}].")
    return n


def test_a_german_question_gets_the_checked_answer_in_german(
    knowledge: KnowledgeBase, standin: StandIn, translator: translate.Translator
) -> None:
    n = _script(knowledge, standin, GERMAN, translator)
    answer = _writing(knowledge, standin, translator).ask(GERMAN, version="original")
    assert answer.answer_mode == "generated" and answer.language == "de", answer.notices
    assert answer.answer_translated_by == TRANSLATOR
    assert "machine-translated by " + TRANSLATOR in (answer.written_by() or "")
    assert any("maschinell ins Deutsche übersetzt" in notice for notice in answer.notices), answer.notices
    # Every sentence kept its markers; a translated one its checked English, and the quote verbatim.
    assert [s.markers() for s in answer.sentences] == [[n], [n]]
    translated = [s for s in answer.sentences if s.english]
    assert translated, [s.text for s in answer.sentences]
    for s in translated:
        assert s.text != s.english and detect(s.text) is not None and detect(s.english) is None
        assert s.english in (
            "The prohibitions apply from 2 February 2025.",
            f"Article 113 says “{QUOTE}”.",
        )
    for s in answer.sentences:
        assert QUOTE in s.text or "“" not in (s.english or s.text)
    assert answer.answer.count(f"[{n}]") == 2


def test_a_model_failing_part_way_gives_the_quoted_answer_with_nothing_to_withdraw(
    knowledge: KnowledgeBase, standin: StandIn, translator: translate.Translator
) -> None:
    n = _script(knowledge, standin, GERMAN, translator)
    text = standin.replies[0].text
    standin.script(Reply(text, cut_after=len(text) // 7 - 2))  # cut in the second sentence
    kb = _writing(knowledge, standin, translator)
    items = list(kb.finish_stream(kb.retrieve(GERMAN, version="original")))
    assert not any(isinstance(i, Restart) for i in items)
    answer = items[-1]
    assert isinstance(answer, Answer) and answer.answer_mode == "extractive"
    assert any("stopped before" in notice for notice in answer.notices)
    assert items[:-1] == answer.sentences and all(s.english is None for s in answer.sentences)
    assert n in [m for s in answer.sentences for m in s.markers()]


def test_an_english_question_s_generated_answer_is_unchanged(
    knowledge: KnowledgeBase, standin: StandIn, translator: translate.Translator
) -> None:
    _script(knowledge, standin, ENGLISH)
    answer = _writing(knowledge, standin, translator).ask(ENGLISH, version="original")
    assert answer.answer_mode == "generated" and answer.language == "en"
    assert answer.answer_translated_by is None and all(s.english is None for s in answer.sentences)
    assert answer.sentences[0].text == "The prohibitions apply from 2 February 2025."
    assert answer.written_by() == "written by standin-1 from the cited provisions"


def test_without_the_translation_model_the_english_answer_comes_with_a_notice_in_german(
    knowledge: KnowledgeBase, standin: StandIn, index_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = _script(knowledge, standin, GERMAN)
    # llama-cpp-python not installed (the `llm` extra left out): a None module fails its import.
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    missing = translate.Translator(TRANSLATOR, index_settings.model_cache)
    answer = _writing(knowledge, standin, missing).ask(GERMAN, version="original")
    assert answer.answer_mode == "generated" and answer.answer_translated_by is None
    assert [s.text for s in answer.sentences] == [
        "The prohibitions apply from 2 February 2025.",
        f"Article 113 says “{QUOTE}”.",
    ]
    assert all(s.english is None for s in answer.sentences) and answer.answer.count(f"[{n}]") == 2
    notice = next(n for n in answer.notices if n.startswith("Die Antwort steht auf Englisch"))
    assert "llama-cpp-python" in notice


def test_an_english_question_tells_no_progress_and_never_touches_the_translator(
    knowledge: KnowledgeBase, index_settings: Settings
) -> None:
    # A translator never loaded: a question in English must not load it.
    unloaded = translate.Translator(TRANSLATOR, index_settings.model_cache)
    kb = KnowledgeBase(knowledge.files, knowledge.embedder, rules=knowledge.rules, translator=unloaded)
    steps = list(_steps(kb, ENGLISH))
    assert steps == [] and unloaded._llm is None


def _steps(kb: KnowledgeBase, question: str) -> Iterator[Progress]:
    run = kb.retrieve_steps(question, version="original")
    while True:
        try:
            yield next(run)
        except StopIteration:
            return


def test_a_german_question_tells_its_progress_before_it_is_translated(
    knowledge: KnowledgeBase, translator: translate.Translator
) -> None:
    kb = KnowledgeBase(knowledge.files, knowledge.embedder, rules=knowledge.rules, translator=translator)
    question = "Welche Pflichten haben Betreiber von Hochrisiko-KI-Systemen?"
    run = _steps(kb, question)
    first = next(run)
    # Told before the model ran: the translation is not there yet.
    assert question not in translator._remembered
    assert first.step == "translating" and first.language == "de" and first.model == TRANSLATOR
    assert first.message.startswith("Übersetze die Frage") and TRANSLATOR in first.message
    rest = list(run)
    assert question in translator._remembered
    assert [p.step for p in rest] in ([], ["translated"])
    for p in rest:
        assert p.translation == translator._remembered[question].text and p.translation in p.message


@pytest.fixture(scope="module")
def served(
    index_settings: Settings,
    standin: StandIn,
    translator: translate.Translator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    env = {
        **settings_env(index_settings),
        "KB_LLM_URL": standin.url,
        "KB_LLM_MODEL": standin.model,
        "KB_TRANSLATE": TRANSLATOR,
    }
    server = Server(env, tmp_path_factory.mktemp("serve-lang") / "serve.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _events(text: str) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_the_stream_tells_the_translation_then_sends_the_translated_sentences(
    served: Server, knowledge: KnowledgeBase, standin: StandIn, translator: translate.Translator
) -> None:
    n = _script(knowledge, standin, GERMAN, translator)
    body = {"question": GERMAN, "version": "original"}
    events = _events(httpx.post(f"{served.url}/v1/ask/stream", json=body, timeout=300).text)
    names = [name for name, _ in events]
    assert names[0] == "progress" and events[0][1]["step"] == "translating"
    assert names[names.index("citations") :] == ["citations", "sentence", "sentence", "done"]
    assert set(names[: names.index("citations")]) == {"progress"}
    done = Answer.model_validate(events[-1][1])
    assert [e[1]["text"] for e in events if e[0] == "sentence"] == [s.text for s in done.sentences]
    assert done.answer_translated_by == TRANSLATOR and [s.markers() for s in done.sentences] == [[n], [n]]
    # An English question: straight to its citations.
    _script(knowledge, standin, ENGLISH)
    english = httpx.post(f"{served.url}/v1/ask/stream", json={**body, "question": ENGLISH}, timeout=300)
    assert _events(english.text)[0][0] == "citations"
    assert "event: progress" not in english.text
