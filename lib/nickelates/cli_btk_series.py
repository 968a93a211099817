"""``python -m nickelates fit-btk-series``: fit a temperature series of spectra jointly.

Reads every FILE (same input rules and flags as ``fit-btk``), with a
polynomial normal-state background per spectrum fitted jointly with the model
(``--normalize joint``, default), or divided out first (``outer``, the
paper's procedure), or none (normalized data), and fits them together with
:func:`nickelates.btk.fit_series`: shared barriers and weights, broadening per
spectrum, gaps following Δ(T) = Δ(0) tanh(a √(Tc/T − 1)) (or free per
temperature with --free-gaps). Writes ``PREFIX.json`` (``delta1_0``,
``delta2_0`` for two gaps, ``Tc``, each ``{value, stderr}``, the ratios
2Δ(0)/kBTc, correlations and the per-spectrum results) and ``PREFIX.png``
(every spectrum with its fit, and Δ(T)).

--sigma is the noise of one reading of the dI/dV columns as given in the
files (their unit); without it the uncertainties are scaled by the residuals.

--temperatures may be left out when every file's header states the
microscope temperature (stored with its source in the JSON "inputs").
A current channel is refused unless --from-current (the dI/dV is then the
Savitzky-Golay derivative of the current). The joint model has no lock-in
instrument function: a running lock-in stated in a header is reported, not
folded in (fit single spectra with fit-btk for that).

Trust gates (:mod:`nickelates.trust`, fit-btk's rule) judge each spectrum at
the joint solution: negative or clipped conductance, a gap at the edge of the
bias window or a high rms on any spectrum, or no gap / Γ >= Δ at the lowest
temperature, make the series NOT DETERMINED (exit 3); spectra above the
lowest temperature may lose their gap (the gap closes towards Tc).

Exit codes: 0 all parameters determined; 1 output not completely written;
2 bad input or arguments (nothing written); 3 fit made but parameters
undetermined (JSON and figure still written, the reason printed); 130 Ctrl-C
(temporaries removed, earlier outputs unchanged). Outputs are
written atomically, the folder's writability is checked before the fit,
--force is needed to replace, and no stale PREFIX.png is left behind.
"""
from __future__ import annotations

import io
import os
import sys

from .cli_btk import (EXIT_OK, EXIT_OUTPUT, EXIT_UNDETERMINED, add_input_arguments, guarded,
                      check_number, check_outputs, cli_words, input_details, print_input, read_input,
                      resolve_lockin, save_figure, undetermined_line, use_agg, write_outputs)

__all__ = ["HELP", "DESCRIPTION", "add_arguments", "run", "FIGURE_FUNCTION"]

HELP = "fit a temperature series of Andreev spectra jointly (BCS-like gaps, Tc)"
DESCRIPTION = __doc__.split("\n", 1)[1]

FIGURE_FUNCTION = "figure_series"
"""Name of the :mod:`nickelates.viz.btk` function drawing a ``SeriesFit`` (figure of the spectra and Δ(T))."""


def add_arguments(p):
    """Add the ``fit-btk-series`` options to the argparse parser ``p``."""
    p.add_argument("files", nargs="+", metavar="FILE", help="spectrum files, one per temperature")
    p.add_argument("--temperatures", default=None, metavar="T1,T2,...",
                   help="temperature of each file in K, comma separated, in the order of the files (default: "
                        "each file's header)")
    p.add_argument("--gaps", choices=("1", "2"), default="2", help="number of gaps (default 2)")
    p.add_argument("--symmetry", default="s", help="gap symmetries, e.g. 's', 's,s' or 's,d' (default s)")
    p.add_argument("--free-gaps", action="store_true",
                   help="fit a free gap per temperature instead of the BCS-like Δ(T)")
    p.add_argument("--model", choices=("btk", "dynes"), default="btk",
                   help="'btk' (Andreev reflection) or 'dynes' (tunnel junction) (default btk)")
    p.add_argument("--polarization", action="store_true",
                   help="fit a spin polarization P shared by all spectra (BTK model only)")
    add_input_arguments(p)
    p.add_argument("--normalize", choices=("joint", "outer", "none"), default="joint",
                   help="'joint' = a polynomial background per spectrum fitted with the model (default); "
                        "'outer' = divide each spectrum first by a polynomial fitted to its outer bias range "
                        "(the paper's procedure); 'none' = data already normalized")
    p.add_argument("--bg-degree", type=int, default=2, help="degree of the background polynomial (default 2)")
    p.add_argument("--bg-fraction", type=float, default=0.3,
                   help="outer fraction of the bias range used for the background (default 0.3)")
    p.add_argument("--starts", type=int, default=None, help="multi-start count, 1..200 (default: the library's)")
    p.add_argument("--sigma", type=float, default=None,
                   help="noise (standard deviation) of one reading of the dI/dV columns AS GIVEN IN THE FILES, "
                        "in their unit (not of the normalized G); default: uncertainties scaled by the residuals")
    p.add_argument("--output", "-o", default=None, metavar="PREFIX",
                   help="output prefix (default: first file without extension + '_series')")
    p.add_argument("--force", action="store_true", help="replace existing output files of the same prefix")
    p.add_argument("--no-figure", action="store_true",
                   help="write only the JSON (an earlier PREFIX.png is removed, with --force)")


