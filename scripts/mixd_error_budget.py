#!/usr/bin/env python
"""Error budget of the stored DMRG energies (issue 24, item 1): variance and one chi doubling.

For stored ``kind: dmrg`` points of ``data/mixd_dmrg.json`` this script reruns the stored
settings (same chi_max, sweeps and criteria: the same state), measures the energy variance
<H^2> - <H>^2 of the final MPS (``mixd_exact.mps_energy_variance``), and, for the points
chosen for it, continues from that MPS at twice the bond dimension (one chi doubling,
``mixd_exact.dmrg_bond_doubling``) with its variance too.  Results are merged into the
data file as they arrive (atomic write; a killed run loses at most the point in progress):

* the stored point gains ``variance`` (V^2), ``variance_energy`` (the rerun's energy,
  which reproduces ``energy`` to the 8-sweep window) and ``variance_seconds``;
* the doubled run is a new DMRG record (``chi_max`` = 2 chi, ``warm_start_chi`` = chi,
  ``variance``); it goes under ``points`` if it meets the 8-sweep window criterion, else
  under ``rejected`` (with ``shelved`` True if the wall-time cap stopped it).

After every write ``mixd_exact.annotate_error_budget`` recomputes ``energy_error`` and
``chi_sufficient`` of every DMRG point and the counts in ``meta``.

Order (issue 24, "How to run the heavy parts", step 1): first the L = 30 points with a
single converged chi, hardest first (largest truncation error); ``--plan`` prints the list.

    nohup .venv/bin/python scripts/mixd_error_budget.py --workers 1 --stop-at 20:35 > /tmp/eb.log 2>&1 &
    .venv/bin/python scripts/mixd_error_budget.py --annotate-only     # recompute the budget fields
    .venv/bin/python scripts/mixd_error_budget.py --plan              # what is left, in order
    .venv/bin/python scripts/mixd_error_budget.py --scheduler tcp://host:8786   # the rest, on a cluster
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from nickelates import engine, paths
from nickelates import mixd_exact as mx

#: checkpoints of rerun MPS (an ignored folder; a help within one session, never relied on)
CACHE = paths.repo_root() / ".cache" / "mixd_error_budget"
#: wall-time cap of one point (both runs and both variances), hours
POINT_HOURS = 0.75


def _key(L, nh, J, chi):
    return (int(L), int(nh), round(float(J), 6), int(chi))


def groups(points):
    """{(L, n_holes, J): [converged dmrg points sorted by chi_max]}."""
    out = {}
    for p in points:
        if p["kind"] == "dmrg" and p.get("converged") is True:
            out.setdefault((p["L"], p["n_holes"], round(p["J_perp"], 6)), []).append(p)
    for v in out.values():
        v.sort(key=lambda p: p["chi_max"])
    return out


def plan(content, *, max_chi=512):
    """Tasks (L, n_holes, J, chi, double) in the issue's order, skipping what is done.

    1. L = 30 points with one converged chi: variance at the stored chi and one doubling
       (chi <= max_chi / 2), the largest truncation error first;
    2. every other point's best run: its variance (the rest of item 1), L = 30 first,
       the largest truncation error first, no doubling.
    """
    pts = content["points"]
    rej = content.get("rejected", [])
    done_double = {_key(r["L"], r["n_holes"], r["J_perp"], r["warm_start_chi"])
                   for r in pts + rej if r.get("warm_start_chi")}
    first, rest = [], []
    for (L, nh, J), rows in groups(pts).items():
        best = rows[-1]
        k = _key(L, nh, J, best["chi_max"])
        if L == 30 and len(rows) == 1:
            if k not in done_double and 2 * best["chi_max"] <= max_chi:
                first.append((best["truncation_error"], (L, nh, J, best["chi_max"], True)))
            elif best.get("variance") is None:
                first.append((best["truncation_error"], (L, nh, J, best["chi_max"], False)))
        elif best.get("variance") is None:
            rest.append((L != 30, -best["truncation_error"], (L, nh, J, best["chi_max"], False)))
    first.sort(key=lambda t: -t[0])
    rest.sort(key=lambda t: t[:2])
    return [t[-1] for t in first] + [t[-1] for t in rest]


def _settings(rec):
    """The DMRG keywords of a stored record (its own sweep counts, the file's criteria)."""
    return dict(min_sweeps=rec.get("min_sweeps", 16), max_sweeps=rec.get("max_sweeps", 60),
                max_E_err=1e-6, max_S_err=1e-5, svd_min=1e-10)


def _record(r, extra):
    rec = dict(kind="dmrg", L=r.L, n_holes=r.n_holes, J_perp=r.J_perp, V=r.V, t_par=r.t_par,
               chi_max=r.chi_max, chi=r.chi, energy=r.energy, n_cc=r.n_cc, n_sc=r.n_sc,
               converged=r.converged, truncation_error=r.truncation_error, delta_E=r.delta_E,
               delta_S=r.delta_S, E_spread_8=max(r.energies[-8:]) - min(r.energies[-8:]),
               sweeps=r.sweeps, sweep_energies=list(r.energies),
               cc_profile=[float(x) for x in r.cc_profile], variance=r.variance,
               shelved=r.shelved, seconds=round(r.seconds, 2))
    rec.update(extra)
    return rec


def run_task(task):
    """One point: rerun at the stored chi with the variance, then (if asked) one chi doubling."""
    (L, nh, J, chi, double), settings, deadline = task
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="tenpy")
    warnings.filterwarnings("ignore", category=UserWarning, module="tenpy")
    t0 = time.time()
    left_h = (deadline - t0) / 3600
    if left_h < 0.1:
        return dict(task=[L, nh, J, chi, double], skipped="deadline")
    cap = min(POINT_HOURS, left_h)
    ck = CACHE / f"L{L}_nh{nh}_J{J:g}_chi{chi}.pkl"
    out = dict(task=[L, nh, J, chi, double])
    psi = None
    if ck.exists():
        try:
            with open(ck, "rb") as fh:
                cached = pickle.load(fh)
            first, psi = cached["result"], cached["psi"]
            out["from_checkpoint"] = True
        except Exception:        # a broken checkpoint is recomputed
            psi = None
    if psi is None:
        first, psi = mx._dmrg(L, nh, J, 1.0, 0.1, chi_max=chi, raise_on_fail=False, variance=True,
                              max_hours=cap / 2, **settings)
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = ck.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(dict(result=first, psi=psi), fh)
        tmp.replace(ck)
    out["first"] = dict(energy=first.energy, variance=first.variance, converged=first.converged,
                        sweeps=first.sweeps, seconds=round(time.time() - t0, 1),
                        truncation_error=first.truncation_error)
    if double:
        left_h = min(cap - (time.time() - t0) / 3600, (deadline - time.time()) / 3600)
        if left_h < 0.05:
            out["double_skipped"] = "deadline"
            return out
        t1 = time.time()
        kw2 = dict(settings, min_sweeps=8)
        second, _ = mx._dmrg(L, nh, J, 1.0, 0.1, chi_max=2 * chi, raise_on_fail=False, variance=True,
                             max_hours=0.8 * left_h, psi0=psi, **kw2)
        out["second"] = _record(second, dict(min_sweeps=8, max_sweeps=settings["max_sweeps"],
                                             warm_start_chi=chi,
                                             seconds_total=round(time.time() - t1, 1)))
    return out


