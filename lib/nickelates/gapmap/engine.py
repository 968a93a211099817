"""Fit a whole spectroscopic grid on ``dask.distributed`` and write the maps as NetCDF.

The grid is cut into chunks of rows; each chunk is one task running
:func:`nickelates.gapmap.fit.fit_rows` (serpentine warm starts). Workers are
single-threaded processes; a worker plugin compiles (or loads from the numba
cache) the kernels once when the worker starts. ``workers=0`` fits in this
process without Dask (tests, small chapter grids).

Finished chunks are written to a scratch folder next to the output
(``MAPS.nc.partial/``), keyed by a hash of the input and the settings, so a
rerun with the same arguments after an interruption fits only what is missing.

Every pixel the fit calls usable then passes the trust gates of
:mod:`nickelates.trust` (the rule ``fit-btk`` applies to one spectrum): a
pixel not measured (aborted grid), a current channel, negative or clipped
conductance, no gap (ΔBIC against a gapless background), a gap at the edge of
the bias window, Γ ≳ Δ or a high rms residual is flagged with its reason code.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from .. import _atomic
from .. import _validate as check
from . import fit as _fit

__all__ = ["ROWS_PER_CHUNK", "fit_map", "write_maps", "pixel_curve", "gate_block"]

#: default number of rows per task
ROWS_PER_CHUNK = 2


def _chunk_task(block, bias, temperature, model, n_gaps, options=None):
    options = options or {}
    kw = {k: options[k] for k in ("background", "lockin_mV") if options.get(k) not in (None, False)}
    out = _fit.fit_rows(block, bias, temperature, model, n_gaps, **kw)
    if options.get("gates", False):
        gate_block(out, block, bias, model, n_gaps, measured=options.get("measured"),
                   channel=options.get("channel"), from_current=options.get("from_current", False))
    return out


def gate_block(out, block, bias_mV, model="dynes", n_gaps=1, *, measured=None, channel=None, from_current=False):
    """Apply the trust gates of :mod:`nickelates.trust` to the usable pixels of a fitted block (in place).

    Parameters
    ----------
    out : dict
        The result of :func:`~nickelates.gapmap.fit.fit_rows` for ``block``
        (its ``ok`` and ``reason`` arrays are updated).
    block : array_like
        The spectra, shape (rows, x, bias), in the data's units.
    bias_mV : array_like
        Bias points (mV).
    model : {"dynes", "btk"}
        The model that was fitted.
    n_gaps : {1, 2}
        Number of gaps fitted.
    measured : array_like of bool, optional
        Shape (rows, x); False marks pixels never measured (reason ``not_measured``).
    channel : str, optional
        Name of the data channel (a current channel is ``not_a_conductance``).
    from_current : bool
        The data are a numerical derivative of the current.

    Returns
    -------
    dict
        ``out``, with ``ok`` False and ``reason`` set to the first failed gate's
        code for the pixels that fail a gate.

    Raises
    ------
    TypeError
        If ``out`` is not a dict, ``measured`` not a boolean array, ``channel`` not a str.
    ValueError
        If ``block`` is not a finite (rows, x, bias) array or ``out`` does not match its shape.

    Examples
    --------
    >>> import numpy as np
    >>> from nickelates.gapmap import fit
    >>> m = fit.spectrum_model(np.linspace(-5, 5, 61), 2.0)
    >>> block = np.stack([[m([1.0, 0.1, 1.0]), m([4.0, 0.1, 1.0])]])     # the second gap fills the window
    >>> out = fit.fit_rows(block, m.bias, 2.0)
    >>> out["ok"].tolist()
    [[True, True]]
    >>> out = gate_block(out, block, m.bias)
    >>> out["ok"].tolist(), [fit.REASONS[int(r)] for r in out["reason"][0]]
    ([[True, False]], ['ok', 'gap_at_edge'])
    """
    from .. import trust
    if isinstance(block, (str, bytes, dict)) or np.asarray(block).dtype.kind not in "iuf":
        raise TypeError(f"block must be a real (rows, x, bias) array, got {type(block).__name__}")
    block = np.asarray(block, dtype=float)          # NaN pixels allowed: fit_rows flagged them already
    if block.ndim != 3:
        raise ValueError(f"block must be a (rows, x, bias) array, got shape {block.shape}")
    bias = check.real_array("bias_mV", bias_mV, ndim=1)
    ny, nx, nb = block.shape
    check.instance("out", out, dict, "the dict returned by fit_rows")
    for key in ("ok", "reason"):
        if key not in out or np.shape(out[key]) != (ny, nx):
            raise ValueError(f"out must be fit_rows' result for this block: out[{key!r}] of shape {(ny, nx)}, "
                             f"got {np.shape(out[key]) if key in out else 'no such key'}")
    if measured is not None:
        m = np.asarray(measured)
        if m.dtype != bool or m.shape != (ny, nx):
            raise TypeError(f"measured must be a boolean array of shape {(ny, nx)}, got {m.dtype} {m.shape}")
    if channel is not None and not isinstance(channel, str):
        raise TypeError(f"channel must be a str or None, got {type(channel).__name__}")
    from_current = check.boolean("from_current", from_current)
    xb = bias / float(np.max(np.abs(bias)))
    bg_names = sorted((k for k in out if k.startswith("bg") and not k.endswith("_stderr")), key=lambda k: int(k[2:]))
    names = [k for k in out if not k.endswith("_stderr") and k not in ("redchi", "ok", "reason", "nfev")]
    k_par = len(names)
    current = channel is not None and not from_current and trust.is_current_channel(str(channel))
    for iy in range(ny):
        for ix in range(nx):
            if measured is not None and not bool(measured[iy, ix]):
                out["ok"][iy, ix] = False
                out["reason"][iy, ix] = trust.REASON_CODES["not_measured"]
                continue
            if current:
                out["ok"][iy, ix] = False
                out["reason"][iy, ix] = trust.REASON_CODES["not_a_conductance"]
                continue
            if not out["ok"][iy, ix]:
                continue
            gaps = [out[f"delta{i}"][iy, ix] for i in range(1, n_gaps + 1)]
            gammas = [out[f"gamma{i}"][iy, ix] for i in range(1, n_gaps + 1)]
            chisqr = float(out["redchi"][iy, ix]) * max(nb - k_par, 1)
            background = None
            if bg_names:
                background = 1.0 + sum(out[b][iy, ix] * xb ** int(b[2:]) for b in bg_names)
            v = trust.assess(bias, block[iy, ix], gaps=gaps, gammas=gammas, chisqr=chisqr, n_params=k_par,
                             background=background)
            if not v.ok:
                out["ok"][iy, ix] = False
                out["reason"][iy, ix] = v.code
    return out


def _key(grid, model, temperature, n_gaps, rows, options=None):
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(grid.values, dtype=np.float64).tobytes())
    h.update(np.ascontiguousarray(grid["bias"].values, dtype=np.float64).tobytes())
    opts = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in sorted((options or {}).items())}
    h.update(json.dumps([model, float(temperature), int(n_gaps), int(rows), opts], default=str).encode())
    return h.hexdigest()[:16]


def _scratch_load(scratch, i):
    f = scratch / f"chunk_{i:05d}.npz"
    if not f.is_file():
        return None
    try:
        with np.load(f) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError):
        return None


def _scratch_open(scratch, key):
    """Create the scratch folder and its key with the first finished chunk (never left empty)."""
    if not (scratch / "key.txt").is_file():
        created = not scratch.exists()
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            _atomic.write_text(scratch / "key.txt", key, force=True)
        except BaseException:               # full disk or Ctrl-C: no empty folder left behind
            if created:
                shutil.rmtree(scratch, ignore_errors=True)
            raise


def _scratch_save(scratch, i, out):
    buf = io.BytesIO()
    np.savez(buf, **out)
    _atomic.write_bytes(scratch / f"chunk_{i:05d}.npz", buf.getvalue(), force=True)


def fit_map(grid, *, model="dynes", temperature, n_gaps=1, workers=None, scheduler=None, client=None,
            rows_per_chunk=ROWS_PER_CHUNK, scratch=None, progress=False, background=False, lockin_mV=None,
            gates=True, from_current=False, scheduler_timeout=None, keep_scratch=False):
    """Fit every spectrum of a grid; failed pixels are flagged, never fatal.

    Parameters
    ----------
    grid : xarray.DataArray
        Spectra with dims (y, x, bias), bias in mV (e.g. from :func:`~nickelates.gapmap.io.read_grid`).
    model : {"dynes", "btk"}
        Spectrum model.
    temperature : float
        Temperature (K), in [0.01, 300].
    n_gaps : {1, 2}
        Number of gaps.
    workers : int, optional
        Worker processes of a new ``LocalCluster`` (default: one per core);
        0 fits in this process without Dask.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); excludes ``workers``.
    scheduler_timeout : float, optional
        Seconds to wait for that scheduler to answer, in (0, 3600] (default
        :data:`nickelates.engine.SCHEDULER_TIMEOUT`); a ``ConnectionError`` after that.
    client : distributed.Client, optional
        An existing client (used as is; excludes ``workers`` and ``scheduler``).
    rows_per_chunk : int
        Rows of the grid per task (default 2).
    scratch : str or Path, optional
        Folder for finished chunks (resume after an interruption); created with
        the first finished chunk (never left empty, e.g. when the scheduler does
        not answer), removed after a complete run. Default: no scratch store.
    keep_scratch : bool
        Keep the scratch folder after a complete run (the caller removes it once
        the maps are safely written; ``fit-map`` does).
    progress : bool
        Print a tqdm progress bar with spectra/s to stderr.
    background : bool or int
        Polynomial normal-state background fitted per pixel (True: degree 2,
        fit-btk's default; see :func:`~nickelates.gapmap.fit.spectrum_model`).
    lockin_mV : float, optional
        PEAK lock-in modulation (mV) folded into the model.
    gates : bool
        Apply the trust gates (:func:`gate_block`) to every usable pixel (default True).
    from_current : bool
        The grid is a numerical derivative of the current (``read_grid(..., from_current=True)``).

    Returns
    -------
    xarray.Dataset
        dims (y, x) with the grid's coordinates (m): ``<name>`` and
        ``<name>_stderr`` for each parameter of
        :func:`~nickelates.gapmap.fit.parameter_names` (gaps and broadenings in
        meV), ``redchi``, ``ok``, ``reason`` (codes in ``attrs["reasons"]``),
        ``nfev``; attributes ``model``, ``temperature_K``, ``n_gaps``,
        ``channel``, ``source``, versions, ``spectra_per_second``, ``background_degree``,
        ``lockin_peak_mV_used`` (0 when none), ``gates`` (JSON of the thresholds, "" when off).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nickelates.gapmap import fit
    >>> m = fit.spectrum_model(np.linspace(-5, 5, 61), 2.0)
    >>> cube = np.array([[m([d, 0.1, 1.0]) for d in (0.8, 1.0, 1.2)]] * 2)
    >>> grid = xr.DataArray(cube, dims=("y", "x", "bias"), coords={"bias": m.bias})
    >>> maps = fit_map(grid, temperature=2.0, workers=0)
    >>> maps["delta1"].dims, np.round(maps["delta1"].values[0], 3).tolist(), bool(maps["ok"].all())
    (('y', 'x'), [0.8, 1.0, 1.2], True)
    """
    import xarray as xr
    if not isinstance(grid, xr.DataArray) or set(grid.dims) != {"y", "x", "bias"}:
        raise TypeError("grid must be an xarray.DataArray with dims (y, x, bias)")
    grid = grid.transpose("y", "x", "bias")
    model = check.choice("model", model, _fit.MODELS)
    temperature = check.in_range("temperature", temperature, getattr(_fit, "T_MIN", 0.01), 300.0)
    n_gaps = check.integer("n_gaps", n_gaps, 1, 2)
    rows = check.integer("rows_per_chunk", rows_per_chunk, 1, 10**6)
    given = [n for n, v in (("workers", workers), ("scheduler", scheduler), ("client", client)) if v is not None]
    if len(given) > 1:
        raise ValueError(f"give at most one of workers, scheduler, client; got {', '.join(given)}")
    if workers is not None:
        workers = check.integer("workers", workers, 0, 1024)
    gates = check.boolean("gates", gates)
    progress = check.boolean("progress", progress)
    keep_scratch = check.boolean("keep_scratch", keep_scratch)
    if scheduler_timeout is not None:
        scheduler_timeout = check.in_range("scheduler_timeout", scheduler_timeout, 0.0, 3600.0, lo_open=True)
    if client is not None:
        from distributed import Client

        check.instance("client", client, Client, "a distributed.Client")
    from_current = check.boolean("from_current", from_current)
    bias = np.asarray(grid["bias"].values, dtype=float)
    kw = {k: v for k, v in (("background", background), ("lockin_mV", lockin_mV)) if v not in (None, False)}
    smodel = _fit.spectrum_model(bias, temperature, model, n_gaps, **kw)   # validates bias and settings early
    options = dict(kw, gates=gates, from_current=from_current, channel=grid.attrs.get("channel"))
    measured = None
    if "measured" in grid.coords:          # not measured = after the last measured pixel (an aborted grid);
        m = np.asarray(grid.coords["measured"].transpose("y", "x").values, dtype=bool).ravel()
        last = int(np.flatnonzero(m)[-1]) if m.any() else -1      # a NaN pixel before it stays bad_data
        measured = (np.arange(m.size) <= last).reshape(grid.sizes["y"], grid.sizes["x"])
    data = np.asarray(grid.values, dtype=float)
    ny, nx, _ = data.shape
    starts = list(range(0, ny, rows))
    results = {}
    key = None
    if scratch is not None:
        scratch = Path(scratch)
        key = _key(grid, model, temperature, n_gaps, rows, options)
        stamp = scratch / "key.txt"
        if scratch.is_dir() and not (stamp.is_file() and stamp.read_text().strip() == key):
            shutil.rmtree(scratch)              # another input or other settings (or no key): start afresh
        elif scratch.is_dir():
            for i, _s in enumerate(starts):
                got = _scratch_load(scratch, i)
                if got is not None:
                    results[i] = got
    todo = [i for i in range(len(starts)) if i not in results]
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=ny * nx, initial=sum(min(rows, ny - starts[i]) * nx for i in results),
                   unit="spectra", desc="fit-map")
    fitted = 0
    clock = {"t0": time.perf_counter()}

    def done(i, out):
        nonlocal fitted
        results[i] = out
        fitted += out["ok"].size
        if scratch is not None:
            _scratch_open(scratch, key)
            _scratch_save(scratch, i, out)
        if bar is not None:
            bar.update(out["ok"].size)

    try:
        if todo and workers == 0:
            from ..kernels import gapmap as kern
            kern.warm()
            clock["t0"] = time.perf_counter()
            for i in todo:
                done(i, _chunk_task(data[starts[i]:starts[i] + rows], bias, temperature, model, n_gaps,
                                    _chunk_options(options, measured, starts[i], rows)))
        elif todo:
            _run_dask(data, bias, starts, rows, todo, (temperature, model, n_gaps), done, workers, scheduler,
                      client, clock, options, measured, scheduler_timeout)
    finally:                                # the bar is closed before any message of the caller
        if bar is not None:
            bar.close()
    elapsed = clock.get("end", time.perf_counter()) - clock["t0"]
    ds = _assemble(grid, results, starts, model, temperature, n_gaps)
    ds.attrs["background_degree"] = int(smodel.background_degree) if hasattr(smodel, "background_degree") else 0
    ds.attrs["lockin_peak_mV_used"] = float(lockin_mV or 0.0)
    if gates:
        from .. import trust
        ds.attrs["gates"] = json.dumps(trust.thresholds())
    else:
        ds.attrs["gates"] = ""
    ds.attrs["spectra_per_second"] = float(fitted / elapsed) if fitted and elapsed > 0 else float("nan")
    if scratch is not None and not keep_scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    return ds


def _chunk_options(options, measured, start, rows):
    if measured is None:
        return options
    return dict(options, measured=measured[start:start + rows])


def _run_dask(data, bias, starts, rows, todo, settings, done, workers, scheduler, client, clock, options=None,
              measured=None, scheduler_timeout=None):
    from distributed import as_completed

    from ..engine import SCHEDULER_TIMEOUT, dask_client

    with contextlib.ExitStack() as stack:
        if client is None:
            timeout = SCHEDULER_TIMEOUT if scheduler_timeout is None else scheduler_timeout
            client = stack.enter_context(dask_client(workers=workers, scheduler=scheduler, timeout=timeout))
        from ._plugin import WarmKernels
        client.register_plugin(WarmKernels(), name=WarmKernels.name)
        bias_f = client.scatter(bias, broadcast=True)
        clock["t0"] = time.perf_counter()        # spectra/s counts fitting, not the cluster start
        futs = {}
        for i in todo:
            block = data[starts[i]:starts[i] + rows]
            futs[client.submit(_chunk_task, block, bias_f, *settings,
                               _chunk_options(options or {}, measured, starts[i], rows), pure=False)] = i
        for fut in as_completed(futs):
            done(futs[fut], fut.result())
        clock["end"] = time.perf_counter()


def _assemble(grid, results, starts, model, temperature, n_gaps):
    import dask
    import distributed
    from importlib.metadata import version
    import numba
    import scipy
    import xarray as xr

    from .. import __version__ as nk_version
    keys = list(results[0].keys())
    names = [k for k in keys if not k.endswith("_stderr") and k not in ("redchi", "ok", "reason", "nfev")]
    full = {k: np.concatenate([results[i][k] for i in range(len(starts))], axis=0) for k in keys}
    units = {n: "meV" for n in names if n.startswith(("delta", "gamma"))}
    units.update({"z": "1", "weight2": "1", "scale": grid.attrs.get("units", "")})
    units.update({n: "1" for n in names if n.startswith("bg")})
    dims = ("y", "x")
    coords = {c: grid.coords[c] for c in ("y", "x") if c in grid.coords}
    if "measured" in grid.coords:
        coords["measured"] = (dims, np.asarray(grid.coords["measured"].values, dtype=bool))
    data_vars = {}
    for n in names:
        data_vars[n] = (dims, full[n], {"units": units[n]})
        data_vars[n + "_stderr"] = (dims, full[n + "_stderr"], {"units": units[n], "long_name": f"one-sigma error of {n}"})
    data_vars["redchi"] = (dims, full["redchi"], {"long_name": "reduced chi-square (data units squared)"})
    data_vars["ok"] = (dims, full["ok"].astype(bool), {"long_name": "fit usable: converged, inside bounds, gap found"})
    codes = sorted(_fit.REASONS)
    data_vars["reason"] = (dims, full["reason"].astype(np.int8),
                           {"flag_values": np.array(codes, np.int8),
                            "flag_meanings": " ".join(_fit.REASONS[c] for c in codes)})
    data_vars["nfev"] = (dims, full["nfev"].astype(np.int32), {"long_name": "model evaluations"})
    attrs = {"model": model, "temperature_K": float(temperature), "n_gaps": int(n_gaps),
             "channel": str(grid.attrs.get("channel", grid.name or "")),
             "source": str(grid.attrs.get("source", "")),
             "reasons": json.dumps({str(k): v for k, v in _fit.REASONS.items()}),
             "versions": json.dumps({"nickelates": nk_version, "numpy": np.__version__, "scipy": scipy.__version__,
                                     "numba": numba.__version__, "xarray": xr.__version__, "dask": dask.__version__,
                                     "distributed": distributed.__version__,
                                     "nanonispy2": version("nanonispy2"), "h5netcdf": version("h5netcdf")}),
             "bias_min_mV": float(grid["bias"].min()), "bias_max_mV": float(grid["bias"].max()),
             "n_bias": int(grid.sizes["bias"])}
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def write_maps(maps, path, force=False):
    """Write a map Dataset to NetCDF (h5netcdf engine) atomically.

    Parameters
    ----------
    maps : xarray.Dataset
        From :func:`fit_map`.
    path : str or Path
        Output ``.nc`` file.
    force : bool
        Replace an existing file (default False: raise ``FileExistsError``).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``force`` is False.
    TypeError
        If ``maps`` is not a Dataset, ``path`` not a path or ``force`` not a bool.
    OSError
        If the file cannot be written (missing or read-only folder, full disk): the
        temporary file is removed and an earlier ``path`` is unchanged.

    Examples
    --------
    >>> import numpy as np, xarray as xr, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "m.nc")
    >>> ds = xr.Dataset({"delta1": (("y", "x"), np.ones((2, 2)))})
    >>> write_maps(ds, p).name
    'm.nc'
    >>> float(xr.load_dataset(p)["delta1"].sum())
    4.0
    """
    import xarray as xr

    check.instance("maps", maps, xr.Dataset, "an xarray.Dataset")
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path, got {type(path).__name__}")
    path = Path(path)
    force = check.boolean("force", force)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; pass force=True (--force) to replace it")
    # HDF5 builds the file in memory, and plain Python writes the bytes: a full disk then raises
    # OSError cleanly (HDF5 writing to a file that stops growing leaves objects that crash at exit)
    payload = maps.to_netcdf(engine="h5netcdf")
    _atomic.write_bytes(path, payload, force=force)
    return path


def pixel_curve(maps, bias_mV, iy, ix):
    """The fitted model of one pixel of a map, evaluated at ``bias_mV``.

    Parameters
    ----------
    maps : xarray.Dataset
        From :func:`fit_map` (its attributes give the model, temperature and gaps).
    bias_mV : array_like
        Bias points (mV), at least 8.
    iy, ix : int
        Pixel indices (row, column).

    Returns
    -------
    ndarray
        The model conductance in the units of the data; NaN everywhere for a
        pixel whose fit failed (``ok`` False with NaN values).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nickelates.gapmap import fit
    >>> m = fit.spectrum_model(np.linspace(-5, 5, 61), 2.0)
    >>> grid = xr.DataArray(m([1.0, 0.1, 1.0])[None, None], dims=("y", "x", "bias"), coords={"bias": m.bias})
    >>> maps = fit_map(grid, temperature=2.0, workers=0)
    >>> bool(np.allclose(pixel_curve(maps, m.bias, 0, 0), grid.values[0, 0], atol=1e-6))
    True
    """
    import xarray as xr

    check.instance("maps", maps, xr.Dataset, "an xarray.Dataset from fit_map")
    ny, nx = maps.sizes["y"], maps.sizes["x"]
    iy = check.integer("iy", iy, 0, ny - 1)
    ix = check.integer("ix", ix, 0, nx - 1)
    kw = {}
    if int(maps.attrs.get("background_degree", 0)):
        kw["background"] = int(maps.attrs["background_degree"])
    if float(maps.attrs.get("lockin_peak_mV_used", 0.0)) > 0:
        kw["lockin_mV"] = float(maps.attrs["lockin_peak_mV_used"])
    smodel = _fit.spectrum_model(bias_mV, maps.attrs["temperature_K"], maps.attrs["model"], maps.attrs["n_gaps"],
                                 **kw)
    p = np.array([float(maps[n].values[iy, ix]) for n in smodel.names])
    if not np.all(np.isfinite(p)):
        return np.full(smodel.bias.size, np.nan)
    return smodel(p)
