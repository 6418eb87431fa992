"""bench/generate.py: the synthetic national graph is deterministic by seed and passes the build's SHACL gate."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from andts import paths, store

ROOT = Path(paths.__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generate():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def profile(generate):
    return generate.real_profile()


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def build_dump(generate, profile, tmp: Path, seed: int) -> bytes:
    generate.generate(3, seed, tmp / "src", profile=profile)
    built = generate.build_with_progress(tmp / "store", generate.sources(tmp / "src"))  # raises on a violation
    assert built.info.graphs  # conforms: the build published it
    return (store.current_build_dir(tmp / "store") / "dump.nq").read_bytes()


@pytest.mark.slow  # two builds of a generated national graph
def test_same_seed_gives_an_identical_conforming_build(generate, profile, tmp_path):
    first = build_dump(generate, profile, tmp_path / "a", seed=7)
    second = build_dump(generate, profile, tmp_path / "b", seed=7)
    assert first == second
    assert b"/municipality/syntetkoping-0003>" in first


def test_a_different_seed_gives_different_data(generate, profile, tmp_path):
    generate.generate(3, 7, tmp_path / "a", profile=profile)
    generate.generate(3, 8, tmp_path / "b", profile=profile)
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a.keys() == b.keys()  # the same municipalities …
    assert a != b  # … with other programmes


def test_the_programmes_are_shaped_like_the_real_ones(profile):
    assert len(profile.goals_per_programme) == 2
    assert profile.activity_words and profile.vocabulary and profile.methods and profile.substances
    assert 0 < profile.findings_per_activity
