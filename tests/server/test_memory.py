"""memory.py: freed heap memory goes back to the system where the C library can (glibc: the test machines)."""

from __future__ import annotations


import pytest

from andts.server import memory


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
