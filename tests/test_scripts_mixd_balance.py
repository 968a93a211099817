"""scripts/mixd_balance_points.py --holes: resumable balance points on stored DMRG ground states (issue 24 item 2).

Independent numbers: the ED balance points at L = 8 (data/mixd_balance_points.json, Brent on
our own sector Lanczos, a different Hamiltonian build) and the stored L = 30 imbalances of
data/mixd_dmrg.json (the bracket the plan must name).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nickelates import paths

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(ROOT / "scripts" / "mixd_balance_points.py")


def test_plan_at_L30_starts_inside_the_stored_bracket(tmp_path):
    """At L = 30 the stored runs bracket the root (J = 1.0: f > 0, J = 1.2: f < 0 for N_h = 8 and 14),
    so the first new ground state Brent asks for lies strictly inside (1.0, 1.2); --plan writes nothing."""
    out = tmp_path / "b.json"
    res = subprocess.run([sys.executable, SCRIPT, "--dmrg", "30", "--holes", "8", "14", "--chi", "256", "--plan",
                          "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert not out.exists()
    for nh in (8, 14):
        m = re.search(rf"N_h={nh}: next ground states at J = \[([0-9.]+)\]", res.stdout)
        assert m, res.stdout
        assert 1.0 < float(m.group(1)) < 1.2
    assert "CPU h" in res.stdout


def test_bad_flags():
    for flags, word in ((["--holes", "2"], "--holes needs --dmrg"), (["--plan"], "--plan needs --holes"),
                        (["--dmrg", "8", "--holes", "20"], "--holes must lie"),
                        (["--dmrg", "8", "--holes", "2", "--chi", "4096"], "--chi")):
        res = subprocess.run([sys.executable, SCRIPT, *flags], capture_output=True, text=True, timeout=60)
        assert res.returncode == 2 and word in res.stderr, (flags, res.stderr)


@pytest.mark.slow
def test_L8_root_on_stored_runs_matches_ed_and_resumes(tmp_path):
    out = tmp_path / "b.json"
    cmd = [sys.executable, SCRIPT, "--dmrg", "8", "--holes", "2", "--chi", "32", "--xtol", "1e-2",
           "--out", str(out), "--workers", "0"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    content = json.loads(out.read_text())
    (p,) = content["points"]
    ed = {q["n_holes"]: q["J_exact"] for q in json.loads(paths.data_file("mixd_balance_points.json").read_text())
          ["points"] if q["L"] == 8}
    assert p["L"] == 8 and p["delta"] == 0.25 and p["doping"] == 0.125 and p["ok"] and not p["jump"]
    assert 0 < p["J_exact_error"] < 0.02
    assert abs(p["J_exact"] - ed[2]) < p["J_exact_error"]          # ED: 1.08733
    assert p["reused_stored"] >= 2 and content["dmrg_runs"]         # the bracket came from data/mixd_dmrg.json
    n_runs = len(content["dmrg_runs"])
    # resumable: a second call replays Brent on the cached runs and computes nothing new
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0
    again = json.loads(out.read_text())
    assert len(again["dmrg_runs"]) == n_runs and again["points"][0]["J_exact"] == p["J_exact"]
