"""Checks shared by the loader tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph

from andts.errors import SourceError
from andts.loaders.common import LoadResult, SourceInfo
from andts.validation import reference_graph


def assert_source_error(load: Callable[[SourceInfo, Graph], LoadResult], meta: Path, line: int, words: str) -> None:
    """Loading the fixture described by `meta` fails with a SourceError that names its document and line."""
    source = SourceInfo.read(meta)
    with pytest.raises(SourceError) as err:
        load(source, reference_graph())
    assert err.value.line == line
    assert f"{source.path.name}:{line}:" in str(err.value), "the message names the file and the line"
    assert words in str(err.value)
