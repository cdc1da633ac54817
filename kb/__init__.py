"""regkb: answers about EU regulation, with the provisions that give them.

    from kb import KnowledgeBase

    knowledge = KnowledgeBase.open()  # the index in KB_INDEX_DIR (build it with `kb ingest`)
    answer = knowledge.ask("Can we use emotion recognition on our staff?")
    answer.citations[0].label  # 'AI Act, Article 5(1)(f)'

The names below are the public API. They load on first use, so that importing `kb.config`
(as `kb --help` does) does not load torch and FAISS.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it
_EXPORTS = {
    "KnowledgeBase": "kb.knowledge",
    "RemoteKB": "kb.client",
    "ServerUnavailable": "kb.errors",
    "Settings": "kb.config",
    "settings": "kb.config",
    "Answer": "kb.results",
    "ActVersion": "kb.results",
    "Hit": "kb.results",
    "Provision": "kb.results",
    "RefLink": "kb.results",
    "SearchResult": "kb.results",
    "Sentence": "kb.results",
    "Turn": "kb.results",
    "KBError": "kb.errors",
    "BadQuery": "kb.errors",
    "IndexIncompatible": "kb.errors",
    "IndexMissing": "kb.errors",
    "UnknownDocument": "kb.errors",
    "UnknownUnit": "kb.errors",
}

__all__ = [
    "ActVersion",
    "Answer",
    "BadQuery",
    "Hit",
    "IndexIncompatible",
    "IndexMissing",
    "KBError",
    "KnowledgeBase",
    "Provision",
    "RefLink",
    "RemoteKB",
    "SearchResult",
    "Sentence",
    "ServerUnavailable",
    "Settings",
    "Turn",
    "UnknownDocument",
    "UnknownUnit",
    "__version__",
    "settings",
]

if TYPE_CHECKING:
    from kb.client import RemoteKB
    from kb.config import Settings, settings
    from kb.errors import (
        BadQuery,
        IndexIncompatible,
        IndexMissing,
        KBError,
        ServerUnavailable,
        UnknownDocument,
        UnknownUnit,
    )
    from kb.knowledge import KnowledgeBase
    from kb.results import ActVersion, Answer, Hit, Provision, RefLink, SearchResult, Sentence, Turn


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kb' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
