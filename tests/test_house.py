"""The house rules a newcomer relies on, checked on every run: small modules and functions, ruff clean, and
no comment that points at an issue number or at a path outside the repository."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The code the rules hold for; tests and generated files are not in it.
CODE = [p for folder in ("andts", "loaders", "server", "bench") for p in sorted((ROOT / folder).rglob("*.py"))]
CODE.append(ROOT / "run.py")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", CODE, ids=_name)
def test_modules_and_functions_are_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{_name(path)} has more than {MAX_MODULE_LINES} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{_name(path)}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


#: An issue number ("issue 7", "issue #7") or a path outside the checkout, in code or docs.
OUTSIDE = re.compile(r"\bissues? #?\d+|\.\./shared/|/work/", re.IGNORECASE)
DOCS = [ROOT / "README.md", *sorted((ROOT / "server").glob("*.md")), *sorted((ROOT / "bench").glob("*.md")),
        *sorted((ROOT / "ontology").glob("*.md")), *sorted((ROOT / "shapes").glob("*.md")),
        *sorted((ROOT / "queries").glob("*.md"))]


@pytest.mark.parametrize("path", CODE + DOCS, ids=_name)
def test_nothing_points_outside_the_repository(path: Path) -> None:
    hits = [f"{n}: {line.strip()}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if OUTSIDE.search(line)]
    assert not hits, f"{_name(path)}:\n" + "\n".join(hits)


def test_ruff_finds_nothing() -> None:
    """The rules are in pyproject.toml ([tool.ruff]); `ruff check --fix` mends most of what it reports."""
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_package_is_installed() -> None:
    """pyproject.toml lists the packages one by one (loaders/ and server/ are installed under `andts.`): a new
    package folder left out of the list works from the checkout and is missing from a wheel."""
    import tomllib

    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    roots = {folder: name for name, folder in setup["package-dir"].items() if "." not in name or name.count(".") == 1}
    found = set()
    for name, folder in roots.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *parts)))
    assert found <= set(setup["packages"]), sorted(found - set(setup["packages"]))
