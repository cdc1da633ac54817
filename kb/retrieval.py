"""What `KnowledgeBase.retrieve` hands to the answer (kb/knowledge.py re-exports both): the
question as read with its hits and verdict, and the view of the acts it was searched in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb import abstain
    from kb.document import Unit
    from kb.manifest import VersionInfo
    from kb.query import Query
    from kb.results import SearchResult
    from kb.search import Searcher


@dataclass
class Retrieval:
    """What `retrieve` found: the question as read, its hits and the verdict on abstaining."""

    query: Query
    result: SearchResult
    verdict: abstain.Verdict
    started: float
    view: View

    @property
    def question(self) -> str:
        """The question as asked."""
        return self.query.text

    @property
    def resolved(self) -> str:
        """The question read with the conversation."""
        return self.query.resolved


@dataclass
class View:
    """The corpus as it reads in one version of each act: its units and a search over them."""

    versions: dict[str, VersionInfo]  # act id -> the version chosen
    units: dict[tuple[str, str], Unit]
    searcher: Searcher
