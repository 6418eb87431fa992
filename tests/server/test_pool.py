"""The worker pool on its own: start-up failures are clear errors, the pool runs jobs in order, and a worker
killed from outside (idle or running a query) is replaced."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from support.polling import DEADLINE, wait_until
from support.processes import kill_and_wait

from andts.errors import StoreError
from andts.server.engine import builds, checks, sparql
from andts.server.engine.pool import WorkerPool
from andts.server.errors import Busy, MalformedQuery, MemoryLimit, QueryTimeout, WorkerFailed

#: What stopping a query and answering may take beyond its time limit on a loaded machine: a query stopped
#: later than this has not been stopped by the limit (the endless ones here run for minutes).
SLACK = 10.0


def test_a_store_that_does_not_open_is_a_store_error(store_path: Path, tmp_path: Path) -> None:
    build = builds.locate_build(store_path)
    broken = tmp_path / "broken"
    (broken / "oxigraph").mkdir(parents=True)
    (broken / "oxigraph" / "CURRENT").write_text("not a store\n")
    # the worker's own error, as soon as it fails: not the start time limit's "did not start within"
    with pytest.raises(StoreError, match="cannot open the store"):
        WorkerPool(replace(build, folder=broken), size=1)


def test_no_published_build_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no built store"):
        builds.locate_build(tmp_path / "store")


def test_a_build_without_its_oxigraph_folder(store_path: Path, tmp_path: Path, publish_store) -> None:
    link = publish_store(tmp_path / "store", build_id="nooxigraph")
    shutil.rmtree(builds.locate_build(link).oxigraph_dir)
    with pytest.raises(StoreError, match="has no oxigraph/"):
        builds.locate_build(link)


def test_the_pool_pins_the_build_it_started_with(tmp_path: Path, publish_store) -> None:
    link = publish_store(tmp_path / "store", build_id="first")
    with WorkerPool(builds.locate_build(link), size=1) as pool:
        publish_store(link, build_id="second")  # `andts build` publishes a new build meanwhile
        assert pool.build.info.id == "first"
        assert pool.run(sparql.Job(query="ASK { ?s ?p ?o }", results_format="json")).body.endswith(b"true}")


def test_errors_come_back_typed(store_path: Path) -> None:
    with WorkerPool(builds.locate_build(store_path), size=1) as pool:
        with pytest.raises(MalformedQuery, match="error at 1:"):
            pool.run(sparql.Job(query="SELECT ?x WHERE {"))
        # the worker is still there for the next job
        assert pool.run(sparql.Job(query="ASK {}")).kind == "boolean"
        assert pool.health()["restarts"] == 0


def test_busy_when_no_worker_frees_up_in_time(store_path: Path) -> None:
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r }"
    with WorkerPool(builds.locate_build(store_path), size=1, timeout=0.5) as pool:
        # No replacement worker: one that starts between the slow query's timeout and the
        # end of the second request's wait would answer it (a race that made this test flaky).
        pool._respawn = lambda slots: None  # type: ignore[method-assign]
        outcome: list[BaseException] = []

        def hold_the_only_worker() -> None:
            try:
                pool.run(sparql.Job(query=slow))
            except QueryTimeout as exc:
                outcome.append(exc)

        t = threading.Thread(target=hold_the_only_worker)
        t.start()
        wait_until(lambda: pool.running() == 1, what=lambda: f"the slow query holds the worker: {pool.health()}")
        with pytest.raises(Busy, match="busy"):
            pool.run(sparql.Job(query="ASK {}"))
        t.join()
        assert len(outcome) == 1


# --- a worker that dies is replaced ---------------------------------------------------------------

#: Runs for minutes on the fixture (a six-fold cross product): holds a worker until it is stopped.
ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r }"


def _asking(pool: WorkerPool, query: str, raised: list[BaseException]) -> threading.Thread:
    """A thread (not started) that runs `query` in `pool` and puts what that raised in `raised`."""

    def ask() -> None:
        try:
            pool.run(sparql.Job(query=query))
        except BaseException as exc:  # noqa: BLE001 - the test looks at what it was
            raised.append(exc)

    return threading.Thread(target=ask)


def _wait_until_full(pool: WorkerPool) -> None:
    wait_until(lambda: pool.alive() == pool.size == pool.health()["idle"],
               what=lambda: f"the pool recovers: {pool.health()}")


@pytest.mark.slow  # kills a worker process
def test_a_worker_killed_while_idle_is_replaced(store_path: Path) -> None:
    with WorkerPool(builds.locate_build(store_path), size=2, timeout=10) as pool:
        victim = pool.pids()[0]
        kill_and_wait(victim)
        # every query is answered, whichever worker it is given to; the dead one is replaced
        for _ in range(4):
            assert pool.run(sparql.Job(query="ASK { ?s ?p ?o }")).body.endswith(b"true}")
        _wait_until_full(pool)
        assert victim not in pool.pids() and pool.health()["restarts"] == 1


@pytest.mark.slow  # kills a worker process
def test_the_only_worker_killed_while_idle_is_replaced(store_path: Path) -> None:
    """With one worker the query waits for its replacement instead of failing."""
    with WorkerPool(builds.locate_build(store_path), size=1, timeout=20) as pool:
        (victim,) = pool.pids()
        kill_and_wait(victim)
        assert pool.run(sparql.Job(query="ASK { ?s ?p ?o }")).body.endswith(b"true}")
        assert pool.pids() != [victim] and pool.alive() == 1 and pool.health()["restarts"] == 1


@pytest.mark.slow  # kills a worker process
def test_a_worker_killed_while_running_a_query_is_replaced(store_path: Path) -> None:
    with WorkerPool(builds.locate_build(store_path), size=2, timeout=30) as pool:
        outcome: list[BaseException] = []
        t = _asking(pool, ENDLESS, outcome)
        t.start()
        # taken by the worker (a job it never took would be sent to another)
        (busy,) = wait_until(pool.running_pids, what="the query reaches a worker")
        t0 = time.monotonic()
        kill_and_wait(busy)
        t.join(timeout=pool.timeout)
        # answered when its worker died, not at the time limit (the query runs for minutes)
        assert not t.is_alive() and time.monotonic() - t0 < pool.timeout, "the request waited for the time limit"
        assert len(outcome) == 1 and isinstance(outcome[0], WorkerFailed), outcome
        assert "stopped while running this query" in str(outcome[0])
        # the other worker answered meanwhile, and the pool is whole again
        assert pool.run(sparql.Job(query="ASK { ?s ?p ?o }")).kind == "boolean"
        _wait_until_full(pool)
        assert busy not in pool.pids() and pool.health()["restarts"] == 1


@pytest.mark.slow  # kills a worker process six times
def test_a_query_right_after_an_idle_worker_is_killed_is_answered(store_path: Path) -> None:
    with WorkerPool(builds.locate_build(store_path), size=1, timeout=20) as pool:
        failures = []
        for _ in range(6):
            _wait_until_full(pool)
            (victim,) = pool.pids()
            os.kill(victim, signal.SIGKILL)  # and ask at once: the kernel may still be ending it
            try:
                pool.run(sparql.Job(query="ASK { ?s ?p ?o }"))
            except WorkerFailed as exc:
                failures.append(exc)
        assert failures == []


@pytest.mark.slow  # a query grows its worker to the memory limit
def test_a_query_past_the_memory_limit_gets_503_and_its_worker_is_replaced(store_path: Path) -> None:
    """A sort of a cartesian product grows by hundreds of MB a second; with a limit it ends its worker (the
    allocation fails and pyoxigraph aborts) long before the time limit, as MemoryLimit, not a 500."""
    with WorkerPool(builds.locate_build(store_path), size=1, timeout=60, memory_mb=700, in_memory=True) as pool:
        (victim,) = pool.pids()
        with pytest.raises(MemoryLimit, match="more than the 700 MB a query worker may use"):  # not QueryTimeout
            pool.run(sparql.Job(query="SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } "
                                      "ORDER BY ?f ?c ?i ?l LIMIT 1", max_rows=10))
        _wait_until_full(pool)
        assert pool.pids() != [victim] and pool.health()["restarts"] == 1
        assert pool.run(sparql.Job(query="ASK { ?s ?p ?o }")).body.endswith(b"true}")


#: 53^4 rows to count on the test store: about 1.5 s.
MEDIUM = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _wait_running(pool: WorkerPool, n: int) -> None:
    wait_until(lambda: pool.running() >= n, what=lambda: f"{n} queries run at once: {pool.health()}")


@pytest.mark.slow  # two queries run to the time limit, their worker is killed
def test_slots_of_one_process_run_queries_side_by_side_on_one_store(store_path: Path) -> None:
    with WorkerPool(builds.locate_build(store_path), size=2, timeout=2, in_memory=True, slots_per_process=2) as pool:
        assert len(pool.pids()) == 1 and pool.health()["processes"] == 1 and pool.alive() == 2
        outcomes: list[BaseException] = []
        threads = [_asking(pool, ENDLESS, outcomes) for _ in range(2)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        _wait_running(pool, 2)  # both at once, in one process
        assert len(pool.running_pids()) == 1
        for t in threads:
            t.join(timeout=15)
        # each stopped by its own time limit: the first stops the process, the other is sent once more
        # with what is left of its time, and never runs longer than the limit in all
        assert len(outcomes) == 2 and all(isinstance(e, QueryTimeout) for e in outcomes), outcomes
        # within the limit and what stopping and answering take: one sent again with a whole limit of its own
        # would take a second limit after a replacement process had started
        assert time.monotonic() - t0 < 2 * pool.timeout + 1.0
        _wait_until_full(pool)
        assert pool.health()["processes"] == 1 and pool.alive() == 2


@pytest.mark.slow  # kills a worker process, a query runs to the time limit
def test_a_query_in_another_slot_of_a_killed_process_is_answered(store_path: Path) -> None:
    """Killed from outside (as by the OOM killer) while two slots run queries: each is sent once more to
    the replacement; the quick one is answered, correctly."""
    with WorkerPool(builds.locate_build(store_path), size=2, timeout=8, in_memory=True, slots_per_process=2) as pool:
        answers: dict[str, object] = {}

        def ask(name: str, query: str) -> None:
            try:
                answers[name] = pool.run(sparql.Job(query=query))
            except BaseException as exc:  # noqa: BLE001 - the test looks at what it was
                answers[name] = exc

        threads = [threading.Thread(target=ask, args=("endless", ENDLESS))]
        threads[0].start()
        _wait_running(pool, 1)
        threads.append(threading.Thread(target=ask, args=("medium", MEDIUM)))
        threads[1].start()
        _wait_running(pool, 2)
        (victim,) = pool.running_pids()
        kill_and_wait(victim)
        for t in threads:
            t.join(timeout=20)
        medium = answers["medium"]
        assert isinstance(medium, sparql.Result), medium
        assert b'"7890481"' in medium.body  # 53^4
        assert isinstance(answers["endless"], QueryTimeout)
        _wait_until_full(pool)
        assert victim not in pool.pids() and pool.health()["restarts"] == 2  # the kill, then the time limit


# --- run_async: the same runs, awaited on an event loop ----------------------------------------------


def test_run_async_answers_as_run_does(store_path: Path) -> None:
    import asyncio

    with WorkerPool(builds.locate_build(store_path), size=2, timeout=10, in_memory=True, slots_per_process=2) as pool:
        job = sparql.Job(query="SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 20")

        async def twice() -> list[sparql.Result]:
            return list(await asyncio.gather(pool.run_async(job), pool.run_async(job)))

        assert [r.body for r in asyncio.run(twice())] == [pool.run(job).body] * 2
        with pytest.raises(MalformedQuery):
            asyncio.run(pool.run_async(sparql.Job(query="SELECT WHERE {")))
        assert pool.health()["idle"] == 2 and pool.health()["restarts"] == 0


def test_run_async_stops_a_query_at_the_time_limit(store_path: Path) -> None:
    import asyncio

    with WorkerPool(builds.locate_build(store_path), size=1, timeout=0.5) as pool:
        t0 = time.monotonic()
        with pytest.raises(QueryTimeout):
            asyncio.run(pool.run_async(sparql.Job(query=ENDLESS)))
        assert time.monotonic() - t0 < pool.timeout + SLACK  # stopped at the limit: ENDLESS runs for minutes
        _wait_until_full(pool)
        assert pool.health()["restarts"] == 1
        assert asyncio.run(pool.run_async(sparql.Job(query="ASK { ?s ?p ?o }"))).body.endswith(b"true}")


def test_run_async_waits_for_a_slot_when_every_one_is_busy(store_path: Path) -> None:
    import asyncio

    with WorkerPool(builds.locate_build(store_path), size=1, timeout=10) as pool:
        medium = threading.Thread(target=pool.run, args=(sparql.Job(query=MEDIUM),))
        medium.start()
        _wait_running(pool, 1)
        assert pool.health()["idle"] == 0
        answer = asyncio.run(pool.run_async(sparql.Job(query="ASK { ?s ?p ?o }")))  # waits in a thread
        medium.join()
        assert answer.body.endswith(b"true}") and pool.health()["restarts"] == 0


def test_a_cancelled_run_async_does_not_lose_its_slot(store_path: Path) -> None:
    import asyncio

    with WorkerPool(builds.locate_build(store_path), size=1, timeout=30) as pool:
        async def cancel_it() -> None:
            task = asyncio.ensure_future(pool.run_async(sparql.Job(query=ENDLESS)))
            deadline = time.monotonic() + DEADLINE
            while pool.running() < 1:  # polled on the loop: the task must go on running meanwhile
                assert time.monotonic() < deadline, f"the query never ran: {pool.health()}"
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(cancel_it())
        _wait_until_full(pool)  # its worker was replaced: the answer it owed will never be read
        assert pool.health()["restarts"] == 1
        assert pool.run(sparql.Job(query="ASK { ?s ?p ?o }")).body.endswith(b"true}")


@pytest.mark.slow  # answers of about 15 MB, four times
def test_run_async_reads_a_large_answer_under_uvloop(store_path: Path) -> None:
    """uvloop leaves a socket it watched non-blocking; an answer of several megabytes arrives in pieces and
    must still be read whole (it was taken for a dead worker, and the worker replaced)."""
    import asyncio

    import uvloop

    with WorkerPool(builds.locate_build(store_path), size=2, timeout=30, in_memory=True, slots_per_process=2) as pool:
        # 53^3 rows of three IRIs each: about 15 MB of SPARQL JSON
        job = sparql.Job(query="SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", results_format="json",
                         max_rows=200_000)

        async def three() -> list[sparql.Result]:
            return list(await asyncio.gather(*(pool.run_async(job) for _ in range(3))))

        loop = uvloop.new_event_loop()
        try:
            answers = loop.run_until_complete(three())
        finally:
            loop.close()
        assert len({a.body for a in answers}) == 1 and len(answers[0].body) > 1_000_000
        assert answers[0].body == pool.run(job).body  # and the blocking read afterwards too
        assert pool.health()["restarts"] == 0


def _checked(text: str, **kw: object) -> sparql.Job:
    """A job as the server sends it: with its check (`Job.shape`)."""
    job = sparql.Job(query=text, **kw)  # type: ignore[arg-type]
    return replace(job, shape=checks.check(job))


def _unordered(result: sparql.Result) -> tuple[str, str, int | None, object]:
    if result.format == "json":
        import json

        rows = json.loads(result.body)["results"]["bindings"]
        return result.kind, result.format, result.rows, sorted(json.dumps(r, sort_keys=True) for r in rows)
    return result.kind, result.format, result.rows, sorted(result.body.splitlines())


@pytest.mark.slow  # kills a worker process
def test_a_one_subject_lookup_is_answered_without_a_worker(store_path: Path) -> None:
    """Answered by the pool itself from the build's store: with the same bytes a worker gives, and while its
    only worker process is dead; a query of two patterns still needs the worker."""
    build = builds.locate_build(store_path)
    with WorkerPool(build, size=1, timeout=10, in_memory=True) as pool:
        subject = next(iter(builds.open_build(build).query(
            "SELECT ?s WHERE { ?s a <https://w3id.org/andts/def/Activity> } LIMIT 1", use_default_graph_as_union=True)))["s"]
        lookups = [_checked(f"CONSTRUCT {{ {subject} ?p ?o }} WHERE {{ {subject} ?p ?o }}", graph_format="ntriples"),
                   _checked(f"SELECT ?p ?o WHERE {{ {subject} ?p ?o }} LIMIT 5", results_format="json")]
        assert all(job.shape is not None and job.shape.one_subject for job in lookups)
        by_worker = [pool.run(replace(job, shape=None)) for job in lookups]
        assert by_worker[0].rows and by_worker[0].rows > 3
        (victim,) = pool.pids()
        kill_and_wait(victim)
        # the same answers; their order may differ (the worker holds the store in memory, the pool reads RocksDB)
        assert [_unordered(pool.run(job)) for job in lookups] == [_unordered(r) for r in by_worker]
        import asyncio

        assert [_unordered(asyncio.run(pool.run_async(job))) for job in lookups] == [_unordered(r) for r in by_worker]
        assert pool.health()["restarts"] == 0  # no worker was asked, so none was found dead
        two = _checked(f"SELECT ?o WHERE {{ {subject} ?p ?o . ?o ?q ?r }} LIMIT 1", results_format="json")
        assert two.shape is not None and not two.shape.one_subject
        assert pool.run(two).kind == "solutions" and pool.health()["restarts"] == 1  # the worker found dead
