"""Polarization study of the real point contacts in ../shared/real-files (chapter 4, issue 22 item 6).

For each published, normalized point-contact spectrum: the free one-gap
polarized BTK fit (Delta, Z, Gamma, P; T fixed), the fits with Delta fixed to
the BCS Delta(T) of the known superconductor (with and without a series
resistance, and with a fitted effective temperature), the profile likelihood
of P (and of Delta for the free fit), and an emcee posterior; plus the Z -> 0
extrapolation on synthetic contacts of known P. Everything the chapter shows
about the real files comes from the JSON written here (the book builds
without ../shared); the spectra themselves are not copied.

Usage:
    python scripts/polarization_study.py [--small] [--out data/polarization_study.json]
                                         [--real-files DIR] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from nickelates import btk, paths
from nickelates.btk import polarization as pol

# T: the README of the real files / the file name; "material": the superconductor when known
CONTACTS = [
    {"file": "stoner_PCAR_Co.csv", "pair": "Co / Nb", "T": 4.2, "T_source": "README (~4.2 K, liquid He)",
     "superconductor": "Nb", "ferromagnet": "Co",
     "publisher": "Stoner-PythonCode example data; its PCAR-New.ini starts the fit at Delta = 1.5 meV, "
                  "Z = 0.17 and holds P = 0.5 fixed (starting values, no published result)"},
    {"file": "tp_Nb.csv", "pair": "Nb / ? (normal metal)", "T": 2.0,
     "T_source": "not stated; README range 1.6-3 K, 2 K assumed", "superconductor": "Nb",
     "ferromagnet": None, "mcmc": False,
     "why_no_mcmc": "dips beside the gap (critical-current regime): BTK does not describe the spectrum",
     "publisher": "Fitting_Parameters_with_BTK example; fit curve only, no parameters"},
    {"file": "tp_b2.csv", "pair": "? / ?", "T": 2.0, "T_source": "not stated; 2 K assumed",
     "superconductor": None, "ferromagnet": None,
     "publisher": "Fitting_Parameters_with_BTK example; fit curve only, no parameters"},
    {"file": "tp_t1.csv", "pair": "? / ?", "T": 2.0, "T_source": "not stated; 2 K assumed",
     "superconductor": None, "ferromagnet": None,
     "publisher": "Fitting_Parameters_with_BTK example; fit curve only, no parameters"},
    {"file": "tp_NbSe2-FeTaS2_8_2K.csv", "pair": "NbSe2 / Fe-TaS2", "T": 2.0, "T_source": "file name",
     "superconductor": "NbSe2", "ferromagnet": "Fe_xTaS2",
     "publisher": "Fitting_Parameters_with_BTK example; fit curve only, no parameters"},
    {"file": "tp_NbSe2-FeTaS2_8_3K.csv", "pair": "NbSe2 / Fe-TaS2", "T": 3.0, "T_source": "file name",
     "superconductor": "NbSe2", "ferromagnet": "Fe_xTaS2",
     "publisher": "Fitting_Parameters_with_BTK example; fit curve only, no parameters"},
    {"file": "sc_3K_modified.dat", "pair": "? / ?", "T": 3.0, "T_source": "file name",
     "superconductor": None, "ferromagnet": None, "mcmc": False,
     "why_no_mcmc": "a zero-bias peak tens of mV wide: not a one-gap BTK spectrum",
     "publisher": "Fitting_Parameters_with_BTK example; no fit, no parameters"},
]

LITERATURE = {
    "Co": {"P": [0.37, 0.45], "method": "PCAR with Nb and other superconductors",
           "sources": "Soulen et al., Science 282, 85 (1998); Strijkers et al., Phys. Rev. B 63, 104510 (2001)"},
    "Nb": {"Tc_K": 9.25, "delta0_meV": 1.5, "sources": pol.SUPERCONDUCTORS["Nb"].source},
    "NbSe2": {"Tc_K": 7.2, "delta0_meV": 1.1, "sources": pol.SUPERCONDUCTORS["NbSe2"].source},
}


def fit_summary(r):
    return {"values": {k: float(v) for k, v in r.values.items()},
            "stderr": {k: (None if e is None else float(e)) for k, e in r.stderr.items()},
            "correlations": r.correlations, "rms": r.rms, "redchi": r.redchi, "chisqr": r.chisqr,
            "ndata": r.ndata, "nvarys": r.nvarys, "bic": r.bic, "determined": r.determined,
            "problems": list(r.problems), "at_bounds": list(r.at_bounds)}


def variants(c):
    """(label, fit_contact keywords) of the fits made on contact ``c``."""
    out = [("free", {})]
    if c["superconductor"]:
        sc = {"superconductor": c["superconductor"]}
        out += [("delta_bcs", sc), ("delta_bcs_rs", dict(sc, series_resistance=True)),
                ("delta_bcs_Tfree", dict(sc, fit_temperature=True))]
    return out


def study_contact(c, folder, small, seed, log):
    spec = btk.read_spectrum(folder / c["file"])
    b, g = spec.bias_mV, spec.didv
    T = c["T"]
    res = {k: c[k] for k in ("file", "pair", "T", "T_source", "superconductor", "ferromagnet", "publisher")}
    res.update(n_points=int(b.size), bias_range_mV=[float(b.min()), float(b.max())])
    if c["superconductor"]:
        res["delta_bcs_meV"] = pol.superconductor(c["superconductor"]).gap(T)
    fits, best = {}, {}
    for label, kw in variants(c):
        t0 = time.time()
        r = pol.fit_contact(b, g, T=T, starts=3 if small else 8, seed=seed, **kw)
        fits[label] = fit_summary(r)
        best[label] = r
        log(f"  {label:16s} {time.time() - t0:5.1f} s  " + ", ".join(f"{k}={v:.3g}" for k, v in r.values.items())
            + f"  rms={r.rms:.4g}")
    res["fits"] = fits
    # the model curves of the fits on a coarse grid (the data are not copied)
    vgrid = np.linspace(float(b.min()), float(b.max()), 161)
    res["model_bias_mV"] = vgrid.tolist()
    res["models"] = {lab: _curve(vgrid, r, T).tolist() for lab, r in best.items()}
    # profiles
    n = 5 if small else 17
    prof = {}
    first = c["file"] == CONTACTS[0]["file"]           # the Co/Nb contact: the full study
    todo = [("free", "P", {})] + ([("free", "delta1", {})] if first else [])
    if c["superconductor"]:
        todo += [("delta_bcs", "P", {"superconductor": c["superconductor"]}),
                 ("delta_bcs_rs", "P", {"superconductor": c["superconductor"], "series_resistance": True})]
    if small:
        todo = todo[:1]
    for label, par, kw in todo:
        centre = best[label].values[par]
        if par == "P":
            grid = np.linspace(0.0, min(1.0, max(0.8, centre + 0.3)), n)
        else:
            grid = np.linspace(0.5 * centre, 1.5 * centre, n)
        t0 = time.time()
        pr = pol.profile_likelihood(b, g, par, grid, T=T, seed=seed, starts=1 if small else 2, **kw)
        prof[f"{label}:{par}"] = pr.to_dict()
        log(f"  profile {label}:{par} {time.time() - t0:5.1f} s  68 % {pr.interval68}  open {pr.open_sides}")
    res["profiles"] = prof
    # MCMC of the free fit; for Co/Nb also of the fixed-gap fit with series resistance
    runs = {}
    chains = [("free", {})]
    if c["superconductor"] and first:
        chains.append(("delta_bcs_rs", {"delta1": res["delta_bcs_meV"]}))
    if small:
        chains = chains[:1]
    if c.get("mcmc") is False:           # not a BTK spectrum: no posterior worth the CPU time
        chains = []
        res["mcmc_skipped"] = c["why_no_mcmc"]
    for label, fixed in chains:
        r = best[label]
        start = {k: v for k, v in r.values.items() if k in pol.POLARIZED_PARAMETERS and k not in fixed}
        start["gamma1"] = max(start["gamma1"], 1e-3)
        if "P" in start:
            start["P"] = min(max(start["P"], 1e-3), 1 - 1e-3)
        start["Z1"] = max(start["Z1"], 1e-3)
        sigma = max(r.rms, 1e-4)
        t0 = time.time()
        ps = pol.sample_posterior(b, g, T=T, sigma=sigma, start=start, fixed=fixed,
                                  nwalkers=8 if small else (32 if label == "free" and first else 16),
                                  nsteps=60 if small else (3000 if label == "free" and first else 1500),
                                  burn=20 if small else (1000 if label == "free" and first else 500),
                                  thin=1 if small else 10, seed=seed)
        s = ps.summary()
        s["sigma_source"] = "rms residual of the best fit"
        idx = np.random.default_rng(seed).choice(ps.samples.shape[0], min(400, ps.samples.shape[0]),
                                                 replace=False)
        s["samples"] = {k: [round(float(x), 5) for x in ps.samples[idx, i]] for i, k in enumerate(ps.names)}
        runs[label] = s
        log(f"  mcmc {label} {time.time() - t0:5.1f} s  acc={ps.acceptance:.2f}  "
            + ", ".join(f"{k}={ps.median[k]:.3g} [{ps.q16[k]:.3g}, {ps.q84[k]:.3g}] tau={ps.tau[k]:.0f} "
                        f"R={ps.rhat[k]:.3f}" for k in ps.names))
    res["mcmc"] = runs
    return res


def _curve(v, r, T):
    vals = r.values
    return btk.conductance(v, vals["delta1"], vals["Z1"], vals["gamma1"], vals.get("T", T),
                           polarization=vals["P"], series_resistance=vals.get("Rs", 0.0),
                           angle_resolved=False)


def synthetic_study(small, seed, log):
    """Z -> 0 extrapolation on synthetic Co/Nb-like contacts of known intrinsic P."""
    P0, a = 0.42, 0.8
    Z = [0.05, 0.2, 0.35, 0.5] if small else [0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75]
    contacts = pol.synthetic_contacts(P0, Z, spin_flip=a, gamma=0.1, T=4.2, noise=0.004, seed=seed)
    rows = []
    for c in contacts:
        r = pol.fit_contact(c["bias_mV"], c["G"], T=4.2, superconductor="Nb", sigma=0.004,
                            starts=2 if small else 4, seed=seed)
        rows.append({"Z_true": c["Z"], "P_true": c["P"], "Z": r.values["Z1"], "Z_err": r.stderr["Z1"],
                     "P": r.values["P"], "P_err": r.stderr["P"], "gamma": r.values["gamma1"]})
    z = np.array([q["Z"] for q in rows])
    p = np.array([q["P"] for q in rows])
    e = np.array([q["P_err"] or 0.01 for q in rows])
    ex = {}
    for form in ("linear", "quadratic", "exponential"):
        x = pol.extrapolate_polarization(z, p, e, form=form)
        ex[form] = {"P0": x.P0, "P0_err": x.P0_err, "coefficients": x.coefficients, "redchi": x.redchi}
        log(f"  Z->0 {form:11s}: P0 = {x.P0:.3f} +- {x.P0_err:.3f} (true {P0}), redchi {x.redchi:.2f}")
    return {"P0_true": P0, "spin_flip": a, "delta_meV": 1.44, "gamma_meV": 0.1, "T_K": 4.2, "noise": 0.004,
            "fit": "fit_contact(superconductor='Nb', sigma=0.004)", "contacts": rows, "extrapolations": ex}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="Co/Nb only, short profiles and chains (tests)")
    ap.add_argument("--out", type=Path, default=None, help="output JSON (default data/polarization_study.json)")
    ap.add_argument("--real-files", type=Path, default=None, help="folder of the real files "
                    "(default ../shared/real-files beside the repository)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    folder = a.real_files or paths.repo_root().parent / "shared" / "real-files"
    if not folder.is_dir():
        print(f"error: real-files folder {folder} not found", file=sys.stderr)
        return 2
    out = a.out or paths.data_file("polarization_study.json")

    def log(msg):
        print(msg, flush=True)

    t0 = time.time()
    contacts = CONTACTS[:1] if a.small else CONTACTS
    res = {"settings": {"small": a.small, "seed": a.seed, "model": "one gap, polarized BTK "
                        "(Mazin / Strijkers), one-dimensional (normal incidence)", "emcee": _emcee_version(),
                        "sigma": "rms residual of each best fit (no noise stated by the publishers)"},
           "literature": LITERATURE, "superconductors": {k: {"Tc_K": s.Tc_K, "delta0_meV": s.delta0_meV,
                                                             "source": s.source}
                                                         for k, s in pol.SUPERCONDUCTORS.items()},
           "contacts": []}
    def save():                          # atomically, after each step (a long run keeps its progress)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(res, indent=1))
        tmp.replace(out)

    log("synthetic contacts")
    res["synthetic"] = synthetic_study(a.small, a.seed, log)
    for c in contacts:
        log(f"{c['file']} (T = {c['T']} K)")
        res["contacts"].append(study_contact(c, folder, a.small, a.seed, log))
        save()
    res["settings"]["runtime_s"] = round(time.time() - t0, 1)
    res["settings"]["complete"] = True
    save()
    log(f"wrote {out} in {time.time() - t0:.0f} s")
    return 0


def _emcee_version():
    import emcee
    return emcee.__version__


if __name__ == "__main__":
    sys.exit(main())