def run(args) -> int:
    """Run ``fit-btk-series``; return the exit code (0, 1, 2 or 3, see the module docstring)."""
    return guarded(_run, args)


def parse_temperatures(text, n_files):
    """``"3,10,20"`` -> [3.0, 10.0, 20.0], one per file (ValueError naming --temperatures)."""
    try:
        temps = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise ValueError(f"--temperatures must be numbers in K separated by commas, got {text!r}") from None
    if len(temps) != n_files:
        raise ValueError(f"--temperatures lists {len(temps)} temperature(s) for {n_files} file(s); "
                         f"give one per file, in the same order")
    for t in temps:
        check_number("--temperatures", t, 0.0, 1e5, lo_open=True)
    return temps


def _check_args(args):
    temps = None if args.temperatures is None else parse_temperatures(args.temperatures, len(args.files))
    n_gaps = int(args.gaps)
    sym = tuple(s.strip() for s in args.symmetry.split(","))
    if len(sym) == 1:
        sym = sym * n_gaps
    if len(sym) != n_gaps or any(s not in ("s", "d") for s in sym):
        raise ValueError(f"--symmetry must list {n_gaps} of 's'/'d' separated by commas, got {args.symmetry!r}")
    check_number("--sigma", args.sigma, 0.0, lo_open=True)
    check_number("--bg-fraction", args.bg_fraction, 0.0, 1.0, lo_open=True)
    if args.starts is not None and not 1 <= args.starts <= 200:
        raise ValueError(f"--starts must be in 1..200, got {args.starts}")
    if not 0 <= args.bg_degree <= 6:
        raise ValueError(f"--bg-degree must be in 0..6, got {args.bg_degree}")
    if args.model == "dynes" and args.polarization:
        raise ValueError("--polarization needs --model btk (a tunnel junction has no Andreev current)")
    if len(set(map(os.path.abspath, args.files))) != len(args.files):
        raise ValueError("a FILE is listed twice")
    return temps, n_gaps, sym


