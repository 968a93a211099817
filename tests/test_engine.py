"""nickelates.engine: one Dask layer for every heavy scan."""
from __future__ import annotations

import argparse
import math

import pytest

from nickelates import engine


def _maybe_fail(x):
    if x < 0:
        raise ValueError(f"negative input {x}")
    return math.sqrt(x)


def test_in_process_results_and_failures_reported():
    res = sorted(engine.map_tasks(_maybe_fail, [4.0, -1.0, 9.0], workers=0), key=lambda r: r.index)
    assert [r.ok for r in res] == [True, False, True]
    assert res[0].value == 2.0 and res[2].value == 3.0
    assert res[1].value is None and res[1].error == "ValueError: negative input -1.0"


@pytest.mark.slow
def test_local_cluster_of_two_processes_matches_in_process():
    items = [float(i) for i in range(-2, 12)]
    serial = {r.index: (r.value, r.error) for r in engine.map_tasks(_maybe_fail, items, workers=0)}
    dask = {r.index: (r.value, r.error) for r in engine.map_tasks(_maybe_fail, items, workers=2)}
    assert dask == serial
    with engine.dask_client(workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        again = {r.index: r.value for r in engine.map_tasks(_maybe_fail, items, client=client)}
    assert again == {i: v for i, (v, _) in serial.items()}


def test_bad_arguments():
    with pytest.raises(TypeError, match="func must be callable"):
        list(engine.map_tasks(3, [1], workers=0))
    with pytest.raises(ValueError, match="either workers .* or scheduler"):
        with engine.dask_client(workers=2, scheduler="tcp://127.0.0.1:1"):
            pass
    with pytest.raises(TypeError, match="scheduler must be an address string"):
        with engine.dask_client(scheduler=8786):
            pass
    with pytest.raises(ValueError, match="workers must be an integer in"):
        with engine.dask_client(workers=0):
            pass
    p = argparse.ArgumentParser()
    engine.add_arguments(p)
    assert p.parse_args(["--scheduler", "tcp://h:1"]).scheduler == "tcp://h:1"
    with pytest.raises(SystemExit):
        p.parse_args(["--workers", "2", "--scheduler", "tcp://h:1"])


def test_object_arguments_are_type_checked():
    """Issue 25: a wrong client is a TypeError naming it, not an AttributeError inside Dask."""
    with pytest.raises(TypeError, match="client must be a distributed.Client"):
        list(engine.map_tasks(abs, [1], workers=0, client=0))
    with pytest.raises(TypeError, match="workers must be an integer"):
        list(engine.map_tasks(abs, [1], workers="2"))
    with pytest.raises(ValueError, match="timeout"):
        with engine.dask_client(scheduler="tcp://127.0.0.1:1", timeout=0):
            pass


def test_missing_scheduler_fails_within_the_timeout():
    """Issue 25: a scheduler that does not answer fails in about `timeout` seconds, naming the address."""
    import time

    t0 = time.perf_counter()
    with pytest.raises(ConnectionError, match=r"tcp://127\.0\.0\.1:1 did not answer within 1 s"):
        with engine.dask_client(scheduler="tcp://127.0.0.1:1", timeout=1.0):
            pass
    assert time.perf_counter() - t0 < 20          # not the 30 s of distributed's default


def test_ctrl_c_is_held_while_a_cluster_starts_or_stops():
    """Issue 25: SIGINT inside the guarded block is raised only when it ends (no half-built cluster)."""
    import os
    import signal

    reached = []
    with pytest.raises(KeyboardInterrupt):
        with engine._sigint_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            reached.append("after the signal")          # still running: the signal was held
    assert reached == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with engine._sigint_deferred():                      # no signal: nothing raised
        reached.append("quiet")
    assert reached[-1] == "quiet"


@pytest.mark.parametrize("parser", [None, 1.5, "p", {}, object()])
def test_add_arguments_needs_a_parser(parser):
    """Fuzz finding F-12: a non-parser is a TypeError naming ``parser``."""
    with pytest.raises(TypeError, match="parser must be an argparse.ArgumentParser"):
        engine.add_arguments(parser)
