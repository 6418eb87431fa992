"""Where the project's data files live. Code reads ontology, shapes, data and queries only through here."""

from __future__ import annotations

import os
from pathlib import Path

#: The project folder (a checkout; the package is installed from it in editable mode).
ROOT = Path(os.environ.get("ANDTS_HOME", Path(__file__).resolve().parents[1]))

ONTOLOGY = ROOT / "ontology" / "andts.ttl"
SHAPES_DIR = ROOT / "shapes"
DATA_DIR = ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
SOURCES_DIR = DATA_DIR / "sources"
TEMPLATES_DIR = DATA_DIR / "templates"
QUERIES_DIR = ROOT / "queries"

#: The embedded store used when neither --store nor ANDTS_STORE says otherwise (git-ignored).
DEFAULT_STORE = ROOT / "var" / "store"


def store_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The store folder: the --store option, else $ANDTS_STORE, else the project default."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("ANDTS_STORE")
    return Path(env) if env else DEFAULT_STORE


def shape_files() -> list[Path]:
    return sorted(SHAPES_DIR.glob("*.ttl"))


def reference_files() -> list[Path]:
    return sorted(REFERENCE_DIR.glob("*.ttl"))