def _run(args) -> int:
    temps, n_gaps, symmetry = _check_args(args)
    prefix = args.output or os.path.splitext(args.files[0])[0] + "_series"
    json_path, png_path = prefix + ".json", prefix + ".png"
    check_outputs([json_path, png_path], args.force)

    import numpy as np

    from . import btk
    from .errors import ConvergenceError

    from . import trust

    spectra, sigmas, inputs, norms, specs = [], [], [], [], []
    sources = []
    for path in args.files:
        spec = read_input(btk, path, args)
        print_input(spec)
        specs.append(spec)
    if temps is None:
        missing = [p for p, sp in zip(args.files, specs) if getattr(sp, "temperature_K", None) is None]
        if missing:
            raise ValueError(f"--temperatures is needed: no microscope temperature in the header of {missing[0]}")
        temps = [float(sp.temperature_K) for sp in specs]
        for t in temps:
            check_number("--temperatures", t, 0.0, 1e5, lo_open=True)
        sources = ["header"] * len(temps)
    else:
        sources = ["flag"] * len(temps)
    print("temperatures: " + ", ".join(f"{t:g} K" for t in temps)
          + (" (from the headers)" if sources[0] == "header" else " (from --temperatures)"))
    for path, spec in zip(args.files, specs):
        _, li = resolve_lockin(getattr(spec, "lockin", None), args.no_lockin)
        if li.get("used"):
            print(f"lock-in: {path}: modulation {li['amplitude_mV']:.4g} mV {li['kind']} "
                  f"({li['peak_mV']:.4g} mV peak) running, NOT folded in: the joint series model has no lock-in "
                  f"instrument function (fit-btk has)")
    for T, spec, src in zip(temps, specs, sources):
        sig = None if args.sigma is None else args.sigma / np.sqrt(spec.counts)
        if args.normalize == "outer":
            ns = btk.normalize(spec.bias_mV, spec.didv, degree=args.bg_degree, outer_fraction=args.bg_fraction)
            G = ns.G
            sig = None if sig is None else sig / ns.background
            norms.append({"degree": ns.degree, "fit_region_abs_bias_min_mV": ns.v_min,
                          "coefficients_low_order_first_per_mV": list(ns.coefficients)})
        else:                     # joint (raw dI/dV, background fitted) or none (normalized data)
            G = spec.didv
        spectra.append((spec.bias_mV, G))
        sigmas.append(sig)
        inputs.append({"T_K": T, "T_source": src, "n_points": int(spec.bias_mV.size),
                       "bias_unit_in_file": spec.bias_unit,
                       "bias_unit_source": spec.bias_unit_source, "columns": list(spec.columns),
                       **input_details(spec, args)})
    kw = {}
    if args.starts is not None:
        kw["starts"] = args.starts
    if args.normalize == "joint":
        kw["background_degree"] = args.bg_degree
    if args.model != "btk":
        kw["model"] = args.model
    if args.polarization:
        kw["polarization"] = True
    print(f"fitting {len(spectra)} spectra jointly at T = {', '.join(f'{t:g}' for t in temps)} K "
          f"({n_gaps} gap(s), {'free gaps' if args.free_gaps else 'BCS-like gaps'})")
    try:
        res = btk.fit_series(spectra, temps, n_gaps=n_gaps, symmetry=symmetry, free_gaps=args.free_gaps,
                             sigma=None if args.sigma is None else sigmas, **kw)
    except ConvergenceError as exc:
        print(f"error: the series fit did not converge ({exc}); nothing written", file=sys.stderr)
        return EXIT_UNDETERMINED
    determined, problems = bool(res.determined), [cli_words(str(p)) for p in res.problems]
    verdicts = [trust.assess_fit(f, channel=sp.columns[1], from_current=bool(args.from_current))
                for f, sp in zip(res.fits, specs)]
    base = min(range(len(temps)), key=lambda k: temps[k])
    always = {"negative_conductance", "clipped", "gap_at_edge", "high_rms", "not_a_conductance"}
    gate_problems = []
    for k, (path, v) in enumerate(zip(args.files, verdicts)):
        counted = [(r, m) for r, m in zip(v.reasons, v.messages) if k == base or r in always]
        gate_problems += [f"{os.path.basename(path)} (T = {temps[k]:g} K): {m}" for _, m in counted]
    problems += gate_problems
    determined = determined and not gate_problems
    print(cli_words(res.report()))
    print("trust gates: " + ("passed" if not gate_problems else "NOT DETERMINED") + "; "
          + "; ".join(f"T = {temps[k]:g} K: {'ok' if v.ok else ','.join(v.reasons)}" for k, v in enumerate(verdicts)))
    summary = res.to_dict()
    print("uncertainties: " + ("from --sigma (files' dI/dV unit), not rescaled" if args.sigma is not None
                               else "scaled by the fit residuals (no --sigma given)"))
    code = EXIT_OK if determined else EXIT_UNDETERMINED
    if not determined:
        print(undetermined_line(problems))
    out = {"command": "fit-btk-series", "temperatures_K": temps,
           "units": {"bias": "mV", "energies": "meV", "T": "K", "sigma": "unit of the files' dI/dV columns"},
           "normalization": {"method": args.normalize, "degree": args.bg_degree, "per_spectrum": norms},
           "options": {"n_gaps": n_gaps, "symmetry": list(symmetry), "free_gaps": args.free_gaps,
                       "model": args.model, "polarization": args.polarization,
                       "gap_temperature": "free" if args.free_gaps else "Delta(0) tanh(a sqrt(Tc/T - 1))"},
           "determined": determined, "problems": problems,
           **summary,
           "sigma": {"source": "given" if args.sigma is not None else "residuals",
                     "didv_noise_per_reading": args.sigma},
           "inputs": inputs,
           "trust": [dict(v.to_dict(), file=os.path.abspath(p), T_K=t, counts=(k == base or
                                                                                   bool(set(v.reasons) & always)))
                     for k, (v, p, t) in enumerate(zip(verdicts, args.files, temps))],
           "status": {"exit_code": code, "determined": determined, "problems": problems},
           "figure": None}
    png = None
    if not args.no_figure:
        try:
            use_agg()
            from .viz import btk as vbtk
            fig = getattr(vbtk, FIGURE_FUNCTION)(res)
            buf = io.BytesIO()
            save_figure(fig, buf)
            png = buf.getvalue()
            out["figure"] = os.path.abspath(png_path)
        except Exception as exc:      # a failed figure must not lose the fit
            out["figure_error"] = f"{type(exc).__name__}: {exc}"
            code = EXIT_OUTPUT
            out["status"]["exit_code"] = code
    return write_outputs(json_path, out, png_path, png, code)
