"""Fixtures for the loader tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support.sources import assert_source_error


@pytest.fixture(scope="session")
def source_error() -> Callable[..., None]:
    """support.sources.assert_source_error, for the malformed-input tests of every loader."""
    return assert_source_error
