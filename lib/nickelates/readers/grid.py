"""Spectroscopic grids: Nanonis ``.3ds`` files (own parser, memory-mapped) and NetCDF/HDF5 cubes.

A grid is an :class:`xarray.DataArray` with dims ``(y, x, bias)``: ``x`` and
``y`` in metres (pixel centres of the frame; the frame angle is in
``attrs["angle_deg"]``), ``bias`` in mV, a boolean coordinate ``measured``
(dims ``y, x``) and NetCDF-safe attributes: ``channel``, ``units``,
``source``, ``channels``, ``didv_kind`` ("lockin", "conductance",
"numerical_derivative" or "unknown"), ``sweep_signal``, and when the header
states them ``temperature_K``, ``lockin_amplitude_mV``, ``lockin_peak_mV``,
``lockin_kind`` ("peak"/"rms"), ``lockin_running`` (0/1), plus
``fwd_bwd_rms`` when forward and backward sweeps were averaged and
``notes``.

``.3ds`` files are parsed here (:func:`~nickelates.readers.nanonis.parse_3ds_header`):
only the layout keys are required, so the 2016 header without
``Delay before measuring (s)`` reads. The payload is memory-mapped and only
the chosen channel is copied (as float64): a 256 x 256 x 201 grid holds one
copy of its channel in memory. An **aborted grid** (payload a whole number of
pixels short of the header's grid) reads its finished pixels; the others are
NaN with ``measured=False``; a payload that ends inside a pixel is refused
as truncated. A sweep that is not a bias (``Z (m)``) is refused naming it;
a multi-segment bias sweep (``Sweep mode=MLS``) gets its segments' bias
points. Without a lock-in channel the grid is refused (a current is not a
conductance) unless ``from_current=True`` (Savitzky-Golay derivative along
the bias, :func:`~nickelates.readers.channels.savgol_derivative`).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from .. import _validate as check
from . import channels as chn
from .formats import GridFileError, sniff
from .metadata import lockin_from_header, temperature_from_header
from .nanonis import HEADER_END, mls_bias, mls_segments, parse_3ds_header

__all__ = ["HEADER_END", "CUBE_SUFFIXES", "GridFileError", "default_channel", "read_3ds", "write_3ds",
           "atomic_write_bytes", "read_grid"]

#: suffixes read through xarray
CUBE_SUFFIXES = (".nc", ".h5", ".hdf5", ".nc4")
_UNIT_TO_MV = {"V": 1e3, "mV": 1.0}
_HEADER_PROBE = 1 << 16


def default_channel(channels):
    """The lock-in X channel among Nanonis channel names (the dI/dV signal by default).

    Every Nanonis spelling counts (``LI Demod n X``, ``LIX n omega``,
    ``LI X``, ``LockinX``, ``LockIn``; :func:`~nickelates.readers.channels.channel_kind`);
    backward (``[bwd]``) and filtered channels are skipped; the Nanonis
    lock-in's own outputs come before an external lock-in's.

    Parameters
    ----------
    channels : sequence of str
        Channel names as in the file header, e.g. ``"LI Demod 1 X (A)"``.

    Returns
    -------
    str or None
        The channel's name, else ``None``.

    Examples
    --------
    >>> default_channel(["Current (A)", "LI Demod 1 X (A)", "LI Demod 1 Y (A)"])
    'LI Demod 1 X (A)'
    >>> default_channel(["Current (A)", "LockinX (V)", "LockinY (V)"]), default_channel(["Current (A)"])
    ('LockinX (V)', None)
    """
    check.instance("channels", channels, (list, tuple), "a sequence of channel names")
    for c in channels:
        check.instance("channels[i]", c, str, "a channel name (str)")
    found = [c for c in channels if chn.channel_kind(c) == "lockin"
             and not chn.parse_channel(c).bwd and not chn.parse_channel(c).filt]
    internal = [c for c in found if re.match(r"\s*(LI\s*Demod|LIX|LI\s+X)", c, re.IGNORECASE)]
    return (internal or found or [None])[0]


def _unit(name):
    m = re.search(r"\(([^)]*)\)\s*$", name)
    return m.group(1) if m else ""


def _read_header(path, name):
    with open(path, "rb") as fh:
        raw = fh.read(_HEADER_PROBE)
        while HEADER_END.encode() not in raw:
            more = fh.read(_HEADER_PROBE)
            if not more:
                break
            raw += more
    return parse_3ds_header(raw, name)


def _resolve_channel(channels, channel, name, from_current):
    if channel is not None:
        chan = next((c for c in channels if c == channel or c.split(" (")[0] == channel), None)
        if chan is None:
            raise GridFileError(f"{name}: channel {channel!r} not in the file; channels: {channels}")
        return chan, ("numerical_derivative" if from_current else "unknown")
    if from_current:
        cur = [c for c in channels if chn.channel_kind(c) == "current" and not chn.parse_channel(c).bwd]
        if not cur:
            raise GridFileError(f"{name}: --from-current: no current channel among {channels}")
        return next((c for c in cur if chn.parse_channel(c).base.lower() == "current"), cur[0]), "numerical_derivative"
    chan = default_channel(channels)
    if chan is None:
        cur = [c for c in channels if chn.channel_kind(c) == "current" and not chn.parse_channel(c).bwd]
        hint = (f"; the current {cur[0]!r} is not a conductance: use --from-current (from_current=True) for its "
                f"Savitzky-Golay derivative, or choose a channel with channel=") if cur else "; choose one with channel="
        raise GridFileError(f"{name}: no lock-in X channel among {channels}{hint}")
    return chan, "lockin"


def read_3ds(path, channel=None, *, from_current=False, sg_window_mV=None):
    """Read a Nanonis grid-spectroscopy ``.3ds`` file as a (y, x, bias) DataArray.

    Parameters
    ----------
    path : str or Path
        The ``.3ds`` file.
    channel : str, optional
        Channel name as in the header (with or without the unit, e.g.
        ``"LI Demod 1 X"``); default the lock-in X channel (:func:`default_channel`),
        averaged with its ``[bwd]`` partner when there is one.
    from_current : bool, optional
        dI/dV as the Savitzky-Golay derivative of the current channel (or of ``channel``).
    sg_window_mV : float, optional
        Savitzky-Golay window (mV); default 1 % of the points, at least 5.

    Returns
    -------
    xarray.DataArray
        dims ``(y, x, bias)``; attributes and the ``measured`` coordinate as in
        the module docstring.

    Raises
    ------
    GridFileError
        Missing file, header without a layout key (named) or the end tag,
        missing channel, no lock-in channel (suggests ``--from-current``), a
        sweep that is not a bias (named), a payload ending inside a pixel.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "g.3ds")
    >>> write_3ds(p, np.ones((2, 3, 8)), np.linspace(-4, 4, 8), size_m=(3e-9, 2e-9))
    >>> da = read_3ds(p)
    >>> da.dims, da.shape, float(da.bias[0]), da.attrs["channel"], bool(da.measured.all())
    (('y', 'x', 'bias'), (2, 3, 8), -4.0, 'LI Demod 1 X (A)', True)
    """
    import xarray as xr

    from_current = check.boolean("from_current", from_current)
    if sg_window_mV is not None:
        sg_window_mV = check.positive("sg_window_mV", sg_window_mV)
    check.instance("path", path, (str, os.PathLike), "a file path (str or os.PathLike)")
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise GridFileError(f"{name}: no such file")
    hdr = _read_header(path, name)
    meta = hdr["meta"]
    nx, ny, npar, npts = hdr["nx"], hdr["ny"], hdr["npar"], hdr["points"]
    channels = hdr["channels"]
    sweep = hdr["sweep"]
    unit = _unit(sweep)
    per_pixel = npar + npts * len(channels)
    size = os.path.getsize(path)
    payload = size - hdr["offset"]
    if unit not in _UNIT_TO_MV or not chn.is_bias(sweep):
        done = min(payload // (per_pixel * 4), nx * ny)
        raise GridFileError(f"{name}: sweep signal is {sweep}, not a bias: a grid of "
                            f"{sweep.split(' (')[0]} spectroscopy, not of dI/dV(V) spectra ({done} of {nx * ny} "
                            f"pixels measured)")
    chan, kind = _resolve_channel(channels, channel, name, from_current)
    expected = nx * ny * per_pixel * 4
    npix = nx * ny
    notes = []
    if payload % (per_pixel * 4) and payload < expected:
        raise GridFileError(f"{name}: truncated payload: {payload} bytes for {nx} x {ny} pixels of "
                            f"{per_pixel} float32 values ({expected} bytes expected): the file ends inside a pixel")
    n_done = min(payload // (per_pixel * 4), npix)
    if n_done == 0:
        raise GridFileError(f"{name}: no measured pixel (payload {payload} bytes, {per_pixel * 4} per pixel)")
    if n_done < npix:
        notes.append(f"aborted grid: {n_done} of {npix} pixels measured; the others are NaN (measured=False)")
    k = channels.index(chan)
    base = chn.parse_channel(chan)
    partner = None
    if channel is None and not base.bwd:
        partner = next((j for j, c in enumerate(channels) if chn.parse_channel(c).bwd
                        and chn.parse_channel(c).base == base.base and not chn.parse_channel(c).filt
                        and chn.parse_channel(c).repeat == base.repeat), None)
    mm = np.memmap(path, dtype=">f4", mode="r", offset=hdr["offset"], shape=(n_done, per_pixel))
    try:
        data = np.full((npix, npts), np.nan)
        a = npar + k * npts
        np.copyto(data[:n_done], mm[:, a:a + npts], casting="unsafe")
        fb = None
        if partner is not None:
            pb = npar + partner * npts
            num = den = 0.0
            for r0 in range(0, n_done, 4096):
                f = data[r0:min(r0 + 4096, n_done)]
                bwd = np.asarray(mm[r0:r0 + f.shape[0], pb:pb + npts], dtype=np.float64)
                ok = np.isfinite(f) & np.isfinite(bwd)
                num += float(np.sum((f - bwd)[ok] ** 2))
                den += float(np.sum(((f + bwd) / 2)[ok] ** 2))
                f += bwd
                f *= 0.5
            fb = float(np.sqrt(num / den)) if den > 0 else float("nan")
            notes.append(f"averaged the backward sweep {channels[partner]!r} with {chan!r}; "
                         f"rms(fwd - bwd) / rms(mean) = {fb:.3g}")
        names = hdr["fixed"] + hdr["experiment"]
        p0 = np.asarray(mm[0, :npar], dtype=np.float64)
    finally:
        del mm
    fixed = dict(zip(names, p0))
    segs = mls_segments(meta)
    if segs is not None and sum(s[2] for s in segs) == npts:
        sweep_values = mls_bias(segs) * _UNIT_TO_MV[unit]
        notes.append(f"multi-segment sweep: {len(segs)} segments")
    else:
        start = fixed.get("Sweep Start", meta.get("Bias Spectroscopy>Sweep Start (V)"))
        end = fixed.get("Sweep End", meta.get("Bias Spectroscopy>Sweep End (V)"))
        try:
            sweep_values = np.linspace(float(start), float(end), npts) * _UNIT_TO_MV[unit]
        except (TypeError, ValueError):
            raise GridFileError(f"{name}: no Sweep Start/Sweep End parameters to place the {npts} sweep points") from None
    data = data.reshape(ny, nx, npts)
    measured = np.zeros(npix, dtype=bool)
    measured[:n_done] = True
    measured = measured.reshape(ny, nx) & ~np.all(np.isnan(data), axis=2)
    if kind == "numerical_derivative":
        order = np.argsort(sweep_values)
        if not np.array_equal(order, np.arange(npts)) and not np.array_equal(order, np.arange(npts)[::-1]):
            raise GridFileError(f"{name}: --from-current needs a monotonic sweep")
        sgn = 1.0 if sweep_values[-1] > sweep_values[0] else -1.0
        try:
            d, w = chn.savgol_derivative(sgn * sweep_values, data, sg_window_mV, axis=2)
        except ValueError as exc:
            raise GridFileError(f"{name}: --from-current: {exc}") from None
        data = d * sgn
        notes.append(f"dI/dV = Savitzky-Golay derivative of {chan!r} along the bias (scipy.signal.savgol_filter, "
                     f"order {chn.SAVGOL_ORDER}, window {w} points)")
    cx, cy = hdr["center"]
    sx, sy = hdr["size"]
    x = cx - sx / 2 + (np.arange(nx) + 0.5) * sx / nx
    y = cy - sy / 2 + (np.arange(ny) + 0.5) * sy / ny
    attrs = {"channel": chan, "units": _unit(chan) + ("/mV" if kind == "numerical_derivative" else ""),
             "source": name, "angle_deg": float(hdr["angle"]), "channels": ";".join(channels),
             "didv_kind": kind, "sweep_signal": sweep, "n_measured": int(measured.sum())}
    t = temperature_from_header(meta)
    if t is not None:
        attrs["temperature_K"] = float(t[0])
        notes.append(f"temperature {t[0]:g} K from the header ({t[1]})")
    li = lockin_from_header(meta, chan)
    if li is not None:
        attrs.update(lockin_amplitude_mV=li.amplitude_mV, lockin_peak_mV=li.peak_mV, lockin_kind=li.kind,
                     lockin_running=int(li.running and kind != "numerical_derivative"), lockin_source=li.source)
    if fb is not None:
        attrs["fwd_bwd_rms"] = fb
    if notes:
        attrs["notes"] = "; ".join(notes)
    return xr.DataArray(
        data, dims=("y", "x", "bias"),
        coords={"y": ("y", y, {"units": "m"}), "x": ("x", x, {"units": "m"}),
                "bias": ("bias", sweep_values, {"units": "mV", "long_name": sweep}),
                "measured": (("y", "x"), measured)},
        attrs=attrs)


def write_3ds(path, data, bias_mV, *, size_m=(1e-8, 1e-8), center_m=(0.0, 0.0),
              channels=("Current (A)", "LI Demod 1 X (A)"), channel="LI Demod 1 X (A)", comment="",
              extra=None, header=None, legacy_header=False, n_measured=None, sweep_signal="Bias (V)", force=False):
    """Write a grid as a Nanonis ``.3ds`` file (header + big-endian float32 payload).

    For synthetic grids and tests. Each pixel holds the fixed parameters
    ``Sweep Start``/``Sweep End`` (V), the experiment parameters ``X (m)``,
    ``Y (m)``, ``Z (m)``, then every channel's sweep; ``data`` goes into
    ``channel``, the other channels get zeros (or ``extra``).

    Parameters
    ----------
    path : str or Path
        Output file (written atomically).
    data : array_like
        Spectra, shape (y, x, bias).
    bias_mV : array_like
        Bias points (mV), uniformly spaced as Nanonis sweeps are.
    size_m, center_m : tuple of float
        Frame size (two positive lengths) and centre (two finite coordinates), in m.
    channels : sequence of str
        Channel names of the header.
    channel : str
        Which of ``channels`` holds ``data``.
    comment : str
        Header comment.
    extra : dict, optional
        ``{channel name: (y, x, bias) array}`` for other channels.
    header : dict, optional
        More header entries ``{key: value}`` (e.g. ``"Lock-in>Amplitude": "1E-3"``).
    legacy_header : bool, optional
        Write the 2016 header (no ``Delay before measuring``, ``Start time``,
        ``End time``, ``Comment``; a ``Date`` instead).
    n_measured : int, optional
        Write only the first ``n_measured`` pixels (an aborted grid).
    sweep_signal : str, optional
        The sweep signal's name (``"Bias (V)"``; ``"Z (m)"`` for a Z grid).
    force : bool, optional
        Replace an existing ``path`` (default False).

    Returns
    -------
    None

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``force`` is False.
    TypeError
        If ``size_m`` or ``center_m`` is not a pair of real numbers, ``extra`` or ``header``
        not a dict, or ``force`` not a bool.
    ValueError
        If a size is not positive and finite, a centre not finite, or the data do not fit.
    OSError
        If the file cannot be written (full disk): no temporary is left, an earlier file is unchanged.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "g.3ds")
    >>> write_3ds(p, np.ones((1, 1, 8)), np.linspace(-1, 1, 8))
    >>> os.path.getsize(p) > 8 * 4
    True
    """
    force = check.boolean("force", force)
    if extra is not None:
        check.instance("extra", extra, dict, "a dict {channel name: (y, x, bias) array}")
    if header is not None:
        check.instance("header", header, dict, "a dict {key: value}")
    size_m = _pair("size_m", size_m, positive=True)
    center_m = _pair("center_m", center_m, positive=False)
    data = check.finite_array("data", data, ndim=3)
    bias = check.finite_array("bias_mV", bias_mV, ndim=1)
    if data.shape[2] != bias.size:
        raise ValueError(f"data must have {bias.size} bias points on its last axis, got {data.shape[2]}")
    channels = list(channels)
    if channel not in channels:
        raise ValueError(f"channel must be one of {channels}, got {channel!r}")
    ny, nx, nb = data.shape
    if n_measured is not None:
        n_measured = check.integer("n_measured", n_measured, 1, nx * ny)
    fixed, exp = ["Sweep Start", "Sweep End"], ["X (m)", "Y (m)", "Z (m)"]
    npar = len(fixed) + len(exp)
    lines = [
        f'Grid dim="{nx} x {ny}"',
        f"Grid settings={center_m[0]:.6E};{center_m[1]:.6E};{size_m[0]:.6E};{size_m[1]:.6E};0.000000E+0",
        f'Sweep Signal="{sweep_signal}"',
        f'Fixed parameters="{";".join(fixed)}"',
        f'Experiment parameters="{";".join(exp)}"',
        f"# Parameters (4 byte)={npar}",
        f"Experiment size (bytes)={nb * len(channels) * 4}",
        f"Points={nb}",
        f'Channels="{";".join(channels)}"']
    if legacy_header:
        lines += ["Experiment=Experiment", 'Date="04.06.2016 20:13:23"', "User="]
    else:
        lines += ["Delay before measuring (s)=0.000000E+0", 'Experiment="Grid Spectroscopy"',
                  'Start time="01.12.2026 00:00:00"', 'End time="01.12.2026 00:00:00"', "User=",
                  f"Comment={comment}"]
    lines += [f"{k}={v}" for k, v in (header or {}).items()]
    text = "\r\n".join(lines + [HEADER_END, ""])
    pix = np.zeros((ny, nx, npar + nb * len(channels)), dtype=">f4")
    scale = 1e-3 if _unit(sweep_signal) == "V" else 1.0
    pix[..., 0], pix[..., 1] = bias[0] * scale, bias[-1] * scale
    xs = center_m[0] - size_m[0] / 2 + (np.arange(nx) + 0.5) * size_m[0] / nx
    ys = center_m[1] - size_m[1] / 2 + (np.arange(ny) + 0.5) * size_m[1] / ny
    pix[..., 2] = xs[None, :]
    pix[..., 3] = ys[:, None]
    for name, cube in [(channel, data), *(extra or {}).items()]:
        if name not in channels:
            raise ValueError(f"extra channel {name!r} is not one of {channels}")
        k = channels.index(name)
        pix[..., npar + k * nb: npar + (k + 1) * nb] = check.finite_array(f"extra[{name!r}]", cube, ndim=3)
    flat = pix.reshape(nx * ny, -1)
    if n_measured is not None:
        flat = flat[:n_measured]
    atomic_write_bytes(path, text.encode() + flat.tobytes(), force=force)


def _pair(name, value, *, positive):
    """Two finite real numbers (lengths in m); ``positive`` asks for sizes > 0."""
    if isinstance(value, (str, bytes, dict, set)) or value is None or not hasattr(value, "__len__"):
        raise TypeError(f"{name} must be a pair of real numbers (m), got {type(value).__name__} {value!r:.60}")
    if len(value) != 2:
        raise ValueError(f"{name} must be a pair of real numbers (m), got {len(value)} entries")
    if positive:
        return tuple(check.positive(f"{name}[{k}]", v) for k, v in enumerate(value))
    return tuple(check.finite(f"{name}[{k}]", v) for k, v in enumerate(value))


def atomic_write_bytes(path, payload, *, force=False):
    """Write bytes to ``path`` through a fsync-ed temporary file in the same folder and an atomic rename.

    Parameters
    ----------
    path : str or Path
        Destination.
    payload : bytes
        Content.
    force : bool, optional
        Replace an existing ``path`` (default False).

    Returns
    -------
    None

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``force`` is False.
    TypeError
        If ``payload`` is not bytes, ``path`` not a path or ``force`` not a bool.
    OSError
        If it cannot be written (full disk): the temporary is removed, an earlier file is unchanged.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.bin")
    >>> atomic_write_bytes(p, b"abc"); open(p, "rb").read()
    b'abc'
    >>> atomic_write_bytes(p, b"xyz", force=True); open(p, "rb").read()
    b'xyz'
    """
    from .. import _atomic

    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise TypeError(f"payload must be bytes, got {type(payload).__name__}")
    _atomic.write_bytes(path, payload, force=force)


_NOT_GRIDS = {"nanonis-sxm": "a Nanonis .sxm image, not a grid of spectra",
              "nanonis-dat": "a Nanonis .dat point spectrum, not a grid: read it with read_spectrum (fit-btk)",
              "omicron-matrix": "an Omicron MATRIX file: not read here; convert it with access2thematrix",
              "rhk-sm4": "an RHK .SM4 file: grids of RHK files are not read here",
              "createc-vert": "a Createc .VERT point spectrum, not a grid: read it with read_spectrum (fit-btk)",
              "gxsm-vpdata": "a GXSM .vpdata point spectrum, not a grid: read it with read_spectrum (fit-btk)"}


def read_grid(path, channel=None, *, from_current=False, sg_window_mV=None):
    """Read a spectroscopic grid: a Nanonis ``.3ds`` file or a NetCDF/HDF5 cube.

    Parameters
    ----------
    path : str or Path
        ``.3ds`` (see :func:`read_3ds`) or ``.nc``/``.h5``/``.hdf5`` holding a
        variable with dims (y, x, bias), bias in mV.
    channel : str, optional
        Channel (``.3ds``) or variable name (cube; default the only variable
        with dims (y, x, bias)).
    from_current : bool, optional
        ``.3ds``: dI/dV as the Savitzky-Golay derivative of the current
        (``--from-current``); without it a grid with no lock-in channel is refused.
    sg_window_mV : float, optional
        Savitzky-Golay window (mV) with ``from_current``.

    Returns
    -------
    xarray.DataArray
        dims ``(y, x, bias)`` with the ``measured`` coordinate.

    Raises
    ------
    GridFileError
        Unknown suffix, a file of another kind (named: a ``.sxm`` image, a
        point spectrum ...), unreadable file, missing channel/variable; names the file.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "g.3ds")
    >>> write_3ds(p, np.ones((2, 2, 8)), np.linspace(-4, 4, 8))
    >>> read_grid(p).shape
    (2, 2, 8)
    """
    import xarray as xr
    check.instance("path", path, (str, os.PathLike), "a file path (str or os.PathLike)")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".3ds":
        return read_3ds(path, channel, from_current=from_current, sg_window_mV=sg_window_mV)
    fmt = sniff(path)
    if fmt in _NOT_GRIDS:
        raise GridFileError(f"{path}: {_NOT_GRIDS[fmt]}")
    if suffix not in CUBE_SUFFIXES:
        raise GridFileError(f"{path}: unknown grid format {suffix!r} (use .3ds or one of {CUBE_SUFFIXES})")
    if not path.is_file():
        raise GridFileError(f"{path}: no such file")
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            ds = ds.load()
    except (OSError, ValueError) as exc:
        raise GridFileError(f"{path}: not a readable NetCDF/HDF5 cube ({exc})") from None
    cubes = [n for n, v in ds.data_vars.items() if set(v.dims) == {"y", "x", "bias"}]
    if channel is None:
        if len(cubes) != 1:
            raise GridFileError(f"{path}: need exactly one variable with dims (y, x, bias), found {cubes}; "
                                "choose one with channel=")
        channel = cubes[0]
    elif channel not in cubes:
        raise GridFileError(f"{path}: variable {channel!r} with dims (y, x, bias) not in the file; found {cubes}")
    da = ds[channel].transpose("y", "x", "bias").astype(float)
    if from_current:
        d, w = chn.savgol_derivative(da.bias.values, da.values, sg_window_mV, axis=2)
        da = da.copy(data=d)
        da.attrs["didv_kind"] = "numerical_derivative"
    da.attrs = {**da.attrs, "channel": channel, "source": str(path)}
    da.attrs.setdefault("units", "")
    da.attrs.setdefault("didv_kind", "unknown")
    if "measured" not in da.coords:
        da = da.assign_coords(measured=(("y", "x"), ~np.all(np.isnan(da.values), axis=2)))
    return da
