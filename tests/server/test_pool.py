"""The worker pool on its own: start-up failures are clear errors, and the pool runs jobs in order."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from andts.errors import StoreError
from andts.server import sparql
from andts.server.errors import Busy, MalformedQuery, QueryTimeout
from andts.server.pool import WorkerPool


def test_a_store_that_does_not_open_is_a_store_error(store_path: Path, tmp_path: Path) -> None:
    build = sparql.locate_build(store_path)
    broken = tmp_path / "broken"
    (broken / "oxigraph").mkdir(parents=True)
    (broken / "oxigraph" / "CURRENT").write_text("not a store\n")
    t0 = time.monotonic()
    with pytest.raises(StoreError, match="cannot open the store"):
        WorkerPool(replace(build, folder=broken), size=1)
    assert time.monotonic() - t0 < 10


def test_no_published_build_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no built store"):
        sparql.locate_build(tmp_path / "store")


def test_a_build_without_its_oxigraph_folder(store_path: Path, tmp_path: Path, publish_store) -> None:
    link = publish_store(tmp_path / "store", build_id="nooxigraph")
    shutil.rmtree(sparql.locate_build(link).oxigraph_dir)
    with pytest.raises(StoreError, match="has no oxigraph/"):
        sparql.locate_build(link)


def test_the_pool_pins_the_build_it_started_with(tmp_path: Path, publish_store) -> None:
    link = publish_store(tmp_path / "store", build_id="first")
    with WorkerPool(sparql.locate_build(link), size=1) as pool:
        publish_store(link, build_id="second")  # `andts build` publishes a new build meanwhile
        assert pool.build.info.id == "first"
        assert pool.run(sparql.Job(query="ASK { ?s ?p ?o }", results_format="json")).body.endswith(b"true}")


def test_errors_come_back_typed(store_path: Path) -> None:
    with WorkerPool(sparql.locate_build(store_path), size=1) as pool:
        with pytest.raises(MalformedQuery, match="error at 1:"):
            pool.run(sparql.Job(query="SELECT ?x WHERE {"))
        # the worker is still there for the next job
        assert pool.run(sparql.Job(query="ASK {}")).kind == "boolean"
        assert pool.health()["restarts"] == 0


def test_busy_when_no_worker_frees_up_in_time(store_path: Path) -> None:
    import threading

    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r }"
    with WorkerPool(sparql.locate_build(store_path), size=1, timeout=0.5) as pool:
        # No replacement worker: one that starts within the 0.1 s between the slow query's timeout and the
        # end of the second request's wait would answer it (a race that made this test flaky).
        pool._respawn = lambda: None  # type: ignore[method-assign]
        outcome: list[BaseException] = []

        def hold_the_only_worker() -> None:
            try:
                pool.run(sparql.Job(query=slow))
            except QueryTimeout as exc:
                outcome.append(exc)

        t = threading.Thread(target=hold_the_only_worker)
        t.start()
        time.sleep(0.1)
        with pytest.raises(Busy, match="busy"):
            pool.run(sparql.Job(query="ASK {}"))
        t.join()
        assert len(outcome) == 1
