"""Every citation label the answer, the sources pane and Slack give for the dev questions, read
as a lawyer reads them (issue 31): no point cited twice ("Article 3(4)(4)"), no annex without
its number ("Annex , point"), a range that holds the points it names, the acts' own capitals in
headings, markers [1] [2] [3] without gaps, versions only under an answer that cites, and the
amending act's unofficial-text note only on wording that act gave."""

from __future__ import annotations

import json
import re

import pytest

from api.slack.blocks import answer_blocks
from kb.citations import paragraph_style
from kb.knowledge import KnowledgeBase
from kb.results import Answer, Hit
from kb.search.blocks import find_block
from tests.conftest import MIRROR

DEV = MIRROR.parent / "eval" / "dev.jsonl"  # beside the corpus mirror, as tests/test_eval.py finds it
# Names the acts capitalise in their sentences, which their capitalised headings must keep.
NAMES = re.compile(r"\b(?:commission|european|union|member states?|directive|regulation \(eu\))\b")
LABEL = re.compile(r"^(?P<act>.+?), (?P<kind>Article|Annex|Recital)\b(?P<rest>.*)$")


@pytest.fixture(scope="module")
def answers(knowledge: KnowledgeBase) -> list[Answer]:
    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()]
    return [knowledge.ask(q) for q in questions]


def labels_of(answer: Answer) -> list[str]:
    """The labels the answer's sentences, its sources (and their references) and Slack show."""
    out = [s.text.split(": ", 1)[0] for s in answer.sentences if not answer.abstained]
    for hit in answer.citations:
        out += [hit.label, *(r.label for r in hit.refs if r.doc)]
    slack = json.dumps(answer_blocks(answer, "https://regkb.example.org/"), ensure_ascii=False)
    out += re.findall(r"\|([^>]+?)>", slack.replace("&amp;", "&"))
    return [label for label in out if LABEL.match(label)]


def check_label(label: str) -> None:
    m = LABEL.match(label)
    assert m is not None
    rest = m.group("rest").split(" (as amended")[0]
    assert not re.search(r"\((\w+)\)\(\1\)", rest), f"a point cited twice: {label}"
    bare_annex = re.search(r"Annex\s*(?:,|$)", label)
    assert not bare_annex or "Annex, point" in label or label.endswith("Annex"), label
    assert "  " not in label and " ," not in label, f"a gap in: {label}"


def test_every_label_reads_as_a_lawyer_writes_it(answers: list[Answer], knowledge: KnowledgeBase) -> None:
    view = knowledge.view()
    seen = 0
    for answer in answers:
        for label in labels_of(answer):
            check_label(label)
            seen += 1
        for hit in answer.citations:
            unit = view.units[(hit.doc, hit.unit)]
            if hit.unit_kind == "article" and paragraph_style(unit) != "numbered":
                # "Article 3, point (4)" where the paragraphs are not numbered, never "Article 3(4)".
                assert f"Article {unit.num}(" not in hit.label, hit.label
    assert seen > 1000  # 120 questions, several labels each


def test_ranges_hold_what_they_name(answers: list[Answer], knowledge: KnowledgeBase) -> None:
    view = knowledge.view()
    ranges = 0
    for hit in (h for a in answers for h in a.citations):
        m = re.fullmatch(r"(.*?)(\([^()]+\))-\((\w+)\)", hit.pinpoint)
        if not m:
            continue
        ranges += 1
        unit = view.units[(hit.doc, hit.unit)]
        first = find_block(unit, m.group(1) + m.group(2))
        last = find_block(unit, f"{m.group(1)}({m.group(3)})")
        assert first is not None and last is not None, hit.label
        assert hit.start <= first.start < hit.end and hit.start <= last.start < hit.end, hit.label
    assert ranges > 0


def test_headings_keep_the_acts_capitals(answers: list[Answer]) -> None:
    for hit in (h for a in answers for h in a.citations):
        chapter = hit.heading.split(" › ")[1:-1]  # the act's name and the unit's own title aside
        for part in chapter:
            assert not NAMES.search(part), f"lower-cased name in: {hit.heading}"


def test_markers_run_without_gaps_and_versions_follow_citations(answers: list[Answer]) -> None:
    for answer in answers:
        if answer.abstained:
            assert answer.versions == [], answer.question
            assert not re.search(r"\[\d+\]", answer.answer)
            continue
        markers = [n for s in answer.sentences for n in s.markers()]
        used = sorted(set(markers))
        assert used == list(range(1, len(used) + 1)), (answer.question, markers)
        assert answer.versions, answer.question


def test_the_unofficial_note_only_on_wording_the_amending_act_gave(answers: list[Answer]) -> None:
    hits: list[Hit] = [h for a in answers for h in a.citations if h.doc == "ai-act"]
    unchanged = [h for h in hits if "(as amended" not in h.label]
    changed = [h for h in hits if "(as amended" in h.label]
    assert unchanged and changed
    for hit in unchanged:
        assert not hit.unofficial or "Amended wording" not in hit.unofficial, hit.label
    for hit in changed:
        assert "Amended wording from Regulation (EU) 2026/1744" in (hit.unofficial or ""), hit.label
