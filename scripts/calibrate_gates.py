"""Calibrate the trust gates of :mod:`nickelates.trust` on SYNTHETIC spectra only.

Two families, each fitted the way the CLIs fit (``fit-btk``: ``btk.fit`` with a
degree-2 background fitted jointly, 6 starts; ``fit-map``: the per-pixel
``gapmap.fit_spectrum``), then judged by :func:`nickelates.trust.assess`:

* gapped spectra (BCS/Dynes tunnel spectra and BTK point contacts) with a
  smooth normal-state background and white noise at signal-to-noise 20
  (noise σ = G_N / 20): the fraction the gates reject is the
  FALSE-REJECTION rate (required ≤ 2 %);
* gapless spectra (metallic, semiconductor-like U and V shapes,
  graphene-like, noise only) at the same noise: the fraction that passes
  every gate AND is "determined" by the fit is the FALSE-ACCEPTANCE rate.

The thresholds are module constants of ``nickelates.trust`` and are not changed
by this script (it only measures them); measured instrument files are never used.

Writes ``data/gate_calibration.json`` (settings, ranges, thresholds, rates with
95 % Wilson intervals, reasons). ``--small`` runs a few spectra per class (tests).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from nickelates import btk, gapmap, paths, trust
from nickelates.btk.model import K_B_MEV_PER_K

SNR = 20.0
N_POINTS = 201
RANGES = {"delta_meV": (0.2, 3.0), "delta_over_window": (0.08, 0.4), "kT_over_delta": (0.02, 0.25),
          "gamma_over_delta": (0.005, 0.3), "Z_btk": (0.0, 2.0),
          "background": "1 + a x + b x^2, x = V/max|V|, a in [-0.1, 0.1], b in [-0.1, 0.2]"}
GAPLESS = ("metallic", "v_shape", "u_shape", "graphene", "noise_constant", "noise_zero_mean")


def _background(rng, x):
    return 1 + rng.uniform(-0.1, 0.1) * x + rng.uniform(-0.1, 0.2) * x ** 2


def gapped_sample(rng, model):
    """One synthetic gapped spectrum: (bias, G, truth dict)."""
    delta = math.exp(rng.uniform(*np.log(RANGES["delta_meV"])))
    vmax = delta / rng.uniform(*RANGES["delta_over_window"])
    kt = delta * rng.uniform(*RANGES["kT_over_delta"])
    T = max(kt / K_B_MEV_PER_K, 0.01)
    gamma = delta * math.exp(rng.uniform(*np.log(RANGES["gamma_over_delta"])))
    z = rng.uniform(*RANGES["Z_btk"]) if model == "btk" else 0.0
    b = np.linspace(-vmax, vmax, N_POINTS)
    g = btk.conductance(b, delta, z, gamma, T, model=model, angle_resolved=model == "btk")
    g = g * _background(rng, b / vmax) + rng.standard_normal(b.size) / SNR
    return b, g, {"delta": delta, "gamma": gamma, "T": T, "Z": z, "vmax": vmax, "model": model}


def gapless_sample(rng, kind):
    """One synthetic gapless spectrum (normal level ~1 at the window's edge): (bias, G, truth dict)."""
    vmax = math.exp(rng.uniform(math.log(1.0), math.log(300.0)))
    b = np.linspace(-vmax, vmax, N_POINTS)
    x = b / vmax
    if kind == "metallic":
        g = _background(rng, x)
    elif kind == "v_shape":                       # Coulomb-gap / d-wave-like without peaks
        c = rng.uniform(0.05, 1.0)
        g = (c + np.abs(x)) / (c + 1)
    elif kind == "u_shape":                       # semiconductor: no states in |V| < Eg, then a power law
        eg, p = rng.uniform(0.1, 0.5), rng.uniform(0.5, 2.0)
        w = rng.uniform(0.01, 0.1)
        u = np.maximum(np.abs(x) - eg, 0.0) ** p
        sig = max(w * N_POINTS / 2, 0.5)          # thermal/instrumental smoothing, in points
        j = np.arange(-int(3 * sig) - 1, int(3 * sig) + 2)
        k = np.exp(-0.5 * (j / sig) ** 2)
        u = np.convolve(np.pad(u, j.size, mode="edge"), k / k.sum(), mode="same")[j.size:-j.size]
        g = (rng.uniform(0.0, 0.05) + u) / max(u[-5:].mean(), 1e-3)
    elif kind == "graphene":                      # Dirac point off zero, phonon-assisted step at +-E_ph
        vd, gmin = rng.uniform(-0.3, 0.3), rng.uniform(0.05, 0.4)
        g = gmin + np.abs(x - vd)
        if rng.uniform() < 0.5:
            eph, supp = rng.uniform(0.1, 0.4), rng.uniform(0.3, 0.8)
            g = g * np.where(np.abs(x) < eph, supp, 1.0)
        g = g / g[-5:].mean()
    elif kind == "noise_constant":
        g = np.ones_like(b)
    elif kind == "noise_zero_mean":
        g = np.zeros_like(b)
    else:
        raise ValueError(kind)
    g = g + rng.standard_normal(b.size) / SNR
    delta_scale = 0.25 * vmax                     # the user's guess of the temperature scale
    T = max(delta_scale * rng.uniform(*RANGES["kT_over_delta"]) / K_B_MEV_PER_K, 0.01)
    return b, g, {"kind": kind, "vmax": vmax, "T": T}


def judge_single(b, g, T, model):
    """fit-btk's path: joint degree-2 background, 6 starts; returns (gates ok, determined, reasons, delta)."""
    try:
        r = btk.fit(b, g, n_gaps=1, T=T, model=model, starts=6, background_degree=2)
    except Exception as exc:  # counted as a rejection, never hidden
        return False, False, (f"fit_error: {type(exc).__name__}",), float("nan"), {}
    v = trust.assess_fit(r)
    return v.ok, bool(r.determined), v.reasons, r.values.get("delta1", float("nan")), v.metrics


MAP_BACKGROUND = 2                  # fit-map's default --bg-degree


def judge_map(b, g, T, model):
    """fit-map's path: a 1 x 1 block through gapmap.fit_rows (fit-map's default background) and gate_block."""
    from nickelates.gapmap.engine import gate_block
    block = g[None, None, :]
    out = gapmap.fit_rows(block, b, T, model, 1, background=MAP_BACKGROUND)
    fit_ok = bool(out["ok"][0, 0])
    gate_block(out, block, b, model, 1)
    why = () if out["ok"][0, 0] else (gapmap.REASONS.get(int(out["reason"][0, 0]), "?"),)
    met = {}
    if fit_ok:                          # the gates' numbers, for the quantiles
        k = sum(1 for n in out if not n.endswith("_stderr") and n not in ("redchi", "ok", "reason", "nfev"))
        met = trust.assess(b, g, gaps=[out["delta1"][0, 0]], gammas=[out["gamma1"][0, 0]],
                           chisqr=float(out["redchi"][0, 0]) * max(b.size - k, 1), n_params=k).metrics
    return bool(out["ok"][0, 0]), fit_ok, why, float(out["delta1"][0, 0]), met


def _quantiles(x):
    x = np.asarray([v for v in x if math.isfinite(v)])
    if not x.size:
        return None
    return {f"p{q}": float(np.percentile(x, q)) for q in (0, 2, 10, 50, 90, 98, 100)}


def wilson(k, n, z=1.96):
    """95 % Wilson interval of a rate k/n."""
    if n == 0:
        return [None, None]
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return [max(0.0, c - h), min(1.0, c + h)]


def rate(k, n):
    return {"count": k, "n": n, "rate": k / n if n else None, "wilson95": wilson(k, n)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--small", action="store_true", help="a few spectra per class (for tests)")
    p.add_argument("--n-gapped", type=int, default=200, help="gapped spectra per model and path (default 200)")
    p.add_argument("--n-gapless", type=int, default=60, help="gapless spectra per kind and path (default 60)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--paths", default="single,map", help="fit paths to run, comma separated (default both)")
    p.add_argument("--out", default=str(paths.data_file("gate_calibration.json")) if hasattr(paths, "data_file")
                   else "data/gate_calibration.json")
    a = p.parse_args(argv)
    n_gapped, n_gapless = (4, 2) if a.small else (a.n_gapped, a.n_gapless)
    rng = np.random.default_rng(a.seed)
    t0 = time.time()
    out = {"what": "false-rejection and false-acceptance rates of nickelates.trust on synthetic spectra",
           "script": "scripts/calibrate_gates.py" + (" --small" if a.small else ""),
           "settings": {"snr": SNR, "noise": "white Gaussian, sigma = G_N / snr", "n_points": N_POINTS,
                        "ranges": RANGES, "seed": a.seed, "n_gapped_per_model_and_path": n_gapped,
                        "n_gapless_per_kind_and_path": n_gapless,
                        "fit_single": "btk.fit(n_gaps=1, starts=6, background_degree=2), model as generated "
                                      "(gapless spectra: both btk and dynes)",
                        "fit_map": "gapmap.fit_rows(1 x 1 block, n_gaps=1, background=2) + engine.gate_block "
                                   "(fit-map's path; a pixel the fit itself flags counts as rejected)"},
           "thresholds": trust.thresholds(), "gapped": {}, "gapless": {}}
    for path, judge in (("single", judge_single), ("map", judge_map)):
        if path not in a.paths.split(","):
            continue
        rej_all, n_all = 0, 0
        for model in ("dynes", "btk"):
            rej, undet, reasons, errs, dbics = 0, 0, Counter(), [], []
            for _ in range(n_gapped):
                b, g, truth = gapped_sample(rng, model)
                ok, det, why, d, met = judge(b, g, truth["T"], model)
                dbics.append(met.get("delta_bic", float("nan")))
                rej += not ok
                undet += ok and not det
                reasons.update(why)
                if ok and math.isfinite(d):
                    errs.append(d / truth["delta"] - 1)
            out["gapped"][f"{path}/{model}"] = {
                "false_rejection_by_gates": rate(rej, n_gapped),
                "passed_gates_but_fit_not_determined": rate(undet, n_gapped),
                "reasons": dict(reasons), "delta_bic_quantiles": _quantiles(dbics),
                "delta_relative_error_of_accepted": {"median_abs": float(np.median(np.abs(errs))) if errs else None,
                                                     "p95_abs": float(np.percentile(np.abs(errs), 95)) if errs
                                                     else None}}
            rej_all += rej
            n_all += n_gapped
            print(f"{path}/{model}: false rejections {rej}/{n_gapped}  {dict(reasons)}", flush=True)
        out["gapped"][f"{path}/all"] = {"false_rejection_by_gates": rate(rej_all, n_all)}
        acc_all, n_all = 0, 0
        for kind in GAPLESS:
            acc, reasons, dbics = 0, Counter(), []
            models = ("btk", "dynes")
            for i in range(n_gapless):
                b, g, truth = gapless_sample(rng, kind)
                ok, det, why, _, met = judge(b, g, truth["T"], models[i % 2])
                dbics.append(met.get("delta_bic", float("nan")))
                acc += ok and det
                reasons.update(why)
            out["gapless"][f"{path}/{kind}"] = {"false_acceptance": rate(acc, n_gapless), "reasons": dict(reasons),
                                                "delta_bic_quantiles": _quantiles(dbics)}
            acc_all += acc
            n_all += n_gapless
            print(f"{path}/{kind}: false acceptances {acc}/{n_gapless}  {dict(reasons)}", flush=True)
        out["gapless"][f"{path}/all"] = {"false_acceptance": rate(acc_all, n_all)}
    out["seconds"] = round(time.time() - t0, 1)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    tmp = f"{a.out}.{os.getpid()}.tmp"
    with open(tmp, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, a.out)
    print(f"wrote {a.out} in {out['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
