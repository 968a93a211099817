"""Split the mean field's miss in the balance point J_c into model, ansatz and boundary errors (issue 24 item 4).

For every (L, N_h) with a stored microscopic exact balance point (ED at L = 4, 6, 8 in
``data/mixd_balance_points_small.json`` and ``data/mixd_balance_points.json``; DMRG at
L = 16 in ``data/mixd_balance_points_dmrg.json`` where the effective model's sector is
small enough for ED) it computes, with ``nickelates.mixd_effective``:

* J_effective: the O(t^2)-complete effective sc/cc model solved exactly (ED, open ladder);
* J_mf_open: the mean field of the same model on the same open ladder (real space);
* J_mf_periodic: the momentum-space mean field of the same model (``mixd.balance_point``
  with every O(t^2) flag, periodic ladder of the same L);
* J_mf_paper: the paper's mean field (periodic, no O(t^2) completion), for reference;

and the split model = J_effective - J_exact, ansatz = J_mf_open - J_effective,
boundary = J_mf_periodic - J_mf_open (sum: J_mf_periodic - J_exact).  A mean-field-only
series (``boundary_series``) follows the boundary error to L = 32 at delta = 1/4 and 1/2.  Writes
``data/mixd_ansatz_split.json`` with the settings; ``doping`` = N_h / 2L (as every
data file), ``delta`` = N_h / L (chapter 7's doping).  Runs in about ten minutes on one core.

    python scripts/mixd_ansatz_split.py              # every stored point
    python scripts/mixd_ansatz_split.py --small      # L = 4 only (seconds), for the tests
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

from nickelates import __version__, mixd, paths
from nickelates import mixd_effective as me

T_PAR, V, XTOL = 0.1, 1.0, 1e-9
SOURCES = ("mixd_balance_points_small.json", "mixd_balance_points.json", "mixd_balance_points_dmrg.json")
#: largest effective-model sector solved by ED here (L = 16 reaches N_h = 4 only)
MAX_DIM = 100_000
#: (L, N_h) whose microscopic balance point this script computes itself (ED, about a minute)
EXTRA = ()
#: mean field only, open vs periodic, at delta = 1/4 and 1/2: the boundary error's L dependence
SERIES = ((8, 2), (16, 4), (32, 8), (8, 4), (16, 8), (32, 16))
FULL = dict(three_site=True, sc_cc_repulsion=True, hartree=True, cc_three_site=True)


def boundary_row(L, nh):
    """Open (real space) and periodic (momentum space) mean-field J_c of the complete model."""
    t0 = time.perf_counter()
    Jo = me.real_space_balance_point(L, nh, T_PAR, V, bracket=(0.8, 1.3), xtol=1e-8)
    Jp = mixd.balance_point(L, nh, T_PAR, V, xtol=1e-10, **FULL)
    return {"L": L, "n_holes": nh, "doping": nh / (2 * L), "delta": nh / L, "J_mf_open": Jo,
            "J_mf_periodic": Jp, "boundary_error": Jp - Jo, "seconds": time.perf_counter() - t0}


def exact_points(small=False):
    """Microscopic exact balance points by (L, N_h): ED preferred over DMRG."""
    out = {}
    for name in SOURCES:
        f = paths.data_file(name)
        if not f.exists():
            continue
        for p in json.loads(f.read_text())["points"]:
            if not p.get("ok", True) or p.get("J_exact") is None:
                continue
            key = (p["L"], p["n_holes"])
            method = p.get("method", "ed")
            if key in out and out[key]["method"] == "ed":
                continue
            out[key] = {"J_exact": p["J_exact"], "method": method, "source": f"data/{name}",
                        "chi_max": p.get("chi_max")}
    keys = sorted(k for k in out if k[1] <= k[0] and (k[0] == 4 or not small))
    return [(k, out[k]) for k in keys]


def effective_dimension(L, n_holes):
    """States of the effective model's default sector (counted, not enumerated)."""
    return me._sector_count(L, n_holes)


def computed_points(small=False):
    """Microscopic ED balance points not in the data files, computed here (L = 6, N_h = 3: delta = 1/2)."""
    from nickelates import mixd_exact as mx
    out = []
    for key in ([] if small else EXTRA):
        t0 = time.perf_counter()
        J = mx.balance_point(*key, T_PAR, V, xtol=1e-6)
        out.append((key, {"J_exact": J, "method": "ed", "source": "computed by this script "
                          f"(mixd_exact.balance_point, xtol 1e-6, {time.perf_counter() - t0:.0f} s)",
                          "chi_max": None}))
    return out


