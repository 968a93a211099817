"""What an instrument's header says about the measurement: temperature and lock-in.

Nanonis headers (``.dat`` point spectra, ``.3ds`` grids, ``.sxm``) are
``Module>Setting (unit)`` keys. This module reads from them:

* the **microscope temperature** (:func:`temperature_from_header`): the keys
  ``Ext. VI 1>Microscope temperature (K)`` (a LabVIEW temperature VI),
  ``Temperature 1>Temperature 1 (K)``, ``Temperature 2>Temperature 2 (K)``,
  ``STM Temperature (K)``, ``Cryo>... (K)`` and the like: any key naming a
  temperature in K with a numeric value; keys naming the microscope, STM, tip or
  sample first, then ``Temperature 1`` before ``Temperature 2``. Createc
  ``T_ADC2[K]``-style thermometer readings are not used (which one is the
  microscope is not stated in the file).
* the **lock-in modulation** (:func:`lockin_from_header`) as a :class:`LockinInfo`.
  Nanonis ``Lock-in>Amplitude`` is the amplitude of the sine added to the
  modulated signal, in the physical unit of that signal (V for a bias
  modulation): ``V(t) = V_0 + A sin(ωt)``. It is the zero-to-peak value
  (``kind="peak"``, ``peak_mV = amplitude_mV``; the NeXus ``NXlockin`` class,
  modelled on Nanonis, defines the field as "the amplitude of the sine
  modulation"). An rms value (external lock-ins such as the SR830 state their
  sine output in V rms) converts as ``peak = sqrt(2) rms``.

  The lock-in counts as **running** for the dI/dV channel only when that
  channel is an output of the Nanonis lock-in (``LI Demod n X``,
  ``LIX n omega``, ``LI X``) and the header shows it on: ``Lock-in>Lock-in
  status=ON``, or ``Bias Spectroscopy>Lock-In run=TRUE`` (the spectroscopy
  module switches the lock-in on for the sweep and off afterwards, so the
  status is stored as OFF), and the modulated signal is the bias. An external
  lock-in read through an input (``LockIn (V)``, ``Input 2 (V)``): the
  Nanonis lock-in's settings in the header are its idle settings and do not
  describe the modulation actually applied (``running=False``).
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["LockinInfo", "temperature_from_header", "lockin_from_header", "header_float", "is_internal_lockin"]

_TEMP_KEY = re.compile(r"temp[a-z]*\b.*\(\s*K\s*\)|\(\s*K\s*\).*temp", re.IGNORECASE)
_TEMP_PREFER = re.compile(r"microscope|\bstm\b|tip|sample|head", re.IGNORECASE)
_INTERNAL = re.compile(r"^\s*(LI\s*Demod\s*\d+\s*[XYR]|LI[XYR]\s*\d*(\s*\d*\s*omega)?|LI\s*[XYR])\b", re.IGNORECASE)


@dataclass(frozen=True)
class LockinInfo:
    """The lock-in modulation stated in a file's header.

    Attributes
    ----------
    amplitude_mV : float
        The modulation amplitude as stated in the header, converted to mV.
    kind : str
        ``"peak"`` (zero-to-peak amplitude of the sine, as Nanonis states it)
        or ``"rms"``.
    peak_mV : float
        The zero-to-peak amplitude (mV) used by a lock-in instrument function
        (``sqrt(2) * amplitude_mV`` for an rms value).
    running : bool
        The lock-in producing the dI/dV channel was modulating the bias during
        the sweep (see the module docstring).
    source : str
        The header keys read and why ``running`` is what it is.

    Examples
    --------
    >>> LockinInfo(1.0, "rms", 2 ** 0.5, True, "example").peak_mV > 1.41
    True
    """

    amplitude_mV: float
    kind: str
    peak_mV: float
    running: bool
    source: str


def header_float(value):
    """A header value as a float (``"+04.366"``, ``"150E-6"``, ``"1,5"``), or None.

    Parameters
    ----------
    value : str or None
        The header value.

    Returns
    -------
    float or None
        The number when finite, else None.

    Examples
    --------
    >>> header_float("+04.366"), header_float("N/A"), header_float("1,5")
    (4.366, None, 1.5)
    """
    if value is None:
        return None
    s = str(value).strip().strip('"').strip()
    if re.fullmatch(r"[-+]?\d+,\d+(?:[eE][-+]?\d+)?", s):
        s = s.replace(",", ".")
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _check_meta(meta):
    if not isinstance(meta, Mapping):
        raise TypeError(f"meta must be a header dict {{key: value}}, got {type(meta).__name__}")


def temperature_from_header(meta):
    """The microscope temperature (K) stated in a header, with the key it came from.

    Parameters
    ----------
    meta : dict
        Header ``key -> value`` strings.

    Returns
    -------
    tuple of (float, str) or None
        ``(temperature_K, key)``; None when the header states no temperature
        (or only a value <= 0 K).

    Examples
    --------
    >>> temperature_from_header({"Ext. VI 1>Microscope temperature (K)": "+04.366"})
    (4.366, 'Ext. VI 1>Microscope temperature (K)')
    >>> temperature_from_header({"Temperature 2>Temperature 2 (K)": "9.1",
    ...                          "Temperature 1>Temperature 1 (K)": "4.9"})
    (4.9, 'Temperature 1>Temperature 1 (K)')
    >>> temperature_from_header({"Bias>Bias (V)": "0.1"}) is None
    True
    """
    _check_meta(meta)
    found = []
    for key, value in meta.items():
        if not _TEMP_KEY.search(key) or re.search(r"\bID\b|setpoint|set point|target", key, re.IGNORECASE):
            continue
        v = header_float(value)
        if v is None or v <= 0:
            continue
        rank = 0 if _TEMP_PREFER.search(key) else 1
        found.append((rank, key, v))
    if not found:
        return None
    found.sort(key=lambda t: (t[0], t[1]))
    return found[0][2], found[0][1]


def is_internal_lockin(channel):
    """True for a channel name written by the Nanonis lock-in (``LI Demod 1 X``, ``LIX 1 omega``, ``LI X``).

    Parameters
    ----------
    channel : str
        Channel name with or without tags and unit.

    Returns
    -------
    bool

    Examples
    --------
    >>> [is_internal_lockin(c) for c in ("LI Demod 2 X (A)", "LIX 1 omega [bwd] (A)", "LockinX (V)", "Input 3 (V)")]
    [True, True, False, False]
    """
    return bool(_INTERNAL.match(channel))


def _flag(value):
    s = str(value).strip().strip('"').upper()
    return {"ON": True, "TRUE": True, "1": True, "OFF": False, "FALSE": False, "0": False}.get(s)


def lockin_from_header(meta, channel):
    """The lock-in modulation behind the dI/dV ``channel``, from a Nanonis header.

    Parameters
    ----------
    meta : dict
        Header ``key -> value`` strings (Nanonis ``Lock-in>...`` keys).
    channel : str or None
        The dI/dV channel read (decides whether the Nanonis lock-in produced it).

    Returns
    -------
    LockinInfo or None
        None when the header states no modulation amplitude.

    Examples
    --------
    >>> meta = {"Lock-in>Lock-in status": "OFF", "Bias Spectroscopy>Lock-In run": "TRUE",
    ...         "Lock-in>Modulated signal": "Bias (V)", "Lock-in>Amplitude": "150E-6"}
    >>> info = lockin_from_header(meta, "LIX 1 omega (A)")
    >>> round(info.peak_mV, 6), info.kind, info.running
    (0.15, 'peak', True)
    >>> lockin_from_header(meta, "LockIn (V)").running      # an external lock-in: idle settings
    False
    """
    _check_meta(meta)
    if channel is not None and not isinstance(channel, str):
        raise TypeError(f"channel must be a channel name (str) or None, got {type(channel).__name__}")
    amp = header_float(meta.get("Lock-in>Amplitude"))
    if amp is None:
        return None
    modulated = str(meta.get("Lock-in>Modulated signal", "")).strip().strip('"')
    unit = re.search(r"\(([^()]*)\)\s*$", modulated)
    unit = unit.group(1) if unit else "V"
    scale = {"V": 1e3, "mV": 1.0}.get(unit)
    bias_mod = bool(re.match(r"bias\b", modulated, re.IGNORECASE)) or not modulated
    status = _flag(meta.get("Lock-in>Lock-in status", ""))
    run = _flag(meta.get("Bias Spectroscopy>Lock-In run", ""))
    internal = channel is not None and is_internal_lockin(channel)
    on = bool(status) or bool(run)
    parts = [f"Lock-in>Amplitude={meta.get('Lock-in>Amplitude')}"]
    if modulated:
        parts.append(f"modulated signal {modulated}")
    parts.append(f"Lock-in status={meta.get('Lock-in>Lock-in status', 'absent')}")
    parts.append(f"Bias Spectroscopy>Lock-In run={meta.get('Bias Spectroscopy>Lock-In run', 'absent')}")
    if scale is None or not bias_mod:
        running = False
        parts.append("not a bias modulation: not used")
        amp_mV = amp * (scale or 1.0)
    else:
        amp_mV = amp * scale
        running = on and internal
        if not internal:
            parts.append(f"dI/dV channel {channel!r} is not an output of the Nanonis lock-in (external lock-in): "
                         "these are idle settings")
        elif not on:
            parts.append("lock-in off during the sweep")
        else:
            parts.append(f"running for {channel!r}")
    return LockinInfo(float(amp_mV), "peak", float(amp_mV), bool(running), "; ".join(parts))
