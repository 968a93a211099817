"""Spectroscopic grids: Nanonis ``.3ds`` files and NetCDF/HDF5 cubes as xarray.

A grid is an :class:`xarray.DataArray` with dims ``(y, x, bias)``: ``x`` and
``y`` in metres, ``bias`` in mV, attributes ``channel``, ``units`` and
``source``. Nanonis files are parsed by the maintained ``nanonispy2`` reader;
this module adds the checks it lacks (a truncated payload would otherwise be
zero-filled) and the conversions (sweep signal V -> mV, frame -> coordinates).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import numpy as np

from .. import _validate as check

__all__ = ["HEADER_END", "CUBE_SUFFIXES", "GridFileError", "default_channel", "read_3ds", "write_3ds",
           "atomic_write_bytes", "read_grid"]

#: header end tag of Nanonis grid files
HEADER_END = ":HEADER_END:"
#: suffixes read through xarray
CUBE_SUFFIXES = (".nc", ".h5", ".hdf5", ".nc4")
_UNIT_TO_MV = {"V": 1e3, "mV": 1.0}


class GridFileError(ValueError):
    """A grid file that cannot be read; the message names the file and what is wrong.

    A subclass of ``ValueError``.

    Examples
    --------
    >>> try:
    ...     read_grid("missing.3ds")
    ... except GridFileError as exc:
    ...     print(exc)
    missing.3ds: no such file
    """


def default_channel(channels):
    """The lock-in X channel among Nanonis channel names (the dI/dV signal by default).

    Parameters
    ----------
    channels : sequence of str
        Channel names as in the file header, e.g. ``"LI Demod 1 X (A)"``.

    Returns
    -------
    str or None
        The first name containing ``LI`` and ``X``, else ``None``.

    Examples
    --------
    >>> default_channel(["Current (A)", "LI Demod 1 X (A)", "LI Demod 1 Y (A)"])
    'LI Demod 1 X (A)'
    """
    for name in channels:
        if re.search(r"\bLI\b", name) and re.search(r"\bX\b", name):
            return name
    return None


def _unit(name):
    m = re.search(r"\(([^)]*)\)\s*$", name)
    return m.group(1) if m else ""


def read_3ds(path, channel=None):
    """Read a Nanonis grid-spectroscopy ``.3ds`` file as a (y, x, bias) DataArray.

    Parameters
    ----------
    path : str or Path
        The ``.3ds`` file.
    channel : str, optional
        Channel name as in the header (with or without the unit, e.g.
        ``"LI Demod 1 X"``); default the lock-in X channel (:func:`default_channel`).

    Returns
    -------
    xarray.DataArray
        dims ``(y, x, bias)``; ``bias`` in mV from the sweep signal (V or mV in
        the file), ``x``/``y`` pixel centres in metres from the grid frame
        (the frame angle is kept in ``attrs["angle_deg"]``).

    Raises
    ------
    GridFileError
        Missing file, header without the sweep signal or the end tag, missing
        channel, truncated payload; the message names the file.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "g.3ds")
    >>> write_3ds(p, np.ones((2, 3, 8)), np.linspace(-4, 4, 8), size_m=(3e-9, 2e-9))
    >>> da = read_3ds(p)
    >>> da.dims, da.shape, float(da.bias[0]), da.attrs["channel"]
    (('y', 'x', 'bias'), (2, 3, 8), -4.0, 'LI Demod 1 X (A)')
    """
    import xarray as xr
    from nanonispy2 import read as nread

    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise GridFileError(f"{name}: no such file")
    with open(path, "rb") as fh:
        raw = fh.read()
    if HEADER_END.encode() not in raw:
        raise GridFileError(f"{name}: not a Nanonis grid file (no {HEADER_END} tag)")
    try:
        grid = nread.Grid.__new__(nread.Grid)
        nread.NanonisFile.__init__(grid, name)
        grid.set_data_format(None)
        grid.header = nread._parse_3ds_header(grid.header_raw, header_override=None)
    except KeyError as exc:
        key = str(exc.args[0]).split("]")[0].strip("[")
        what = "the sweep signal" if key == "Sweep Signal" else f"the entry {key!r}"
        raise GridFileError(f"{name}: header has no {what} ({key}=...)") from None
    except (ValueError, IndexError, nread.UnhandledFileError) as exc:
        raise GridFileError(f"{name}: unreadable header ({exc})") from None
    hdr = grid.header
    nx, ny = hdr["dim_px"]
    npar, nsweep = hdr["num_parameters"], hdr["num_sweep_signal"]
    channels = list(hdr["channels"])
    sweep = str(hdr["sweep_signal"]).strip()
    if not sweep:
        raise GridFileError(f"{name}: header has an empty sweep signal (Sweep Signal=)")
    per_pixel = npar + nsweep * len(channels)
    expected = nx * ny * per_pixel * 4
    payload = len(raw) - grid.byte_offset
    if payload < expected:
        raise GridFileError(f"{name}: truncated payload: {payload} bytes for {nx} x {ny} pixels of "
                            f"{per_pixel} float32 values ({expected} bytes expected)")
    if channel is None:
        chan = default_channel(channels)
        if chan is None:
            raise GridFileError(f"{name}: no lock-in X channel among {channels}; choose one with channel=")
    else:
        chan = next((c for c in channels if c == channel or c.split(" (")[0] == channel), None)
        if chan is None:
            raise GridFileError(f"{name}: channel {channel!r} not in the file; channels: {channels}")
    unit = _unit(sweep)
    if unit not in _UNIT_TO_MV:
        raise GridFileError(f"{name}: sweep signal {sweep!r} is not a bias in V or mV")
    grid.signals = grid._load_data()
    sweep_values = grid._derive_sweep_signal() * _UNIT_TO_MV[unit]
    data = np.asarray(grid.signals[chan], dtype=np.float64)
    cx, cy = hdr["pos_xy"]
    sx, sy = hdr["size_xy"]
    x = cx - sx / 2 + (np.arange(nx) + 0.5) * sx / nx
    y = cy - sy / 2 + (np.arange(ny) + 0.5) * sy / ny
    return xr.DataArray(
        data, dims=("y", "x", "bias"),
        coords={"y": ("y", y, {"units": "m"}), "x": ("x", x, {"units": "m"}),
                "bias": ("bias", sweep_values, {"units": "mV", "long_name": sweep})},
        attrs={"channel": chan, "units": _unit(chan), "source": name, "angle_deg": float(hdr["angle"]),
               "channels": ";".join(channels)})


def write_3ds(path, data, bias_mV, *, size_m=(1e-8, 1e-8), center_m=(0.0, 0.0),
              channels=("Current (A)", "LI Demod 1 X (A)"), channel="LI Demod 1 X (A)", comment=""):
    """Write a grid as a Nanonis ``.3ds`` file (header + big-endian float32 payload).

    For synthetic grids and tests. Each pixel holds the fixed parameters
    ``Sweep Start``/``Sweep End`` (V), the experiment parameters ``X (m)``,
    ``Y (m)``, ``Z (m)``, then every channel's sweep; ``data`` goes into
    ``channel``, the other channels get zeros.

    Parameters
    ----------
    path : str or Path
        Output file (written atomically).
    data : array_like
        Spectra, shape (y, x, bias).
    bias_mV : array_like
        Bias points (mV), uniformly spaced as Nanonis sweeps are.
    size_m, center_m : tuple of float
        Frame size and centre (m).
    channels : sequence of str
        Channel names of the header.
    channel : str
        Which of ``channels`` holds ``data``.
    comment : str
        Header comment.

    Returns
    -------
    None

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "g.3ds")
    >>> write_3ds(p, np.ones((1, 1, 8)), np.linspace(-1, 1, 8))
    >>> os.path.getsize(p) > 8 * 4
    True
    """
    data = check.finite_array("data", data, ndim=3)
    bias = check.finite_array("bias_mV", bias_mV, ndim=1)
    if data.shape[2] != bias.size:
        raise ValueError(f"data must have {bias.size} bias points on its last axis, got {data.shape[2]}")
    channels = list(channels)
    if channel not in channels:
        raise ValueError(f"channel must be one of {channels}, got {channel!r}")
    ny, nx, nb = data.shape
    fixed, exp = ["Sweep Start", "Sweep End"], ["X (m)", "Y (m)", "Z (m)"]
    npar = len(fixed) + len(exp)
    header = "\r\n".join([
        f'Grid dim="{nx} x {ny}"',
        f"Grid settings={center_m[0]:.6E};{center_m[1]:.6E};{size_m[0]:.6E};{size_m[1]:.6E};0.000000E+0",
        'Sweep Signal="Bias (V)"',
        f'Fixed parameters="{";".join(fixed)}"',
        f'Experiment parameters="{";".join(exp)}"',
        f"# Parameters (4 byte)={npar}",
        f"Experiment size (bytes)={nb * len(channels) * 4}",
        f"Points={nb}",
        f'Channels="{";".join(channels)}"',
        "Delay before measuring (s)=0.000000E+0",
        'Experiment="Grid Spectroscopy"',
        'Start time="01.12.2026 00:00:00"',
        'End time="01.12.2026 00:00:00"',
        "User=",
        f"Comment={comment}",
        HEADER_END, ""])
    pix = np.zeros((ny, nx, npar + nb * len(channels)), dtype=">f4")
    pix[..., 0], pix[..., 1] = bias[0] * 1e-3, bias[-1] * 1e-3
    xs = center_m[0] - size_m[0] / 2 + (np.arange(nx) + 0.5) * size_m[0] / nx
    ys = center_m[1] - size_m[1] / 2 + (np.arange(ny) + 0.5) * size_m[1] / ny
    pix[..., 2] = xs[None, :]
    pix[..., 3] = ys[:, None]
    k = channels.index(channel)
    pix[..., npar + k * nb: npar + (k + 1) * nb] = data
    atomic_write_bytes(path, header.encode() + pix.tobytes())


def atomic_write_bytes(path, payload):
    """Write bytes to ``path`` through a temporary file in the same folder and an atomic rename.

    Parameters
    ----------
    path : str or Path
        Destination.
    payload : bytes
        Content.

    Returns
    -------
    None

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.bin")
    >>> atomic_write_bytes(p, b"abc"); open(p, "rb").read()
    b'abc'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)           # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_grid(path, channel=None):
    """Read a spectroscopic grid: a Nanonis ``.3ds`` file or a NetCDF/HDF5 cube.

    Parameters
    ----------
    path : str or Path
        ``.3ds`` (see :func:`read_3ds`) or ``.nc``/``.h5``/``.hdf5`` holding a
        variable with dims (y, x, bias), bias in mV.
    channel : str, optional
        Channel (``.3ds``) or variable name (cube; default the only variable
        with dims (y, x, bias)).

    Returns
    -------
    xarray.DataArray
        dims ``(y, x, bias)``.

    Raises
    ------
    GridFileError
        Unknown suffix, unreadable file, missing channel/variable; names the file.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "g.3ds")
    >>> write_3ds(p, np.ones((2, 2, 8)), np.linspace(-4, 4, 8))
    >>> read_grid(p).shape
    (2, 2, 8)
    """
    import xarray as xr
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".3ds":
        return read_3ds(path, channel)
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
    da.attrs = {**da.attrs, "channel": channel, "source": str(path)}
    da.attrs.setdefault("units", "")
    return da