def row(key, ex):
    L, nh = key
    t0 = time.perf_counter()
    s = me.ansatz_split(L, nh, ex["J_exact"], T_PAR, V, xtol=XTOL)
    paper = mixd.balance_point(L, nh, T_PAR, V, xtol=XTOL)
    paper_open = me.real_space_balance_point(L, nh, T_PAR, V, three_site=False, sc_cc_repulsion=False,
                                             hartree=False, cc_three_site=False, xtol=XTOL)
    eff_paper = me.effective_balance_point(L, nh, T_PAR, V, complete=False, xtol=XTOL)
    r = {"L": L, "n_holes": nh, "doping": nh / (2 * L), "delta": nh / L,
         "exact_method": ex["method"], "exact_source": ex["source"],
         "J_exact": s.J_exact, "J_effective": s.J_effective, "J_mf_open": s.J_mf_open,
         "J_mf_periodic": s.J_mf_periodic, "model_error": s.model_error, "ansatz_error": s.ansatz_error,
         "boundary_error": s.boundary_error, "total": s.total,
         "J_mf_paper": paper, "J_mf_paper_open": paper_open, "J_effective_paper": eff_paper,
         "effective_dim": effective_dimension(L, nh), "seconds": time.perf_counter() - t0}
    if ex["chi_max"] is not None:
        r["chi_max"] = ex["chi_max"]
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", action="store_true", help="L = 4 only")
    ap.add_argument("--out", default=None, help="output file (default data/mixd_ansatz_split.json)")
    a = ap.parse_args(argv)
    out = a.out or str(paths.data_file("mixd_ansatz_split.json"))
    rows = []
    todo = exact_points(a.small)
    have = {k for k, _ in todo}
    todo = sorted(todo + [p for p in computed_points(a.small) if p[0] not in have])
    for key, ex in todo:
        if effective_dimension(*key) > MAX_DIM:
            print(f"skip L={key[0]} N_h={key[1]}: effective sector too large for ED here", flush=True)
            continue
        rows.append(row(key, ex))
        r = rows[-1]
        print(f"L={r['L']:2d} N_h={r['n_holes']:2d}: exact {r['J_exact']:.5f} effective {r['J_effective']:.5f} "
              f"MF open {r['J_mf_open']:.5f} periodic {r['J_mf_periodic']:.5f} | model {r['model_error']:+.4f} "
              f"ansatz {r['ansatz_error']:+.4f} boundary {r['boundary_error']:+.4f} ({r['seconds']:.0f} s)",
              flush=True)
    series = []
    for L, nh in ([] if a.small else SERIES):
        series.append(boundary_row(L, nh))
        s = series[-1]
        print(f"boundary series L={L:2d} N_h={nh:2d}: MF open {s['J_mf_open']:.6f} periodic "
              f"{s['J_mf_periodic']:.6f} -> {s['boundary_error']:+.5f} ({s['seconds']:.0f} s)", flush=True)
    meta = {"script": "scripts/mixd_ansatz_split.py", "argv": list(argv if argv is not None else sys.argv[1:]),
            "t_par": T_PAR, "V": V, "xtol": XTOL, "extra_exact_points": [list(k) for k in EXTRA], "max_effective_dim": MAX_DIM,
            "model": "effective sc/cc ladder complete to O(t^2): paper's Eqs. (4)-(8) + three_site + "
                     "sc_cc_repulsion + cc_three_site (nickelates.mixd_clusters); open ladder",
            "mean_field": "paper's BCS x coherent-state ansatz of the same model, every O(t^2) term incl. the "
                          "Hartree-Fock contractions; open: real space (mixd_effective.real_space_balance_point), "
                          "periodic: momentum space (mixd.balance_point)",
            "split": "model = J_effective - J_exact; ansatz = J_mf_open - J_effective; "
                     "boundary = J_mf_periodic - J_mf_open; total = J_mf_periodic - J_exact",
            "doping": "N_h / (2 L), holes per site (as in every data file)",
            "delta": "N_h / L, holes per rung (chapter 7's delta)",
            "boundary_series": "mean field only (complete model): open vs periodic J_c at delta = 1/4, 1/2 "
                               "for L = 8, 16, 32 (real-space xtol 1e-8)",
            "nickelates": __version__, "python": platform.python_version()}
    tmp = out + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"meta": meta, "points": rows, "boundary_series": series}, fh, indent=1)
    os.replace(tmp, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