def merge(content, res):
    """Put one task's result into the file's content (in place)."""
    L, nh, J, chi, _ = res["task"]
    if "first" in res:
        f = res["first"]
        for p in content["points"]:
            if (p["kind"] == "dmrg" and _key(p["L"], p["n_holes"], p["J_perp"], p["chi_max"])
                    == _key(L, nh, J, chi)):
                p["variance"] = f["variance"]
                p["variance_energy"] = f["energy"]
                p["variance_seconds"] = f["seconds"]
    if "second" in res:
        rec = res["second"]
        k = _key(rec["L"], rec["n_holes"], rec["J_perp"], rec["chi_max"])
        for name in ("points", "rejected"):
            content[name] = [p for p in content.get(name, []) if not (
                p["kind"] == "dmrg" and _key(p["L"], p["n_holes"], p["J_perp"], p["chi_max"]) == k)]
        content["points" if rec["converged"] else "rejected"].append(rec)


def write(path: Path, content: dict) -> None:
    annotate = getattr(mx, "annotate_error_budget", None)
    if annotate is not None:
        annotate(content)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(content, indent=1))
    tmp.replace(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", default=str(mx.DATA_FILE))
    ap.add_argument("--plan", action="store_true", help="print the tasks left, in order, and exit")
    ap.add_argument("--annotate-only", action="store_true",
                    help="recompute energy_error / chi_sufficient / meta counts and exit")
    ap.add_argument("--stop-at", default=None, metavar="HH:MM",
                    help="UTC time after which no run starts and running sweeps stop")
    ap.add_argument("--limit", type=int, default=None, help="at most this many tasks")
    ap.add_argument("--max-chi", type=int, default=512, help="largest doubled bond dimension")
    engine.add_arguments(ap)
    args = ap.parse_args(argv)
    out = Path(args.out)
    content = json.loads(out.read_text())
    if args.annotate_only:
        write(out, content)
        print(json.dumps(content["meta"]["counts"], indent=1))
        return 0
    tasks = plan(content, max_chi=args.max_chi)
    if args.limit is not None:
        tasks = tasks[:args.limit]
    if args.plan:
        for t in tasks:
            print(t)
        print(f"{len(tasks)} tasks")
        return 0
    deadline = time.time() + 365 * 86400
    if args.stop_at:
        hh, mm = (int(x) for x in args.stop_at.split(":"))
        now = dt.datetime.now(dt.timezone.utc)
        stop = now.replace(hour=hh, minute=mm, second=0, microsecond=0)
        if stop < now:
            ap.error(f"--stop-at {args.stop_at} UTC is in the past")
        deadline = stop.timestamp()
    by_key = {_key(p["L"], p["n_holes"], p["J_perp"], p["chi_max"]): p
              for p in content["points"] if p["kind"] == "dmrg"}
    items = [(t, _settings(by_key[_key(*t[:4])]), deadline) for t in tasks]
    print(f"{len(items)} tasks; first {[t[0] for t in items[:5]]}", flush=True)
    failed = 0
    for res in engine.map_tasks(run_task, items, workers=args.workers, scheduler=args.scheduler):
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%H:%M:%S")
        if not res.ok:
            failed += 1
            print(f"{stamp} FAILED {res.item[0]}: {res.error}", flush=True)
            continue
        r = res.value
        if "skipped" in r:
            print(f"{stamp} skipped {r['task']}: {r['skipped']}", flush=True)
            continue
        content = json.loads(out.read_text())   # merge into the current file
        merge(content, r)
        write(out, content)
        f = r["first"]
        msg = (f"{stamp} {r['task']}: E={f['energy']:.10f} var={f['variance']:.2e} "
               f"conv={f['converged']} {f['seconds']:.0f}s")
        if "second" in r:
            s = r["second"]
            msg += (f" | chi {s['chi_max']}: E={s['energy']:.10f} var={s['variance']:.2e} "
                    f"dE={s['energy'] - f['energy']:+.2e} conv={s['converged']} shelved={s['shelved']} "
                    f"sweeps={s['sweeps']} {s['seconds_total']:.0f}s")
        print(msg, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
