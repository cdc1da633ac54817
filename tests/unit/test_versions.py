"""Which version of each act a question is answered from."""

from __future__ import annotations

from datetime import date

import pytest

from kb.errors import BadQuery
from kb.versions import choose, long_date
from tests.unit.conftest import act_info, version

AI_ACT = act_info(
    "ai-act", "AI Act", [version("2024-08-01"), version("2026-07-27", ["Regulation (EU) 2026/1744"])]
)
AMENDING = act_info("amending", "Regulation (EU) 2026/1744", [version("2026-07-27")], amends="ai-act")
DATA_ACT = act_info("data-act", "Data Act", [version("2024-01-11")])
ACTS = [AI_ACT, AMENDING, DATA_ACT]


def ids(chosen: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {doc: v.id for doc, v in chosen.items()}


def test_current_original_and_dates() -> None:
    today = date(2026, 11, 29)
    assert ids(choose(ACTS, "current", today)) == {
        "ai-act": "2026-07-27",
        "amending": "2026-07-27",
        "data-act": "2024-01-11",
    }
    # As first published: the amending act was not yet part of the law.
    assert ids(choose(ACTS, "original", today)) == {"ai-act": "2024-08-01", "data-act": "2024-01-11"}
    assert ids(choose(ACTS, "2025-01-01")) == {"ai-act": "2024-08-01", "data-act": "2024-01-11"}
    # An act not yet in force on the date asked for is left out.
    assert ids(choose(ACTS, "2024-03-01")) == {"data-act": "2024-01-11"}
    # ...but "current" keeps an act not yet in force: it is the law to come.
    assert ids(choose([act_info("ai-act", "AI Act", [version("2030-01-01")])], "current", today)) == {
        "ai-act": "2030-01-01"
    }


def test_bad_versions_say_how_to_write_them() -> None:
    with pytest.raises(BadQuery, match="use current, original or a date"):
        choose(ACTS, "latest")
    with pytest.raises(BadQuery, match="not a date"):
        choose(ACTS, "2026-02-30")
    with pytest.raises(BadQuery, match="No act in the index was in force"):
        choose(ACTS, "2020-01-01")


def test_dates_as_the_official_journal_writes_them() -> None:
    assert long_date("2026-07-27") == "27 July 2026"
    assert long_date("soon") == "soon"
