"""``python -m nickelates fit-map``: fit every spectrum of an STM / point-contact grid (gap maps).

Reads a Nanonis grid-spectroscopy ``.3ds`` file (sweep signal = bias, V in
the file -> mV; the dI/dV channel from --channel, default the lock-in X
channel) or a NetCDF/HDF5 cube with dims (y, x, bias) in mV, fits each
spectrum with a thermally smeared Dynes or BTK model on ``dask.distributed``
(:func:`nickelates.gapmap.fit_map`) and writes the maps as NetCDF:
``delta1``, ``delta1_stderr``, ... for every parameter (meV), ``redchi``,
``ok`` and ``reason`` with dims (y, x), coordinates in metres.

Engine
------
By default a LocalCluster with one single-threaded worker process per core
(--workers N to choose); --scheduler tcp://host:8786 uses a running cluster
(for instance one started by dask-jobqueue). --workers 0 fits in this process.

Header, lock-in, background, current
------------------------------------
--temperature may be left out when the grid's header states the microscope
temperature (the flag wins; the value used and its source are printed and
stored in the NetCDF attributes ``temperature_K``/``temperature_source``);
down to 10 mK. The lock-in modulation (PEAK amplitude) is folded into the
model only when the header shows that the lock-in producing the dI/dV channel
was running (--no-lockin to switch off). Each pixel has the same polynomial
normal-state background as fit-btk (--bg-degree, default 2; 0 = a scale
only). A current channel is refused unless --from-current (the dI/dV is then
the Savitzky-Golay derivative of the current).

Trust gates
-----------
Every pixel the fit calls usable passes the gates of :mod:`nickelates.trust`
(fit-btk's rule): reason codes 5 no_gap, 7 not_measured (aborted grid),
8 gap_at_edge, 9 gamma_exceeds_gap, 10 high_rms, 11 negative_conductance,
12 clipped, 13 not_a_conductance. A grid without gaps ends with exit 3 and
every pixel flagged.

Robustness
----------
A pixel whose fit fails is flagged (ok = False and a reason code), the map
goes on. Finished chunks are kept in ``MAPS.nc.partial/`` until the map is
complete: rerun the same command after an interruption to resume. The output
is written atomically; an existing one is replaced only with --force.

Exit codes
----------
0  map written, every pixel ok;
1  the map could not be written (disk), or the cluster failed;
2  bad input file or arguments (nothing written; "error: " names the format or the reason);
3  map written, but some pixels are flagged (the counts per reason are printed);
130  interrupted (Ctrl-C): the finished chunks stay in ``MAPS.nc.partial/``, the
     message says how to resume.

A scheduler that does not answer within --scheduler-timeout seconds (default 5)
gives exit 1 and leaves no ``MAPS.nc.partial/`` (it is created with the first
finished chunk). A missing or read-only output folder is exit 2 before any work;
a full disk while writing is exit 1 with the earlier map unchanged.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

__all__ = ["HELP", "DESCRIPTION", "add_arguments", "run", "EXIT_OK", "EXIT_OUTPUT", "EXIT_INPUT", "EXIT_FLAGGED",
           "EXIT_INTERRUPTED"]

HELP = "fit a grid of spectra (Nanonis .3ds or NetCDF cube) into gap maps, on Dask"
DESCRIPTION = __doc__.split("\n", 1)[1]

EXIT_OK = 0         #: map written, all pixels ok
EXIT_OUTPUT = 1     #: output not written / cluster failure
EXIT_INPUT = 2      #: bad input or arguments
EXIT_FLAGGED = 3    #: map written, some pixels flagged
EXIT_INTERRUPTED = 130  #: Ctrl-C (128 + SIGINT); finished chunks are kept for a rerun

_FLAGS = {"temperature": "--temperature", "n_gaps": "--gaps", "workers": "--workers", "model": "--model",
          "scheduler": "--scheduler", "channel": "--channel", "background": "--bg-degree",
          "lockin_mV": "the lock-in amplitude", "sg_window_mV": "--sg-window",
          "scheduler_timeout": "--scheduler-timeout"}


def add_arguments(p):
    """Fill an :class:`argparse.ArgumentParser` with the ``fit-map`` flags.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The (sub)parser.

    Returns
    -------
    None

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> a = p.parse_args(["g.3ds", "--temperature", "2", "--out", "m.nc"])
    >>> a.model, a.gaps, a.workers, a.force
    ('dynes', 1, None, False)
    """
    p.add_argument("grid", metavar="GRID", help="Nanonis .3ds file or NetCDF/HDF5 cube (y, x, bias in mV)")
    p.add_argument("--model", choices=("dynes", "btk"), default="dynes", help="spectrum model (default dynes)")
    p.add_argument("--temperature", type=float, default=None, metavar="T",
                   help="temperature in K, 0.01..300 (default: the microscope temperature in the grid's header; "
                        "the flag wins when both exist)")
    p.add_argument("--channel", metavar="NAME", default=None,
                   help="dI/dV channel (.3ds) or variable (cube); default the lock-in X channel")
    p.add_argument("--gaps", type=int, default=1, metavar="N", help="number of gaps, 1 or 2 (default 1)")
    p.add_argument("--bg-degree", type=int, default=2, metavar="D",
                   help="degree of the polynomial normal-state background of each pixel, as fit-btk's (default 2; "
                        "0 = a scale only)")
    p.add_argument("--from-current", action="store_true",
                   help="the channel is a current: fit its Savitzky-Golay derivative (refused otherwise)")
    p.add_argument("--sg-window", type=float, default=None, metavar="MV",
                   help="with --from-current: Savitzky-Golay window in mV (default: the reader's)")
    p.add_argument("--no-lockin", action="store_true",
                   help="do not fold the header's lock-in modulation into the model")
    eng = p.add_mutually_exclusive_group()
    eng.add_argument("--workers", type=int, default=None, metavar="N",
                     help="worker processes of a local cluster (default one per core; 0 = no Dask)")
    eng.add_argument("--scheduler", default=None, metavar="ADDRESS", help="address of a running Dask scheduler")
    p.add_argument("--scheduler-timeout", type=float, default=None, metavar="S",
                   help="seconds to wait for --scheduler to answer (default 5; then exit 1)")
    p.add_argument("--out", required=True, metavar="MAPS.nc", help="output NetCDF file")
    p.add_argument("--force", action="store_true", help="replace an existing output")
    p.add_argument("--rows-per-chunk", type=int, default=2, metavar="R", help="grid rows per task (default 2)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _flagged(msg):
    for name, flag in _FLAGS.items():
        msg = msg.replace(f"{name} must", f"{flag} must")
    return msg


def run(args) -> int:
    """Run ``fit-map``; return the exit code (0, 1, 2 or 3, see the module docstring).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed by a parser filled with :func:`add_arguments`.

    Returns
    -------
    int
        The exit code.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> run(p.parse_args(["missing.3ds", "--temperature", "2", "--out", "m.nc"]))
    2
    """
    import numpy as np

    from nickelates import gapmap
    from nickelates._atomic import check_targets, describe
    from nickelates.cli_btk import refuse_current
    out = Path(args.out)
    t_min = 0.01
    try:
        check_targets([out], bool(args.force), flag="--out")
        if args.scheduler_timeout is not None and not 0 < args.scheduler_timeout <= 3600:
            raise ValueError(f"--scheduler-timeout must lie in (0, 3600] s, got {args.scheduler_timeout}")
        if args.scheduler_timeout is not None and args.scheduler is None:
            raise ValueError("--scheduler-timeout needs --scheduler")
        if args.temperature is not None and not t_min <= args.temperature <= 300.0:
            raise ValueError(f"--temperature must lie in [{t_min}, 300] K, got {args.temperature}")
        if args.gaps not in (1, 2):
            raise ValueError(f"--gaps must be 1 or 2, got {args.gaps}")
        if not 0 <= args.bg_degree <= 6:
            raise ValueError(f"--bg-degree must be in 0..6, got {args.bg_degree}")
        if args.workers is not None and not 0 <= args.workers <= 1024:
            raise ValueError(f"--workers must lie in 0..1024, got {args.workers}")
        if not 1 <= args.rows_per_chunk <= 10**6:
            raise ValueError(f"--rows-per-chunk must be a positive integer, got {args.rows_per_chunk}")
        if args.sg_window is not None and not args.from_current:
            raise ValueError("--sg-window needs --from-current")
        kw = {"from_current": True} if args.from_current else {}
        if args.sg_window is not None:
            kw["sg_window_mV"] = args.sg_window
        grid = gapmap.read_grid(args.grid, args.channel, **kw)
        refuse_current(grid.attrs.get("channel", grid.name or ""), grid.attrs.get("didv_kind"), args.from_current,
                       args.grid)
        header_T = grid.attrs.get("temperature_K")
        if args.temperature is not None:
            temperature, t_source = float(args.temperature), "flag"
        elif header_T is not None and t_min <= float(header_T) <= 300.0:
            temperature, t_source = float(header_T), "header"
        else:
            raise ValueError("--temperature is needed: the grid's header states no microscope temperature"
                             + (f" in [{t_min}, 300] K (it states {header_T} K)" if header_T is not None else ""))
    except (ValueError, TypeError) as exc:
        print(f"error: {_flagged(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    ny, nx, nb = grid.shape
    print(f"{args.grid}: {ny} x {nx} spectra, {nb} bias points in [{float(grid.bias.min()):.3g}, "
          f"{float(grid.bias.max()):.3g}] mV, channel {grid.attrs.get('channel')}"
          + (f" ({grid.attrs['didv_kind']})" if grid.attrs.get("didv_kind") else ""))
    if grid.attrs.get("notes"):
        print(f"  note: {grid.attrs['notes']}")
    print(f"temperature: {temperature:g} K (from {'--temperature' if t_source == 'flag' else 'the grid header'}"
          + (f"; the header states {float(header_T):g} K" if t_source == "flag" and header_T is not None else "")
          + ")")
    lockin_mV, lockin_msg = _lockin(grid.attrs, args.no_lockin)
    print(lockin_msg)
    scratch = out.with_name(out.name + ".partial")
    try:
        maps = gapmap.fit_map(grid, model=args.model, temperature=temperature, n_gaps=args.gaps,
                              workers=args.workers, scheduler=args.scheduler, rows_per_chunk=args.rows_per_chunk,
                              scratch=scratch, progress=not args.no_progress,
                              background=args.bg_degree if args.bg_degree else False, lockin_mV=lockin_mV,
                              from_current=bool(args.from_current), scheduler_timeout=args.scheduler_timeout,
                              keep_scratch=True)
    except KeyboardInterrupt:
        print(f"\ninterrupted: {_resume_hint(scratch)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, TypeError) as exc:
        print(f"error: {_flagged(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except ConnectionError as exc:          # the scheduler did not answer (engine.dask_client)
        print(f"error: {exc}{' (--scheduler-timeout to wait longer)' if args.scheduler else ''}", file=sys.stderr)
        return EXIT_OUTPUT
    except OSError as exc:
        if exc.filename is not None or exc.errno is not None:   # the scratch store could not be written
            print(f"error: {describe(exc)}; {_resume_hint(scratch)}", file=sys.stderr)
        else:
            print(f"error: the cluster failed ({exc}); {_resume_hint(scratch)}", file=sys.stderr)
        return EXIT_OUTPUT
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: the cluster failed ({exc}); {_resume_hint(scratch)}", file=sys.stderr)
        return EXIT_OUTPUT
    maps.attrs.update(temperature_source=t_source, from_current=int(bool(args.from_current)),
                      lockin=lockin_msg, didv_kind=str(grid.attrs.get("didv_kind", "")))
    try:
        gapmap.write_maps(maps, out, force=bool(args.force))
    except FileExistsError as exc:          # created by someone else while the map was fitted
        print(f"error: --out: {exc}; {_resume_hint(scratch)} (add --force)", file=sys.stderr)
        return EXIT_OUTPUT
    except OSError as exc:
        print(f"error: {describe(exc, out)}; {_resume_hint(scratch)} without refitting", file=sys.stderr)
        return EXIT_OUTPUT
    except KeyboardInterrupt:
        print(f"\ninterrupted while writing {out} (not written); {_resume_hint(scratch)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    shutil.rmtree(scratch, ignore_errors=True)      # the map is written: the chunks are no longer needed
    ok = maps["ok"].values
    good = maps["delta1"].values[ok]
    rate = float(maps.attrs["spectra_per_second"])
    print(f"wrote {out}: {int(ok.sum())}/{ok.size} pixels ok, "
          + (f"{rate:.1f} spectra/s" if np.isfinite(rate) else "every chunk from the earlier run"))
    if good.size:
        print(f"delta1 = {good.mean():.4f} +- {good.std():.4f} meV (mean +- spread over ok pixels), "
              f"range [{good.min():.4f}, {good.max():.4f}] meV")
    if not ok.all():
        codes, counts = np.unique(maps["reason"].values[~ok], return_counts=True)
        print("flagged pixels: " + ", ".join(f"{gapmap.REASONS[int(c)]} {n}" for c, n in zip(codes, counts)))
        if not ok.any():
            print("no pixel has a determined gap (exit code 3)")
        return EXIT_FLAGGED
    return EXIT_OK


def _resume_hint(scratch):
    """How to resume: the finished chunks kept in the scratch folder, or none (then no folder is left)."""
    n = len(list(scratch.glob("chunk_*.npz"))) if scratch.is_dir() else 0
    if n:
        return f"{n} finished chunk(s) are kept in {scratch}/; rerun the same command to resume"
    shutil.rmtree(scratch, ignore_errors=True)      # a key without chunks resumes nothing
    return "no chunk had finished, nothing is kept; rerun the same command to start again"


def _lockin(attrs, no_lockin):
    """(PEAK mV or None, printed line) from the grid's lock-in attributes."""
    if "lockin_peak_mV" not in attrs:
        return None, "lock-in: the header states no lock-in modulation"
    stated = (f"{float(attrs.get('lockin_amplitude_mV', attrs['lockin_peak_mV'])):.4g} mV "
              f"{attrs.get('lockin_kind', 'peak')}")
    peak = float(attrs["lockin_peak_mV"])
    if no_lockin:
        return None, f"lock-in: modulation {stated} not folded in: --no-lockin"
    if not int(attrs.get("lockin_running", 0)) or not peak > 0:
        return None, f"lock-in: modulation {stated} not folded in: the lock-in producing the dI/dV was not running"
    return peak, f"lock-in: modulation {stated} = {peak:.4g} mV peak, folded into the model (--no-lockin to switch off)"
