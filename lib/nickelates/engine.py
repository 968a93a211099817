"""The project's one way to run many independent tasks: ``dask.distributed``.

Heavy scans (spectroscopic maps, DMRG and ED scans, parameter maps) outgrow
one process.  They all go through :func:`dask_client`: a ``LocalCluster`` of
single-threaded worker processes on this machine by default (one per core),
or an existing scheduler by address (``tcp://host:8786``; the same code path a
SLURM cluster started with dask-jobqueue uses).  :func:`map_tasks` runs one
function over a list of inputs on it, yields results as they finish (so a
script can write each one at once), and reports failures per task instead of
stopping.  :func:`add_arguments` gives a script the ``--workers`` /
``--scheduler`` options.

>>> from nickelates import engine
>>> sorted(r.value for r in engine.map_tasks(abs, [-2, 1], workers=0))
[1, 2]
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

from . import _validate as check

__all__ = ["TaskResult", "dask_client", "map_tasks", "add_arguments", "SCHEDULER_TIMEOUT"]


@dataclass(frozen=True)
class TaskResult:
    """Outcome of one task of :func:`map_tasks`.

    Attributes
    ----------
    index : int
        Position of the input in the list given to :func:`map_tasks`.
    item : object
        The input itself.
    value : object
        What the function returned (None if it raised).
    error : str
        ``"ExceptionType: message"`` if the function raised, else ``""``.

    Examples
    --------
    >>> TaskResult(0, 3, 9, "").ok
    True
    """

    index: int
    item: object
    value: object
    error: str

    @property
    def ok(self) -> bool:
        """Return True if the task returned a value.

        Returns
        -------
        bool
            ``error == ""``.
        """
        return not self.error


#: seconds to wait for an existing scheduler to answer before giving up (``dask_client(timeout=)``)
SCHEDULER_TIMEOUT = 5.0


@contextlib.contextmanager
def dask_client(workers=None, scheduler=None, *, timeout=SCHEDULER_TIMEOUT):
    """Yield a ``distributed.Client``: a new ``LocalCluster`` or an existing scheduler.

    Parameters
    ----------
    workers : int, optional
        Worker processes of a new ``LocalCluster`` (one thread each), in [1, 256];
        default one per core.  Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running scheduler (``"tcp://host:8786"``); the cluster is used
        as it is and left running.
    timeout : float, optional
        Seconds to wait for that scheduler to answer, in (0, 3600] (default
        :data:`SCHEDULER_TIMEOUT`).

    Yields
    ------
    distributed.Client
        Closed (and the local cluster shut down) on exit. Ctrl-C while the local
        cluster starts or shuts down is held until that is done, then raised as
        ``KeyboardInterrupt`` (no half-built cluster is left to the exit handlers).

    Raises
    ------
    TypeError
        If ``scheduler`` is not a string or ``workers`` not an integer.
    ValueError
        If ``workers`` or ``timeout`` is out of range or both are given.
    ConnectionError
        If the scheduler does not answer within ``timeout`` seconds (an ``OSError``;
        the message names the address).

    Examples
    --------
    >>> with dask_client(workers=1) as client:          # doctest: +SKIP
    ...     client.submit(sum, [1, 2]).result()
    3
    """
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if not isinstance(scheduler, str):
            raise TypeError(f"scheduler must be an address string, got {type(scheduler).__name__}")
        if workers is not None:
            raise ValueError("give either workers (a new local cluster) or scheduler (an existing one), not both")
        timeout = check.in_range("timeout", timeout, 0.0, 3600.0, lo_open=True)
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"the Dask scheduler at {scheduler} did not answer within {timeout:g} s "
                                  f"({type(exc).__name__}); is it running, and is the address right?") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = (os.cpu_count() or 1) if workers is None else check.integer("workers", workers, 1, 256)
    # no dashboard; the scheduler's small HTTP server (health, metrics) on a free localhost port,
    # so that two clusters on one machine (a background script and a test) never compete for 8787
    cluster = client = None
    try:
        with _sigint_deferred():    # Ctrl-C while the workers start would leave a half-built cluster
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                   scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
            client = Client(cluster)
        yield client                # (a Ctrl-C held above is raised before this line, and closes both below)
    finally:
        with _sigint_deferred():    # a second Ctrl-C must not break the shutdown
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()


@contextlib.contextmanager
def _sigint_deferred():
    """Hold SIGINT (Ctrl-C) until the block ends, then raise ``KeyboardInterrupt`` (main thread only)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got = []
    old = signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
    if got and callable(old):
        old(signal.SIGINT, None)         # the default handler raises KeyboardInterrupt here


def _call(func, item):
    try:
        return func(item), ""
    except Exception as exc:  # reported per task, never hidden
        return None, f"{type(exc).__name__}: {exc}"


def map_tasks(func, items, *, workers=None, scheduler=None, client=None):
    """Run ``func(item)`` for every item; yield :class:`TaskResult` as tasks finish.

    Parameters
    ----------
    func : callable
        A picklable function of one argument (module-level, or defined in a script).
    items : iterable
        Inputs, one task each.
    workers : int, optional
        ``0``: run in this process, in order (no Dask; for tests and debugging);
        otherwise the worker processes of a new ``LocalCluster`` (default: one per core).
    scheduler : str, optional
        Address of an existing scheduler.
    client : distributed.Client, optional
        Use this client as it is.

    Yields
    ------
    TaskResult
        One per item, in the order they finish; a task that raised carries the error
        and does not stop the others.

    Raises
    ------
    TypeError
        If ``func`` is not callable or ``client`` is not a ``distributed.Client``.

    Examples
    --------
    >>> [r.error.split(":")[0] for r in map_tasks(int, ["x"], workers=0)]
    ['ValueError']
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if client is not None:
        from distributed import Client

        check.instance("client", client, Client, "a distributed.Client")
    if workers is not None:
        check.integer("workers", workers, 0, 256)
    items = list(items)
    if workers == 0 and scheduler is None and client is None:
        for i, item in enumerate(items):
            value, err = _call(func, item)
            yield TaskResult(i, item, value, err)
        return
    from distributed import as_completed

    def run(cl):
        futs = {cl.submit(_call, func, item, pure=False): i for i, item in enumerate(items)}
        for fut in as_completed(futs):
            i = futs[fut]
            value, err = fut.result()
            yield TaskResult(i, items[i], value, err)

    if client is not None:
        yield from run(client)
        return
    with dask_client(workers=workers, scheduler=scheduler) as cl:
        yield from run(cl)


def add_arguments(parser) -> None:
    """Add ``--workers N`` and ``--scheduler ADDRESS`` to an argparse parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The script's parser.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["--workers", "2"]).workers
    2
    """
    import argparse

    check.instance("parser", parser, argparse.ArgumentParser, "an argparse.ArgumentParser")
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--workers", type=int, default=None,
                   help="worker processes of a local Dask cluster (default: one per core; 0: no Dask)")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of an existing Dask scheduler, e.g. tcp://host:8786")
