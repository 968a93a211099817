"""The width-2 bilayer cylinder model (nickelates.mixd_cylinder; issue 24 item 5) against ladder ED.

Independent numbers: our own sector Lanczos of the ladder (mixd_exact.ground_state, a different
Hamiltonian build and fermion ordering).  A cylinder of length 1 is a 2-rung ladder whose legs
run around the cylinder (hopping y_bonds x t); with y_bonds = 0 a cylinder is two decoupled
ladders, whose ground state is the best split of the holes of each layer.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from nickelates import mixd_exact as mx
from nickelates.mixd_cylinder import MixDCylinderModel


def cylinder_ed(Lx, h0, h1, J, V=1.0, t=0.1, y_bonds=2, two_sz=None):
    from tenpy.algorithms.exact_diag import ExactDiag

    M = MixDCylinderModel(Lx, J, V, t, y_bonds=y_bonds)
    n_e = 4 * Lx - h0 - h1
    sz = n_e % 2 if two_sz is None else two_sz
    ed = ExactDiag(M, charge_sector=[2 * Lx - h0, 2 * Lx - h1, sz], max_size=1e12)
    ed.build_full_H_from_mpo()
    ed.full_diagonalization()
    return float(np.min(ed.E))


@pytest.mark.parametrize("h0,h1,y_bonds", [(1, 1, 2), (1, 0, 2), (2, 1, 1), (1, 1, 1), (0, 0, 2)])
def test_length_one_cylinder_is_a_two_rung_ladder(h0, h1, y_bonds):
    J = 1.3
    E = cylinder_ed(1, h0, h1, J, y_bonds=y_bonds)
    ref = mx.ground_state(2, h0 + h1, J, 1.0, y_bonds * 0.1, holes_leg=(h0, h1)).energy
    assert E == pytest.approx(ref, abs=1e-10)


@pytest.mark.parametrize("Lx,h0,h1", [(2, 1, 1), (2, 2, 1), (2, 2, 2)])
def test_decoupled_cylinder_is_two_ladders(Lx, h0, h1):
    J = 0.9
    E = cylinder_ed(Lx, h0, h1, J, y_bonds=0)
    best = np.inf
    for a0, a1 in itertools.product(range(h0 + 1), range(h1 + 1)):
        b0, b1 = h0 - a0, h1 - a1
        Ea = mx.ground_state(Lx, a0 + a1, J, holes_leg=(a0, a1)).energy
        Eb = mx.ground_state(Lx, b0 + b1, J, holes_leg=(b0, b1)).energy
        # total 2S^z = 0 or 1: two odd ladders pair +1/2 with -1/2, which costs nothing (S^z symmetry)
        best = min(best, Ea + Eb)
    assert E == pytest.approx(best, abs=1e-10)


def test_bad_input():
    with pytest.raises(ValueError, match="y_bonds"):
        MixDCylinderModel(2, 1.0, y_bonds=3)
    with pytest.raises(ValueError, match="Lx"):
        MixDCylinderModel(0, 1.0)
    with pytest.raises(TypeError, match="Lx"):
        MixDCylinderModel(2.0, 1.0)


@pytest.mark.slow
def test_cylinder_script_small_against_ed(tmp_path):
    """scripts/mixd_cylinders.py --small: the L_x = 2 DMRG energy equals the cylinder's full ED."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "cyl.json"
    script = Path(__file__).resolve().parents[1] / "scripts" / "mixd_cylinders.py"
    res = subprocess.run([sys.executable, str(script), "--small", "-o", str(out), "--workers", "0"],
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    pts = {p["Lx"]: p for p in json.loads(out.read_text())["points"]}
    assert set(pts) == {2, 3} and pts[2]["converged"]
    assert pts[2]["energy"] == pytest.approx(cylinder_ed(2, 1, 1, 1.1), abs=1e-8)
    assert len(pts[3]["sign_xy"]) == 1 and sum(pts[3]["hole_density"]) == pytest.approx(pts[3]["n_holes"])
