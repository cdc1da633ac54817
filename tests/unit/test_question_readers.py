"""The question's raw text is read only in kb/query.py (with the grammar of kb/grammar.py).

Every module of kb/ is parsed and searched for readers of a question: a regular expression, a
word splitter, a citation reader or a string method applied to a variable that holds the text
of a question (`question`, `query`, `resolved`, `searched`, `….question`, `query.text`).
Other modules get a `Query` (kb/query.py) and read its fields. The finder is itself tested on
the readers kb/query.py has and on the ones the core had before it (issue 28), so that a
passing test means something."""

from __future__ import annotations

import ast
import re
from pathlib import Path

KB = Path(__file__).resolve().parents[2] / "kb"
# The modules allowed to read the question's text.
# kb/asks.py reads what a question asks for beyond the acts (issue 27); grammar.py had no room.
READERS = {"query.py", "grammar.py", "asks.py"}
# Names the core gives a question's text.
NAMES = {"question", "query", "resolved", "searched"}
# Attributes that hold a question's text wherever they are: Turn.question, Retrieval.resolved, ….
TEXT_ATTRIBUTES = {"question", "resolved", "searched"}
REGEX_METHODS = {"search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}
# Functions outside kb/query.py that read a text given to them.
TEXT_READERS = {
    "words",
    "content_words",
    "normal_term",
    "find_query_refs",
    "find_instruments",
    "act_mentions",
    "named_acts",
    "detect",
    "sentences_of",
    "spans_of",
    "split_sentences",
    "sentence_spans",
    "_content_words",
    "_norm",
}
STRING_METHODS = {"lower", "upper", "casefold", "split", "replace", "startswith", "endswith", "find", "count"}
_PATTERN_NAME = re.compile(r"^_?[A-Z][A-Z0-9_]*$|^(?:pattern|regex|\w+_re|\w+_pattern)$")


def _is_question(node: ast.AST) -> bool:
    """Whether an expression is (a part of) a question's text."""
    if isinstance(node, ast.Name):
        return node.id in NAMES
    if isinstance(node, ast.Attribute):
        if node.attr in TEXT_ATTRIBUTES:
            return True
        return node.attr == "text" and isinstance(node.value, ast.Name) and node.value.id in NAMES
    if isinstance(node, ast.Subscript):
        return _is_question(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) and _is_question(v.value) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _is_question(node.left) or _is_question(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in {"strip", "lstrip", "rstrip"} and _is_question(node.func.value)
    return False


def _is_pattern(node: ast.AST) -> bool:
    """Whether an expression is a regular expression (or the `re` module)."""
    if isinstance(node, ast.Name):
        return node.id == "re" or _PATTERN_NAME.match(node.id) is not None
    if isinstance(node, ast.IfExp):
        return _is_pattern(node.body) or _is_pattern(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "compile"
    return False


def _reads(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        return any(isinstance(op, ast.In | ast.NotIn) for op in node.ops) and any(
            _is_question(c) for c in node.comparators
        )
    if not isinstance(node, ast.Call):
        return False
    args = [*node.args, *(k.value for k in node.keywords)]
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in TEXT_READERS and any(_is_question(a) for a in args)
    if isinstance(func, ast.Attribute):
        if func.attr in REGEX_METHODS and _is_pattern(func.value) and any(_is_question(a) for a in args):
            return True
        if func.attr in TEXT_READERS and any(_is_question(a) for a in args):
            return True
        return func.attr in STRING_METHODS and _is_question(func.value)
    return False


def readers_in(source: str) -> list[str]:
    """The lines of `source` that read a question's text."""
    lines = source.splitlines()
    return [lines[n.lineno - 1].strip() for n in ast.walk(ast.parse(source)) if _reads(n)]


def test_only_kb_query_reads_the_question() -> None:
    found = {}
    for path in sorted(KB.rglob("*.py")):
        if path.parent == KB and path.name in READERS:
            continue
        readers = readers_in(path.read_text(encoding="utf-8"))
        if readers:
            found[str(path.relative_to(KB.parent))] = readers
    assert found == {}, "read the question in kb/query.py and hand the Query on"


def test_the_finder_finds_the_readers_of_kb_query() -> None:
    readers = readers_in((KB / "query.py").read_text(encoding="utf-8"))
    expected = [
        "asks_world_facts=_WORLD_FACTS.search(resolved) is not None,",
        "asks_when=_WHEN.search(searched) is not None,",
        "outside = find_instruments(searched, lexicon.names) + _not_in_view(searched, lexicon)",
        "refs = find_query_refs(searched, lexicon.names, spans)",
        "content_words=frozenset(content_words(resolved)),",
        'if len(re.findall(r"[A-Za-z]+", question)) > FOLLOW_UP_WORDS or not _FOLLOW_UP.search(question):',
    ]
    assert [line for line in expected if line not in readers] == []


# Readers of the question in the core before kb/query.py (d386ccd), one line each as it stood.
OLD_READERS = {
    "kb/abstain.py": "if WORLD_FACTS.search(question):\n    pass",
    "kb/conversation.py": 'words = re.findall(r"[A-Za-z]+", question)',
    "kb/search/hybrid.py": "return (_WHEN_APPLIES if strict else _WHEN).search(query) is not None",
    "kb/definitions.py": "quoted = [_norm(q) for q in _QUOTED.findall(query)]",
    "kb/instruments.py": "for m in _NUMBERED.finditer(query):\n    pass",
    "kb/query_refs.py": "lowered = query.lower()",
    "kb/baselines.py": "terms = [w for w in words(question) if w not in STOPWORDS and len(w) > 1]",
    "kb/answer.py": "asked = _content_words(question)",
    "kb/knowledge.py": 'own = f"{history[-1].question.strip()} {question}".split()',
    "kb/questions.py": "sentences = [s.strip() for s in _SENTENCE.split(question) if s.strip()]",
}


def test_the_finder_catches_the_readers_the_core_had() -> None:
    missed = {module: line for module, line in OLD_READERS.items() if not readers_in(line)}
    assert missed == {}


def test_the_finder_leaves_a_query_object_alone() -> None:
    source = (
        "result = view.searcher.search(query, k=k)\n"
        "hits = self.glossary.defining(query.defines)\n"
        "vector = self.embedder.encode([query.searched])[0]\n"
        "pieces = [p for p in hit.text.split('\\n')]\n"
        "if query.asks_world_facts:\n    pass\n"
    )
    assert readers_in(source) == []
