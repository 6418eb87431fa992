"""memory.py: freed heap memory goes back to the system where the C library can (glibc: the test machines)."""

from __future__ import annotations

import pytest

from andts.server.engine import memory


def test_give_back_trims_on_glibc() -> None:
    assert memory.give_back() is True


def test_after_answer_trims_only_after_large_answers_or_long_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "give_back", lambda: calls.append(1) or True)
    memory.after_answer(100, 0.001)
    assert calls == []
    memory.after_answer(memory.LARGE, 0.001)
    memory.after_answer(100, memory.LONG)
    assert calls == [1, 1]


def test_the_server_imports_pyshacl_only_to_validate() -> None:
    """pyshacl is 20 MB of the server process: imported by the first validation, not at start-up."""
    import subprocess
    import sys

    code = "import sys, andts.server.http.app; print('pyshacl' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
