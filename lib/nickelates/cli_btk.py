"""``python -m nickelates fit-btk``: fit a point-contact or tunnelling spectrum (BTK, Dynes).

Reads a spectrum file (bias, dI/dV), normalizes it by a polynomial
normal-state background (fitted jointly by default), fits a one- or two-gap
BTK / Tanaka-Kashiwaya model, optionally with spin polarization, or the
Dynes tunnelling DOS (:func:`nickelates.btk.fit`), prints the parameters with
uncertainties and writes ``PREFIX.json`` (results) and ``PREFIX.png`` (data,
fit, components, residuals).

Input
-----
* Delimited text (tab, ';', ',' or whitespace; quoted cells; '#'/'%'
  comments; decimal commas with --decimal-comma) or a Nanonis ``.dat`` point
  spectrum (``[DATA]`` section; lock-in X channel by default, its backward
  sweep averaged in). An optional header names the columns: bias = "bias",
  "volt", "V"/"U"; dI/dV = "dI/dV", "didv", "cond", "G", lock-in X. Choose
  others with --bias-column / --didv-column (one column per field or
  temperature: --didv-column), or rows of a long-format file with
  --select COLUMN=VALUE.
* Bias unit from the header ("bias (mV)", "V [V]", "Bias/V", "Bias calc (V)",
  "bias_mV", "V(V)", uV/µV ...) or --bias-unit; without a unit mV, but a
  bias below ±0.5 is refused as probably in volts (use --bias-unit V).
* dI/dV in any unit (it is normalized). Repeated bias values (up/down
  sweeps, repeats) are averaged, with a note; at least 20 distinct points.

Header, lock-in, current
------------------------
--temperature may be left out when the file's header states the microscope
temperature (Nanonis ``... temperature (K)``); the flag wins when both exist;
the value used and its source are printed and stored (JSON "temperature").
The lock-in modulation is folded into the model (the standard instrument
function of a PEAK amplitude V_m) only when the header shows that the lock-in
producing the dI/dV channel was running; the header's rms/peak convention is
stated; --no-lockin switches it off. A current channel is not a conductance:
it is refused unless --from-current (dI/dV = Savitzky-Golay derivative of the
current, see ``nickelates.btk.read_spectrum``).

Trust gates
-----------
After the fit, :mod:`nickelates.trust` judges it with the rule fit-map uses
for every pixel: negative or clipped conductance, no gap (the gap model does
not beat a gapless background by ΔBIC >= 10), a gap at the edge of the bias
window, Γ >= Δ, or an rms residual above 10 % of the normal state make the
result NOT DETERMINED (exit 3, reasons printed, JSON "trust").

Uncertainties
-------------
With --sigma (the noise of one reading of the dI/dV column as given in the
file, in the file's unit) chi^2 uses it and the uncertainties are not
rescaled: reduced chi^2 near 1 says the model fits within the noise. Without
it the uncertainties are scaled by the residuals (sqrt of reduced chi^2).
The report and the JSON ("fit.sigma_source") say which.

Exit codes
----------
0  fit made, every parameter determined;
1  the fit ran but its output could not be written completely (disk, figure);
2  bad input file or arguments (nothing written);
3  fit made but parameters undetermined (uncertainties not estimable,
   parameters at a bound, lmfit failure, two gaps not determined, or a trust
   gate failed: no gap, gap at the edge, Γ >= Δ, high rms, negative or
   clipped conductance): the JSON and figure are still written and the
   reason is printed;
130  interrupted (Ctrl-C): temporaries removed, earlier outputs unchanged.

Outputs are written atomically (temporary file in the output folder, then
renamed); the folder's writability is checked before the fit; existing
outputs of the same prefix, the figure included, are replaced only with
--force. A run that writes no figure (--no-figure, or a figure that fails)
removes an earlier PREFIX.png so that no stale figure is left beside the new
JSON.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import sys
import tempfile

from ._atomic import Staged, describe

__all__ = ["HELP", "DESCRIPTION", "add_arguments", "run", "EXIT_OK", "EXIT_OUTPUT", "EXIT_INPUT",
           "EXIT_UNDETERMINED", "MODEL_CHOICES"]

HELP = "fit a point-contact Andreev (BTK) or tunnelling (Dynes) spectrum from a file"
DESCRIPTION = __doc__.split("\n", 1)[1]

EXIT_OK = 0             #: fit made, all parameters determined
EXIT_OUTPUT = 1         #: fit made, output not (completely) written
EXIT_INPUT = 2          #: bad input or arguments
EXIT_UNDETERMINED = 3   #: fit made, parameters undetermined (outputs written)

_COMPAT = ("read_spectrum", "Spectrum", "SpectrumFileError")

#: library argument names -> the CLI flags (error messages name the flags)
FLAGS = {"n_gaps": "--gaps", "T": "--temperature", "sigma": "--sigma", "starts": "--starts",
         "symmetry": "--symmetry", "background_degree": "--bg-degree", "degree": "--bg-degree",
         "bg_outer_fraction": "--bg-fraction", "outer_fraction": "--bg-fraction", "bias_unit": "--bias-unit",
         "bias_column": "--bias-column", "didv_column": "--didv-column", "select": "--select",
         "decimal_comma": "--decimal-comma", "model": "--model", "polarization": "--polarization",
         "fit_temperature": "--fit-temperature", "series_resistance": "--series-resistance",
         "bias_offset": "--bias-offset", "temperatures": "--temperatures", "free_gaps": "--free-gaps",
         "tip_gap": "--tip-gap", "from_current": "--from-current", "sg_window_mV": "--sg-window",
         "lockin_mV": "the lock-in amplitude"}

#: models of ``--model`` (nickelates.btk.MODELS, spelled out so that building the parser loads no numba)
MODEL_CHOICES = ("btk", "dynes", "zeeman", "sis")


def __getattr__(name):
    """Old import path: ``nickelates.cli_btk.read_spectrum`` etc. now live in :mod:`nickelates.btk.io`.

    Imported lazily so that building the argument parser does not load numba.
    """
    if name in _COMPAT:
        from .btk import io
        return getattr(io, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------ arguments
def add_input_arguments(p):
    """Add the options that read a spectrum file (shared with ``fit-btk-series``)."""
    p.add_argument("--bias-unit", choices=("mV", "V", "uV", "µV"), default=None,
                   help="unit of the bias column (default: from the header, else mV; a unit-less bias "
                        "below ±0.5 is refused as probably in volts)")
    p.add_argument("--bias-column", default=None, help="bias column (name or 1-based number)")
    p.add_argument("--didv-column", default=None,
                   help="dI/dV column (name or 1-based number), e.g. one of several columns of a file with "
                        "one column per field or temperature")
    p.add_argument("--decimal-comma", action="store_true",
                   help="numbers use a decimal comma (1,25); cells separated by tab, ';' or spaces")
    p.add_argument("--select", action="append", default=None, metavar="COLUMN=VALUE",
                   help="long-format file: keep the lines whose COLUMN (name or number) equals VALUE "
                        "(numbers compared as numbers; VALUE '*' keeps all, averaged); repeatable")
    p.add_argument("--from-current", action="store_true",
                   help="the file has a current, not a dI/dV: differentiate it (Savitzky-Golay, scipy; "
                        "window from --sg-window). Without it a current channel is refused")
    p.add_argument("--sg-window", type=float, default=None, metavar="MV",
                   help="with --from-current: width of the Savitzky-Golay window in mV (default: the reader's)")
    p.add_argument("--no-lockin", action="store_true",
                   help="do not fold the lock-in modulation stated in the header into the model")


def add_arguments(p):
    """Add the ``fit-btk`` options to the argparse parser ``p``."""
    p.add_argument("csv", help="spectrum file: bias and dI/dV columns (text or Nanonis .dat)")
    p.add_argument("--gaps", choices=("1", "2", "auto"), default=None,
                   help="number of gaps; 'auto' fits one and two gaps (and the spin-split model) and keeps the "
                        "lowest BIC (default 2; 1 with --model zeeman)")
    p.add_argument("--model", choices=MODEL_CHOICES, default="btk",
                   help="'btk': Andreev reflection (BTK / Tanaka-Kashiwaya, Z free); 'dynes': tunnel junction, "
                        "thermally smeared Dynes DOS (the Z -> infinity limit); 'zeeman': spin-split BCS tunnel "
                        "DOS (delta1, exchange/Zeeman field h, gamma1, meV); 'sis': superconducting tip of gap "
                        "--tip-gap on the sample's Dynes DOS (default btk)")
    p.add_argument("--tip-gap", type=float, default=None, metavar="MEV",
                   help="gap of the superconducting tip in meV (--model sis; fixed, not fitted)")
    p.add_argument("--symmetry", default=None,
                   help="gap symmetries, one per gap, e.g. 's,s', 's,d' or 's' (default all s)")
    p.add_argument("--polarization", action="store_true",
                   help="fit the spin polarization P in [0, 1] of the normal metal (BTK model only)")
    p.add_argument("--temperature", "-T", type=float, default=None,
                   help="temperature in K (with --fit-temperature the starting value); default: the microscope "
                        "temperature stated in the file's header (the flag wins when both exist)")
    p.add_argument("--fit-temperature", action="store_true",
                   help="fit an effective temperature T instead of holding --temperature fixed")
    p.add_argument("--series-resistance", action="store_true",
                   help="fit a spreading (series) resistance correction of the bias")
    p.add_argument("--bias-offset", action="store_true", help="fit a bias offset V0 (mV)")
    add_input_arguments(p)
    p.add_argument("--normalize", choices=("joint", "outer", "none"), default="joint",
                   help="normal-state background: 'joint' = polynomial fitted together with the "
                        "model (default); 'outer' = divide first by a polynomial fitted to the "
                        "outer bias range (the paper's procedure); 'none' = data already normalized")
    p.add_argument("--bg-degree", type=int, default=2, help="degree of the background polynomial (default 2)")
    p.add_argument("--bg-fraction", type=float, default=0.3,
                   help="outer fraction of the bias range used for the background (default 0.3)")
    p.add_argument("--starts", type=int, default=6, help="multi-start count, 1..200 (default 6)")
    p.add_argument("--sigma", type=float, default=None,
                   help="noise (standard deviation) of one reading of the dI/dV column AS GIVEN IN THE FILE, "
                        "in the file's dI/dV unit (not of the normalized G; averaged repeated bias points get "
                        "sigma/sqrt(n)); chi^2 uses it and uncertainties are not rescaled. Default: "
                        "uncertainties scaled by the fit residuals")
    p.add_argument("--normal-incidence", action="store_true",
                   help="1D BTK (no angular average)")
    p.add_argument("--output", "-o", default=None,
                   help="output prefix (default: input path without extension + '_btk')")
    p.add_argument("--force", action="store_true", help="replace existing output files of the same prefix")
    p.add_argument("--no-figure", action="store_true",
                   help="write only the JSON (an earlier PREFIX.png is removed, with --force)")


# ------------------------------------------------------------------ helpers shared with fit-btk-series
def flag_message(msg: str) -> str:
    """Rewrite a library error message so that it names the CLI flags instead of the argument names."""
    for name, flag in FLAGS.items():
        msg = re.sub(rf"(?<![\w\-']){re.escape(name)}(?= must| should| is | has | out|:| =)", flag, msg)
    return msg


def cli_words(text: str) -> str:
    """Rewrite library advice such as ``n_gaps='auto'`` or ``model='dynes'`` as the flags ``--gaps auto``, ``--model dynes``."""
    def flag(m):
        name, value = m.group(1), m.group(3)
        if value == "True":
            return FLAGS[name]
        if value == "False":
            return f"no {FLAGS[name]}"
        return f"{FLAGS[name]} {value}"
    names = "|".join(sorted(map(re.escape, FLAGS), key=len, reverse=True))
    return re.sub(rf"(?<![\w\-])({names})=(['\"]?)([^'\",;)\s]+)\2", flag, text)


def check_number(flag, value, lo=None, hi=None, *, lo_open=False):
    """Check a numeric flag value (finite, in range); ValueError naming the flag otherwise."""
    if value is None:
        return None
    if not math.isfinite(value):
        raise ValueError(f"{flag} must be a finite number, got {value}")
    if lo is not None and (value < lo or (lo_open and value == lo)):
        raise ValueError(f"{flag} must be {'>' if lo_open else '>='} {lo:g}, got {value:g}")
    if hi is not None and value > hi:
        raise ValueError(f"{flag} must be <= {hi:g}, got {value:g}")
    return value


def parse_select(items):
    """``["COL=VALUE", ...]`` -> ``{COL: VALUE}`` (ValueError naming --select)."""
    if not items:
        return None
    out = {}
    for it in items:
        col, eq, val = it.partition("=")
        if not eq or not col.strip() or not val.strip():
            raise ValueError(f"--select must be COLUMN=VALUE (e.g. --select 'T (K)=5'), got {it!r}")
        out[col.strip()] = val.strip()
    return out


def read_input(btk, path, args):
    """Read one spectrum file with the input flags of ``args`` (see :func:`add_input_arguments`).

    A current channel read without --from-current is refused (ValueError naming
    the reason ``not_a_conductance`` and the flag).
    """
    from_current = bool(getattr(args, "from_current", False))
    kw = {"from_current": True} if from_current else {}
    if getattr(args, "sg_window", None) is not None:
        if not from_current:
            raise ValueError("--sg-window needs --from-current")
        kw["sg_window_mV"] = check_number("--sg-window", args.sg_window, 0.0, lo_open=True)
    spec = btk.read_spectrum(path, args.bias_column, args.didv_column, args.bias_unit,
                             decimal_comma=args.decimal_comma, select=parse_select(args.select), **kw)
    refuse_current(spec.columns[1], getattr(spec, "didv_kind", None), from_current, path)
    return spec


def refuse_current(channel, kind, from_current, path):
    """ValueError (exit 2) when the dI/dV channel is a current and --from-current was not given."""
    from .trust import is_current_channel
    if from_current or kind in ("lockin", "conductance", "numerical_derivative"):
        return
    if kind == "current" or is_current_channel(str(channel)):
        raise ValueError(f"{path}: channel {channel!r} is a current, not a conductance (not_a_conductance); "
                         f"use --from-current to fit its numerical derivative dI/dV")


def resolve_temperature(flag_value, header_value, flag="--temperature"):
    """The temperature used and its source: the flag wins, else the header; ValueError when neither exists.

    Returns
    -------
    (float, str)
        Temperature in K and "flag" / "header".
    """
    if flag_value is not None:
        return float(flag_value), "flag"
    if header_value is not None and math.isfinite(header_value) and header_value > 0:
        return float(header_value), "header"
    raise ValueError(f"{flag} is needed: the file's header states no microscope temperature")


def resolve_lockin(lockin, no_lockin):
    """The lock-in amplitude folded into the model (PEAK mV or None) and its JSON description.

    Folded in only when the header shows that the lock-in producing the dI/dV
    channel was running, and --no-lockin was not given.
    """
    if lockin is None:
        return None, {"used": False, "why": "the header states no lock-in modulation"}
    info = {"amplitude_mV": float(lockin.amplitude_mV), "kind": str(lockin.kind), "peak_mV": float(lockin.peak_mV),
            "running": bool(lockin.running), "source": str(lockin.source)}
    if no_lockin:
        return None, dict(info, used=False, why="--no-lockin")
    if not lockin.running or not lockin.peak_mV > 0:
        return None, dict(info, used=False, why="the lock-in producing the dI/dV channel was not running")
    return float(lockin.peak_mV), dict(info, used=True, why="lock-in of the dI/dV channel running (header)")


def lockin_line(info):
    """One printed line on the lock-in modulation (peak vs rms stated)."""
    if "amplitude_mV" not in info:
        return "lock-in: " + info["why"]
    stated = f"{info['amplitude_mV']:.4g} mV {info['kind']} (header: {info['source']})"
    if info["used"]:
        return (f"lock-in: modulation {stated} = {info['peak_mV']:.4g} mV peak, folded into the model "
                f"(--no-lockin to switch off)")
    return f"lock-in: modulation {stated} not folded in: {info['why']}"


def print_input(spec):
    """Print what was read (columns, units, kind of dI/dV, header temperature, notes)."""
    kind = getattr(spec, "didv_kind", None)
    print(f"read {spec.path}: {spec.bias_mV.size} points, bias {spec.bias_mV.min():g} .. "
          f"{spec.bias_mV.max():g} mV (column {spec.columns[0]!r}, unit {spec.bias_unit} from "
          f"{spec.bias_unit_source}); dI/dV column {spec.columns[1]!r} (arbitrary units"
          + (f", {kind}" if kind else "") + ")")
    if getattr(spec, "temperature_K", None) is not None:
        print(f"  header: microscope temperature {spec.temperature_K:g} K")
    for note in spec.notes:
        print(f"  note: {note}")


def input_details(spec, args):
    """The ``input_file`` block of the JSON."""
    out = {"path": os.path.abspath(spec.path), "format": spec.format, "delimiter": spec.delimiter,
           "decimal_comma": bool(args.decimal_comma), "select": spec.select,
           "n_raw_points": int(spec.n_raw_points), "merged_points": int(spec.merged_points),
           "notes": list(spec.notes), "metadata": _jsonable(dict(spec.metadata))}
    for key in ("didv_kind", "temperature_K", "sweep_signal", "fwd_bwd_rms", "didv_unit"):
        if hasattr(spec, key):
            out[key] = _jsonable(getattr(spec, key))
    out["from_current"] = bool(getattr(args, "from_current", False))
    return out


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, (str, int, bool)) or x is None:
        return x
    try:
        v = float(x)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return str(x)


def check_outputs(outs, force):
    """Before any work: the output folder exists and is writable, and nothing is replaced without --force.

    Parameters
    ----------
    outs : list of str
        The output files (all of them, the figure included even when it is not drawn).
    force : bool
        --force given.
    """
    outdir = os.path.dirname(os.path.abspath(outs[0]))
    if not os.path.isdir(outdir):
        raise ValueError(f"output directory {outdir} does not exist (--output)")
    try:                                   # a real probe: os.access is wrong for root and on some mounts
        fd, probe = tempfile.mkstemp(prefix=".nickelates-write-test-", dir=outdir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ValueError(f"output directory {outdir} is not writable ({exc.strerror or exc}); "
                         f"choose another with --output PREFIX") from None
    existing = [o for o in outs if os.path.exists(o)]
    if existing and not force:
        raise ValueError(f"refusing to overwrite {', '.join(existing)} (use --force)")


#: files staged as temporaries in the output folder, then renamed into place together (the shared helper)
Outputs = Staged


def write_json(fh, data):
    """Write ``data`` as indented JSON to the open file ``fh``."""
    json.dump(data, fh, indent=2)
    fh.write("\n")


def save_figure(fig, fh):
    """Save a matplotlib figure as PNG to the open binary file ``fh`` and close it."""
    import matplotlib.pyplot as plt
    try:
        fig.savefig(fh, format="png", dpi=120)
    finally:
        plt.close(fig)


def use_agg():
    """Select the non-interactive backend unless one was chosen already."""
    import matplotlib
    matplotlib.use("Agg", force=False)


def gates_line(verdict):
    """One printed line with the trust gates' verdict."""
    m = verdict.metrics
    nums = ", ".join(f"{k} {m[k]:.3g}" for k in ("delta_bic", "rms_norm", "edge_fraction", "gamma_ratio") if k in m)
    if verdict.ok:
        return f"trust gates: passed ({nums})"
    return f"trust gates: NOT DETERMINED ({', '.join(verdict.reasons)}; {nums})"


