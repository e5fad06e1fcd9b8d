"""Every environment variable the product reads is in the README's configuration table, and
the table names no variable the product does not read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "anyun"
NOT_OURS = {"DJANGO_SETTINGS_MODULE"}
READERS = {"get", "getenv", "env_int", "env_bool", "setdefault"}


def _variables_read() -> dict[str, str]:
    """Variable name -> the first module that reads it (tests excluded)."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.relative_to(SOURCE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            name = None
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                environ = not isinstance(func, ast.Attribute) or (
                    isinstance(func.value, ast.Attribute | ast.Name)
                    and getattr(func.value, "attr", getattr(func.value, "id", ""))
                    in {"environ", "os"}
                )
                if called in READERS and environ and isinstance(node.args[0], ast.Constant):
                    name = node.args[0].value
            elif (
                isinstance(node, ast.Subscript)
                and getattr(node.value, "attr", "") == "environ"
                and isinstance(node.slice, ast.Constant)
            ):
                name = node.slice.value
            if isinstance(name, str) and name.isupper() and name not in NOT_OURS:
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def _variables_documented() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_the_reader_finds_the_variables_settings_reads() -> None:
    read = _variables_read()
    for name in ("ANYUN_SECRET_KEY", "ANYUN_SMS_PROVIDER", "DATABASE_URL", "ANYUN_PORT"):
        assert name in read


def test_readme_table_matches_the_variables_read() -> None:
    read = _variables_read()
    documented = _variables_documented()
    missing = {name: where for name, where in read.items() if name not in documented}
    assert missing == {}, "read but not in README's configuration table"
    assert documented - set(read) == set(), "in README's table but read nowhere"
