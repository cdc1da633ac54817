"""MCP's presenter: each result of the knowledge base as the readable text an MCP tool returns
beside its structured content (labels, verbatim text, EUR-Lex links, versions), and a provision
as the Markdown of its resource."""

from __future__ import annotations

from kb.citecheck.models import CheckReport
from kb.results import Answer, Documents, Hit, Provision, SearchResult


def _hit_text(n: int, h: Hit) -> str:
    head = f"[{n}] {h.label}" + (f": {h.title}" if h.title else "")
    if h.low_confidence:
        head += " (low confidence)"
    body = f"{h.context}\n{h.text}" if h.context else h.text
    return f"{head}\n{body}\n{h.url}\nVersion: {h.version}"


def search_text(result: SearchResult) -> str:
    """The hits, numbered, each with label, verbatim text, EUR-Lex link and version."""
    parts = [*result.notices]
    parts += [_hit_text(i, h) for i, h in enumerate(result.hits, 1)]
    return "\n\n".join(parts) or "No provisions found."


def answer_text(answer: Answer) -> str:
    """The answer, then its numbered sources and the version of each act cited."""
    line = answer.outcome_line()
    parts = [*([line] if line and answer.outcome == "in_part" else []), answer.answer, *answer.notices]
    if answer.citations:
        parts.append("Sources:\n\n" + "\n\n".join(_hit_text(i, h) for i, h in enumerate(answer.citations, 1)))
    if answer.versions:
        parts.append(
            "Versions cited:\n" + "\n".join(f"- {v.short_name}: {v.version}" for v in answer.versions)
        )
    return "\n\n".join(parts)


def provision_text(p: Provision) -> str:
    """The provision as Markdown: label and title, where it sits, version, link, then its text."""
    lines = [f"# {p.label}" + (f": {p.title}" if p.title else ""), "", p.heading, f"Version: {p.version}"]
    lines.append(f"EUR-Lex: {p.url}")
    if p.amended_by:
        lines.append("Amended by: " + "; ".join(a.citation for a in p.amended_by))
    if p.unofficial:
        lines.append(f"Note: {p.unofficial}")
    if p.pinpoint and p.pinpoint_text:
        lines += ["", f"## {p.pinpoint}", "", p.pinpoint_text, "", "## The whole provision"]
    lines += ["", p.text]
    if p.refers_to:
        lines += ["", "Refers to: " + "; ".join(r.label for r in p.refers_to)]
    if p.referred_by:
        lines += ["", "Referred to by: " + "; ".join(r.label for r in p.referred_by)]
    return "\n".join(lines)


def check_text(report: CheckReport) -> str:
    """A citation check as text for the model: one line per citation, verdict first."""
    lines = []
    for c in report.citations:
        target = c.resolved.label if c.resolved else c.reason
        line = f"- {c.reference}: {c.status}, {c.verdict} ({target}). {c.why}"
        if c.quote:
            line += f" It says: “{c.quote}”"
        if c.suggestions:
            line += " Says it instead: " + "; ".join(f"{s.label} <{s.url}>" for s in c.suggestions)
        lines.append(line)
    return "\n".join(lines + report.notices) or "No citation of the acts found in the text."


def documents_text(documents: Documents) -> str:
    """One line per act: id, name, CELEX, default version, link."""
    return "\n".join(
        f"- {d.id}: {d.short_name}, {d.title} (CELEX {d.celex}). Default version: {d.version}. {d.url}"
        for d in documents.documents
    )