def undetermined_line(problems):
    """One line for exit code 3: the first reasons (all of them are in the JSON)."""
    more = f"; ... ({len(problems)} reasons in all, listed in the JSON)" if len(problems) > 3 else ""
    return "fit made but parameters undetermined (exit code 3): " + "; ".join(problems[:3]) + more


# ------------------------------------------------------------------ run
def run(args) -> int:
    """Run ``fit-btk``; return the exit code (0, 1, 2 or 3, see the module docstring)."""
    return guarded(_run, args)


def guarded(run_impl, args) -> int:
    """Call ``run_impl(args)``; bad input (ValueError, TypeError, OSError) -> message naming flags, exit 2."""
    try:
        return run_impl(args)
    except (ValueError, TypeError) as exc:      # includes btk.SpectrumFileError
        print(f"error: {flag_message(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT


def write_outputs(json_path, out, png_path, png, code) -> int:
    """Write the JSON (and the PNG bytes, if any) atomically; report; return the exit code.

    The old PNG is removed when no new one is written (a stale figure never sits
    beside a new JSON); a write error gives EXIT_OUTPUT with the old files intact.
    """
    staged = Outputs()
    step = "writing"
    try:
        staged.stage(json_path, lambda fh: write_json(fh, out))
        if png is not None:
            staged.stage(png_path, lambda fh: fh.write(png), binary=True)
        step = "renaming"
        staged.commit(remove=[png_path])
    except OSError as exc:
        if step == "writing":               # nothing renamed yet: the earlier files are unchanged
            print(f"error: {describe(exc, exc.filename or json_path)}", file=sys.stderr)
        else:
            print(f"error: cannot rename the output into place ({exc})", file=sys.stderr)
        return EXIT_OUTPUT
    finally:
        staged.discard()
    print(f"wrote {json_path}")
    if png is not None:
        print(f"wrote {png_path}")
    elif out.get("figure_error"):
        print(f"error: figure not drawn ({out['figure_error']}); no {png_path} left", file=sys.stderr)
    return code


def _symmetry(text, gaps):
    if gaps == "auto":        # one symmetry for both candidate models
        sym = (text or "s").strip()
        if sym not in ("s", "d"):
            raise ValueError(f"--symmetry with --gaps auto must be one symmetry, 's' or 'd' (used for every "
                             f"gap), got {sym!r}")
        return sym
    sym = text or ",".join(["s"] * gaps)
    symmetry = tuple(s.strip() for s in sym.split(","))
    if len(symmetry) == 1:
        symmetry = symmetry * gaps
    if len(symmetry) != gaps or any(s not in ("s", "d") for s in symmetry):
        raise ValueError(f"--symmetry must list {gaps} of 's'/'d' separated by commas, got {sym!r}")
    return symmetry


def _check_args(args):
    if args.gaps is None:
        args.gaps = "1" if args.model == "zeeman" else "2"
    gaps = "auto" if args.gaps == "auto" else int(args.gaps)
    symmetry = _symmetry(args.symmetry, gaps)
    check_number("--temperature", args.temperature, 0.0, 1e5)
    check_number("--tip-gap", args.tip_gap, 0.0, lo_open=True)
    if args.model == "sis" and args.tip_gap is None:
        raise ValueError("--model sis needs --tip-gap MEV (the superconducting tip's gap)")
    if args.tip_gap is not None and args.model != "sis":
        raise ValueError("--tip-gap enters only --model sis")
    if args.model == "zeeman" and gaps == 2:
        raise ValueError("--model zeeman has one gap split by +-h: use --gaps 1 (or auto)")
    check_number("--sigma", args.sigma, 0.0, lo_open=True)
    check_number("--bg-fraction", args.bg_fraction, 0.0, 1.0, lo_open=True)
    if not 1 <= args.starts <= 200:
        raise ValueError(f"--starts must be in 1..200, got {args.starts}")
    if not 0 <= args.bg_degree <= 6:
        raise ValueError(f"--bg-degree must be in 0..6, got {args.bg_degree}")
    if args.model != "btk" and args.polarization:
        raise ValueError("--polarization needs --model btk (a tunnel junction has no Andreev current)")
    return gaps, symmetry


def _run(args) -> int:
    gaps, symmetry = _check_args(args)
    prefix = args.output or os.path.splitext(args.csv)[0] + "_btk"
    json_path, png_path = prefix + ".json", prefix + ".png"
    check_outputs([json_path, png_path], args.force)

    import numpy as np

    from . import btk, trust
    from .errors import ConvergenceError

    spec = read_input(btk, args.csv, args)
    print_input(spec)
    T, t_source = resolve_temperature(args.temperature, getattr(spec, "temperature_K", None))
    print(f"temperature: {T:g} K (from {'--temperature' if t_source == 'flag' else 'the file header'}"
          + (f"; the header states {spec.temperature_K:g} K" if t_source == "flag"
             and getattr(spec, "temperature_K", None) is not None else "") + ")")
    lockin_mV, lockin_info = resolve_lockin(getattr(spec, "lockin", None), args.no_lockin)
    print(lockin_line(lockin_info))
    flags = trust.data_flags(spec.bias_mV, spec.didv)
    counts = spec.counts if spec.counts is not None else 1
    sigma = None
    if args.sigma is not None:     # noise of one reading in the file's unit -> noise of the fitted data
        sigma = args.sigma / np.sqrt(counts)
    norm_info = None
    bgdeg = None
    if args.normalize == "none":
        G = spec.didv
        print("normalization: none (data taken as normalized)")
    elif args.normalize == "outer":
        ns = btk.normalize(spec.bias_mV, spec.didv, degree=args.bg_degree, outer_fraction=args.bg_fraction)
        G = ns.G
        if sigma is not None:
            sigma = sigma / ns.background
        norm_info = {"method": "outer: polynomial fitted to the outer bias range, then divided",
                     "degree": ns.degree, "fit_region_abs_bias_min_mV": ns.v_min,
                     "coefficients_low_order_first_per_mV": list(ns.coefficients)}
        print(f"normalization: degree-{ns.degree} polynomial fitted on |V| >= {ns.v_min:.4g} mV, then divided")
    else:
        G = spec.didv
        bgdeg = args.bg_degree
        norm_info = {"method": "joint: raw dI/dV = P(V) * G_model(V), P fitted with the model parameters",
                     "degree": bgdeg, "variable": "V / max|V|",
                     "coefficients": "bg0.. in fit.parameters"}
        print(f"normalization: degree-{bgdeg} polynomial background fitted jointly with the model")
    if sigma is not None and getattr(sigma, "ndim", 0) and sigma.size and (sigma == sigma.flat[0]).all():
        sigma = float(sigma.flat[0])
    if args.fit_temperature:
        print(f"temperature: fitted (effective), starting at {T:g} K")
    extra = {k: v for k, v in (("tip_gap", args.tip_gap), ("lockin_mV", lockin_mV)) if v is not None}
    try:
        res = btk.fit(spec.bias_mV, G, n_gaps=gaps, symmetry=symmetry, T=T, sigma=sigma,
                      starts=args.starts, angle_resolved=not args.normal_incidence, background_degree=bgdeg,
                      bg_outer_fraction=args.bg_fraction, model=args.model, polarization=args.polarization,
                      fit_temperature=args.fit_temperature, series_resistance=args.series_resistance,
                      bias_offset=args.bias_offset, **extra)
    except ConvergenceError as exc:
        print(f"error: the fit did not converge ({exc}); nothing written", file=sys.stderr)
        return EXIT_UNDETERMINED
    except ValueError as exc:
        if flags.ok:
            raise
        raise ValueError(f"{exc} (the data: {'; '.join(flags.messages)})") from None
    verdict = trust.assess_fit(res, channel=spec.columns[1], from_current=bool(args.from_current),
                               tip_gap=args.tip_gap)
    determined, sigma_source = bool(res.determined) and verdict.ok, res.sigma_source
    bics = res.bic_by_n_gaps or {len(res.gaps): res.bic}

    print(cli_words(res.report()))
    if sigma_source == "given":
        print(f"uncertainties: from --sigma = {args.sigma:g} (file's dI/dV unit), not rescaled; "
              f"reduced chi^2 = {res.redchi:.3g}")
    else:
        print("uncertainties: scaled by the fit residuals (no --sigma given)")
    print("BIC: " + ", ".join(f"{k} gap{'s' if str(k) != '1' else ''} = {v:.6g}" for k, v in bics.items())
          + (f" -> {len(res.gaps)} gap(s) chosen" if gaps == "auto" else ""))
    code = EXIT_OK if determined else EXIT_UNDETERMINED
    problems = [cli_words(str(p)) for p in res.problems] + list(verdict.messages)
    print(gates_line(verdict))
    if not determined:
        print(undetermined_line(problems))

    fitd = res.to_dict()
    out = {"input": os.path.abspath(spec.path), "n_points": int(spec.bias_mV.size),
           "bias_unit_in_file": spec.bias_unit, "bias_unit_source": spec.bias_unit_source,
           "columns": list(spec.columns), "units": {"bias": "mV", "energies": "meV", "T": "K",
                                                    "sigma": "unit of the file's dI/dV column"},
           "normalization": norm_info,
           "model": {"name": args.model, "angle_resolved": not args.normal_incidence,
                     "dynes": "E + i*Gamma inside gamma_+-", "n_gaps_requested": str(gaps),
                     "polarization": args.polarization, "fit_temperature": args.fit_temperature,
                     "series_resistance": args.series_resistance, "bias_offset": args.bias_offset,
                     "tip_gap_meV": args.tip_gap, "lockin_peak_mV": lockin_mV},
           "temperature": {"value_K": T, "source": t_source,
                           "header_K": _jsonable(getattr(spec, "temperature_K", None)),
                           "fitted": bool(args.fit_temperature)},
           "lockin": lockin_info,
           "trust": verdict.to_dict(),
           "fit": fitd,
           "input_file": input_details(spec, args),
           "sigma": {"source": sigma_source, "didv_noise_per_reading": args.sigma,
                     "meaning": "noise of one reading of the dI/dV column as given in the file"},
           "status": {"exit_code": code, "determined": determined, "problems": problems},
           "figure": None}
    return _write_outputs(out, res, spec, symmetry, args, json_path, png_path, code)


def _write_outputs(out, res, spec, symmetry, args, json_path, png_path, code):
    """Draw the figure in memory, then stage the JSON and the PNG and rename them (JSON first).

    An earlier PREFIX.png is deleted before the new JSON is renamed into
    place, so that an interruption never leaves an old figure beside a new
    JSON (nor a new figure beside an old JSON).
    """
    png = None
    fig_error = None
    if not args.no_figure:
        try:
            use_agg()
            from .viz.btk import plot_fit
            quality = f"red. χ² = {res.redchi:.3g}" if res.sigma is not None else f"rms = {res.rms:.2g}"
            fig = plot_fit(res, title=f"{os.path.basename(spec.path)}: {'+'.join(symmetry)} fit, "
                                      f"T = {res.T:g} K, {quality}")
            buf = io.BytesIO()
            save_figure(fig, buf)
            png = buf.getvalue()
            out["figure"] = os.path.abspath(png_path)
        except Exception as exc:      # a failed figure must not lose the fit
            fig_error = f"{type(exc).__name__}: {exc}"
            out["figure_error"] = fig_error
            code = EXIT_OUTPUT
            out["status"]["exit_code"] = code
    return write_outputs(json_path, out, png_path, png, code)
