"""The README says what the code does: its settings table is `kb/config.py`'s fields, its exit
codes the CLI's constants (as datasette's tests/test_docs.py holds its docs to the code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import AliasChoices
from pydantic.fields import FieldInfo

from api import errors as codes
from kb.config import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Read outside Settings, by the one module that needs it: the key the command line sends to a
# server (`kb ask --api`); a server never reads it. Held to that module below, so it cannot go stale.
OUTSIDE_SETTINGS = {"KB_API_KEY": ROOT / "api" / "cli.py"}


def settings_table() -> dict[str, str]:
    """Variable -> its default as the README's settings table gives it ("unset" or a code span)."""
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0])
        defaults = re.findall(r"`([^`]*)`", cells[1])
        for i, name in enumerate(names):
            # "`KB_HOST`, `KB_PORT`" with "`127.0.0.1`, `8000`": one default each; "unset" for all.
            rows[name] = defaults[i] if len(defaults) == len(names) else cells[1]
    return rows


def env_names(name: str, field: FieldInfo) -> list[str]:
    """The environment variables a field is read from: its aliases, or KB_ and its name."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [f"KB_{name.upper()}"]


def as_written(value: object) -> str:
    """A default as the README writes it: booleans as 1/0, 60.0 as 60, empty as unset."""
    if value is None or value == "":
        return "unset"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_the_readme_documents_every_setting_and_no_other() -> None:
    documented = settings_table()
    fields = Settings.model_fields
    missing = [
        env_names(name, f)[0] for name, f in fields.items() if not set(env_names(name, f)) & set(documented)
    ]
    assert not missing, f"settings of kb/config.py missing from the README's table: {missing}"
    known = {env for name, f in fields.items() for env in env_names(name, f)} | set(OUTSIDE_SETTINGS)
    stale = sorted(set(documented) - known)
    assert not stale, f"the README's table lists settings that kb/config.py does not read: {stale}"


def test_the_readme_gives_each_setting_its_default() -> None:
    documented = settings_table()
    wrong = []
    for name, field in Settings.model_fields.items():
        env = next(e for e in env_names(name, field) if e in documented)
        written = documented[env]
        if field.default is None and written != "unset":
            # A default computed at run time: the README says what the field's description says.
            plain = written.replace("`", "")
            ok = f"default: {plain}" in (field.description or "")
        elif isinstance(field.default, Path):
            # A folder under the user's home is written as the README's reader knows it: "~/…".
            ok = Path(written.strip("`")).expanduser() == field.default.expanduser()
        else:
            ok = written == as_written(field.default)
        if not ok:
            wrong.append(f"{env}: README {written!r}, kb/config.py {field.default!r}")
    assert not wrong, "defaults that differ: " + "; ".join(wrong)


@pytest.mark.parametrize("env", sorted(OUTSIDE_SETTINGS))
def test_a_variable_read_outside_the_settings_is_read_where_the_test_says(env: str) -> None:
    assert f'"{env}"' in OUTSIDE_SETTINGS[env].read_text(encoding="utf-8")
    assert env in settings_table()


def exit_codes_in_readme() -> dict[int, str]:
    """Code -> its meaning, from the README's "Exit codes: 0 answered, 1 abstained (…), …" line."""
    text = " ".join(README.split("Exit codes:", 1)[1].split("\n`--debug`", 1)[0].split())
    parts = re.split(r"(?:^|,\s+)(\d+)\s+", text.strip())
    return {int(code): meaning.rstrip(".") for code, meaning in zip(parts[1::2], parts[2::2], strict=True)}


def exit_codes_in_cli() -> dict[int, str]:
    """Code -> the constant's name and comment, from api/errors.py, where the command line's codes
    are defined (EXIT_USAGE = 2  # bad input: …)."""
    source = (ROOT / "api" / "errors.py").read_text(encoding="utf-8")
    out = {}
    for name, comment in re.findall(r"^(EXIT_[A-Z_]+) = \d+\s*#\s*(.*)$", source, re.MULTILINE):
        out[getattr(codes, name)] = f"{name.removeprefix('EXIT_').replace('_', ' ').lower()} {comment}"
    return out


def test_the_readme_lists_the_clis_exit_codes() -> None:
    readme, code = exit_codes_in_readme(), exit_codes_in_cli()
    constants = [n for n in dir(codes) if n.startswith("EXIT_")]
    assert len(code) == len(constants), "an EXIT_ constant without its comment"
    where = f"README {sorted(readme)}, api/errors.py {sorted([0, *code])}"
    assert sorted(readme) == sorted([0, *code]), where
    for number, meaning in code.items():
        # The README's words for a code share a word with the constant's name or comment.
        said = set(re.findall(r"[a-z]{5,}", readme[number].lower()))
        shared = said & set(re.findall(r"[a-z]{5,}", meaning))
        assert shared, f"exit code {number}: README says {readme[number]!r}, api/errors.py says {meaning!r}"
