"""Fit a whole spectroscopic grid on ``dask.distributed`` and write the maps as NetCDF.

The grid is cut into chunks of rows; each chunk is one task running
:func:`nickelates.gapmap.fit.fit_rows` (serpentine warm starts). Workers are
single-threaded processes; a worker plugin compiles (or loads from the numba
cache) the kernels once when the worker starts. ``workers=0`` fits in this
process without Dask (tests, small chapter grids).

Finished chunks are written to a scratch folder next to the output
(``MAPS.nc.partial/``), keyed by a hash of the input and the settings, so a
rerun with the same arguments after an interruption fits only what is missing.
"""
from __future__ import annotations

import contextlib

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from .. import _validate as check
from . import fit as _fit

__all__ = ["ROWS_PER_CHUNK", "fit_map", "write_maps", "pixel_curve"]

#: default number of rows per task
ROWS_PER_CHUNK = 2


def _chunk_task(block, bias, temperature, model, n_gaps):
    return _fit.fit_rows(block, bias, temperature, model, n_gaps)


def _key(grid, model, temperature, n_gaps, rows):
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(grid.values, dtype=np.float64).tobytes())
    h.update(np.ascontiguousarray(grid["bias"].values, dtype=np.float64).tobytes())
    h.update(json.dumps([model, float(temperature), int(n_gaps), int(rows)]).encode())
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


def _scratch_save(scratch, i, out):
    f = scratch / f"chunk_{i:05d}.npz"
    tmp = scratch / f".chunk_{i:05d}.tmp.npz"
    np.savez(tmp, **out)
    os.replace(tmp, f)


def fit_map(grid, *, model="dynes", temperature, n_gaps=1, workers=None, scheduler=None, client=None,
            rows_per_chunk=ROWS_PER_CHUNK, scratch=None, progress=False):
    """Fit every spectrum of a grid; failed pixels are flagged, never fatal.

    Parameters
    ----------
    grid : xarray.DataArray
        Spectra with dims (y, x, bias), bias in mV (e.g. from :func:`~nickelates.gapmap.io.read_grid`).
    model : {"dynes", "btk"}
        Spectrum model.
    temperature : float
        Temperature (K), in (0.05, 300].
    n_gaps : {1, 2}
        Number of gaps.
    workers : int, optional
        Worker processes of a new ``LocalCluster`` (default: one per core);
        0 fits in this process without Dask.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); excludes ``workers``.
    client : distributed.Client, optional
        An existing client (used as is; excludes ``workers`` and ``scheduler``).
    rows_per_chunk : int
        Rows of the grid per task (default 2).
    scratch : str or Path, optional
        Folder for finished chunks (resume after an interruption); removed
        after a complete run. Default: no scratch store.
    progress : bool
        Print a tqdm progress bar with spectra/s to stderr.

    Returns
    -------
    xarray.Dataset
        dims (y, x) with the grid's coordinates (m): ``<name>`` and
        ``<name>_stderr`` for each parameter of
        :func:`~nickelates.gapmap.fit.parameter_names` (gaps and broadenings in
        meV), ``redchi``, ``ok``, ``reason`` (codes in ``attrs["reasons"]``),
        ``nfev``; attributes ``model``, ``temperature_K``, ``n_gaps``,
        ``channel``, ``source``, versions and ``spectra_per_second``.

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
    temperature = check.in_range("temperature", temperature, 0.05, 300.0, lo_open=True)
    n_gaps = check.integer("n_gaps", n_gaps, 1, 2)
    rows = check.integer("rows_per_chunk", rows_per_chunk, 1, 10**6)
    given = [n for n, v in (("workers", workers), ("scheduler", scheduler), ("client", client)) if v is not None]
    if len(given) > 1:
        raise ValueError(f"give at most one of workers, scheduler, client; got {', '.join(given)}")
    if workers is not None:
        workers = check.integer("workers", workers, 0, 1024)
    bias = np.asarray(grid["bias"].values, dtype=float)
    _fit.spectrum_model(bias, temperature, model, n_gaps)           # validates bias and settings early
    data = np.asarray(grid.values, dtype=float)
    ny, nx, _ = data.shape
    starts = list(range(0, ny, rows))
    results = {}
    if scratch is not None:
        scratch = Path(scratch)
        scratch.mkdir(parents=True, exist_ok=True)
        key = _key(grid, model, temperature, n_gaps, rows)
        stamp = scratch / "key.txt"
        if stamp.is_file() and stamp.read_text().strip() != key:
            shutil.rmtree(scratch)
            scratch.mkdir(parents=True)
        stamp.write_text(key)
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
            _scratch_save(scratch, i, out)
        if bar is not None:
            bar.update(out["ok"].size)

    if todo and workers == 0:
        from ..kernels import gapmap as kern
        kern.warm()
        clock["t0"] = time.perf_counter()
        for i in todo:
            done(i, _chunk_task(data[starts[i]:starts[i] + rows], bias, temperature, model, n_gaps))
    elif todo:
        _run_dask(data, bias, starts, rows, todo, (temperature, model, n_gaps), done, workers, scheduler, client,
                  clock)
    elapsed = clock.get("end", time.perf_counter()) - clock["t0"]
    if bar is not None:
        bar.close()
    ds = _assemble(grid, results, starts, model, temperature, n_gaps)
    ds.attrs["spectra_per_second"] = float(fitted / elapsed) if fitted and elapsed > 0 else float("nan")
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    return ds


def _run_dask(data, bias, starts, rows, todo, settings, done, workers, scheduler, client, clock):
    from distributed import as_completed

    from ..engine import dask_client

    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(workers=workers, scheduler=scheduler))
        from ._plugin import WarmKernels
        client.register_plugin(WarmKernels(), name=WarmKernels.name)
        bias_f = client.scatter(bias, broadcast=True)
        clock["t0"] = time.perf_counter()        # spectra/s counts fitting, not the cluster start
        futs = {}
        for i in todo:
            block = data[starts[i]:starts[i] + rows]
            futs[client.submit(_chunk_task, block, bias_f, *settings, pure=False)] = i
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
    names = _fit.parameter_names(model, n_gaps)
    keys = list(results[0].keys())
    full = {k: np.concatenate([results[i][k] for i in range(len(starts))], axis=0) for k in keys}
    units = {n: "meV" for n in names if n.startswith(("delta", "gamma"))}
    units.update({"z": "1", "weight2": "1", "scale": grid.attrs.get("units", "")})
    dims = ("y", "x")
    coords = {c: grid.coords[c] for c in ("y", "x") if c in grid.coords}
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
    path = Path(path)
    force = check.boolean("force", force)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; pass force=True (--force) to replace it")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        maps.to_netcdf(tmp, engine="h5netcdf")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
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
    ny, nx = maps.sizes["y"], maps.sizes["x"]
    iy = check.integer("iy", iy, 0, ny - 1)
    ix = check.integer("ix", ix, 0, nx - 1)
    smodel = _fit.spectrum_model(bias_mV, maps.attrs["temperature_K"], maps.attrs["model"], maps.attrs["n_gaps"])
    p = np.array([float(maps[n].values[iy, ix]) for n in smodel.names])
    if not np.all(np.isfinite(p)):
        return np.full(smodel.bias.size, np.nan)
    return smodel(p)
