"""Tests of nickelates.mixd_clusters: the effective MixD+V model on 2-4 rung clusters against the
microscopic model (pymablock, ED), and the complete-O(t^2) mean field (issue 16)."""
import numpy as np
import pytest
import sympy as sp

from nickelates import mixd, mixd_clusters as mc
from nickelates.errors import ConvergenceError

J1, V1 = 1.2, 1.0


# ----------------------------------------------------------------- first order: the sign of the hopping
@pytest.mark.parametrize("R,nh", [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3), (3, 4), (3, 5)])
def test_eq4_with_a9_is_the_microscopic_first_order(R, nh):
    c = mc.compare_with_microscopic(R, nh, J1, V1)
    assert c["first_order_matrix"] < 1e-13          # basis-exact, not only the spectrum
    assert c["first_order_spectrum"] < 1e-13


@pytest.mark.parametrize("R,nh", [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2)])
def test_a5_sign_is_invisible_without_sc_and_cc_together(R, nh):
    c = mc.compare_with_microscopic(R, nh, J1, V1, hopping_sign=-1)
    assert c["first_order_spectrum"] < 1e-13


def test_a5_sign_misses_the_three_rung_three_hole_spectrum():
    c = mc.compare_with_microscopic(3, 3, J1, V1, t_par=0.1, hopping_sign=-1)
    assert 0.025 < c["first_order_spectrum"] < 0.04     # 3.1e-2 at t = 0.1 (issue: 3e-2)
    assert mc.compare_with_microscopic(3, 3, J1, V1, t_par=0.1)["first_order_spectrum"] < 1e-13


@pytest.mark.slow
def test_a5_sign_misses_on_four_rungs():
    good = mc.compare_with_microscopic(4, 3, J1, V1)
    bad = mc.compare_with_microscopic(4, 3, J1, V1, hopping_sign=-1)
    assert good["first_order_spectrum"] < 1e-13 < 1e-2 < bad["first_order_spectrum"]


# ----------------------------------------------------------------- second order
def test_three_site_term_is_missing_by_exactly_three_quarters():
    c = mc.compare_with_microscopic(3, 2, J1, V1, t_par=0.01)
    assert abs(c["second_order_spectrum"] - 0.75) < 1e-6          # units of t^2/J
    c3 = mc.compare_with_microscopic(3, 2, J1, V1, t_par=0.01, three_site=True)
    assert c3["second_order_matrix"] < 1e-12 and c3["second_order_spectrum"] < 1e-9


def test_three_site_model_ed_error_vanishes_like_t():
    e = [mc.compare_with_microscopic(3, 2, J1, V1, t_par=t, three_site=True)["ed_deviation"]
         for t in (0.02, 0.01)]
    assert e[1] < 0.03 and 1.8 < e[0] / e[1] < 2.3                # O(t^3) / (t^2/J) ~ t
    e0 = mc.compare_with_microscopic(3, 2, J1, V1, t_par=0.01)["ed_deviation"]
    assert abs(e0 - 0.75) < 0.03                                   # without it: stuck at 3/4


def test_sc_cc_repulsion_fixes_the_two_rung_three_hole_block():
    c = mc.compare_with_microscopic(2, 3, J1, V1)
    assert abs(c["second_order_matrix"] - 0.75 / J1) < 1e-12
    assert mc.compare_with_microscopic(2, 3, J1, V1, sc_cc_repulsion=True)["second_order_matrix"] < 1e-12


@pytest.mark.parametrize("R,nh", [(2, 1), (2, 2), (3, 1)])
def test_paper_second_order_exact_where_no_new_term_acts(R, nh):
    assert mc.compare_with_microscopic(R, nh, J1, V1)["second_order_matrix"] < 1e-12


def test_three_site_terms_with_cc_complete_the_three_rung_cluster():
    opts = dict(three_site=True, sc_cc_repulsion=True)
    # without them: (1/J + 1/V)/(2 sqrt 2) (sc,sc,sc <-> sc,cc) and 1/V (cc across an sc pair)
    miss3 = mc.compare_with_microscopic(3, 3, J1, V1, **opts)["second_order_matrix"]
    assert abs(miss3 - (1 / J1 + 1 / V1) / (2 * np.sqrt(2))) < 1e-12
    assert abs(mc.compare_with_microscopic(3, 4, J1, V1, **opts)["second_order_matrix"] - 1 / V1) < 1e-12
    for nh in range(1, 6):
        assert mc.compare_with_microscopic(3, nh, J1, V1, cc_three_site=True, **opts)["second_order_matrix"] < 1e-12


@pytest.mark.parametrize("J,V,nh", [(0.8, 1.5, 3), (1.5, 0.7, 4), (1.0, 2.0, 3)])
def test_cc_three_site_tensors_do_not_depend_on_couplings(J, V, nh):
    c = mc.compare_with_microscopic(3, nh, J, V, three_site=True, sc_cc_repulsion=True, cc_three_site=True)
    assert c["second_order_matrix"] < 1e-12


@pytest.mark.slow
@pytest.mark.parametrize("nh", range(1, 8))
def test_four_rungs_complete_to_second_order_with_all_terms(nh):
    """The tensors read off three rungs complete the model on four rungs (spectator sc's, signs),
    for every hole number with a low-energy sector of more than one state (N_h = 8: cc only)."""
    opts = dict(three_site=True, sc_cc_repulsion=True, cc_three_site=True)
    assert mc.compare_with_microscopic(4, nh, J1, V1, **opts)["second_order_matrix"] < 1e-12
    if nh == 2:
        assert mc.compare_with_microscopic(4, 2, J1, V1)["second_order_matrix"] > 0.1


def test_three_site_tensor_structure():
    M = mc.three_site_tensor()
    assert set(np.round(np.abs(M[M != 0]), 12)) == {0.25, 0.5}
    # total S^z conserved and hole legs kept
    for idx in zip(*np.nonzero(M)):
        a2, b2, a, b = (mc.SC_FLAVOURS[i] for i in idx)
        assert (a2[0], b2[0]) == (a[0], b[0]) and a2[1] + b2[1] == a[1] + b[1]


# ----------------------------------------------------------------- mean field
def test_energy_terms_match_the_paper_and_the_solver():
    T = mc.mean_field_energy_terms()
    g0, g1, g2 = sp.symbols("g0:3")
    p1 = sp.Symbol("p1")
    beta, N, t, J, V = sp.symbols("beta N t J V", positive=True)
    # paper (B9) per rung: 2t sum v^2 cos k -> 4 t g1; recombination -(4 t beta/sqrt N) sum sin(theta) cos k
    assert sp.simplify(T["hopping"] - 4 * t * g1) == 0
    assert sp.simplify(T["recombination"] + 8 * t * beta * p1 / sp.sqrt(N)) == 0
    assert sp.simplify(T["repulsion_pairing"] - 3 * t**2 / J * p1**2) == 0
    assert T["triplet_pairing"] == 0
    # Hartree of (7): (3/2)(t^2/J) n_sc^2 with n_sc = 4 g0 (the paper's dropped B7 term)
    assert sp.simplify(T["repulsion_normal"].coeff(g0, 2) - sp.Rational(3, 2) * t**2 / J * 16) == 0
    rng = np.random.default_rng(3)
    names = ("g0", "g1", "g2", "p1", "beta", "p2")
    vals = dict(zip(names, rng.uniform(0.05, 0.3, 6)))
    for flags in [(0, 0, 0, 0), (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1), (1, 1, 1, 1)]:
        p = mc._Extended(10, 4, 1.1, 0.9, 0.13, *flags)
        expr = T["hopping"] + T["exchange"] + T["recombination"] + T["repulsion_pairing"]
        if flags[0]:
            expr += T["three_site"]
        if flags[1]:
            expr += T["sc_cc_repulsion"]
        if flags[2]:
            expr += T["repulsion_normal"] + T["triplet_normal"]
        if flags[3]:
            expr += T["cc_hop"] + T["cc_conversion"]
        subs = {sp.Symbol(k): v for k, v in vals.items() if k != "beta"}
        subs.update({beta: vals["beta"], N: 10, t: 0.13, J: 1.1, V: 0.9})
        ref = float(expr.subs(subs))
        x0 = [vals[k] for k in names]
        assert abs(ref - p.P(*x0)) < 1e-14
        # analytic gradients (Pg0, Pg1, Pg2, Pp1, Pbeta, Pp2) against central differences
        gr = p.grads(*x0)
        for i in range(6):
            xp, xm = list(x0), list(x0)
            xp[i] += 1e-6
            xm[i] -= 1e-6
            assert abs((p.P(*xp) - p.P(*xm)) / 2e-6 - gr[i]) < 1e-8


@pytest.mark.parametrize("L,nh,J", [(30, 8, 0.9), (30, 14, 1.2), (8, 4, 1.05), (6, 6, 0.7)])
def test_extended_solver_without_flags_is_the_paper_solver(L, nh, J):
    a = mc.solve_extended_mean_field(L, nh, J)
    b = mixd.solve_mean_field(shape=(L,), n_holes=nh, J_perp=J)
    assert abs(a.energy - b.energy) < 1e-9 and abs(a.imbalance - b.imbalance) < 1e-8
    assert np.max(np.abs(a.delta_k - b.delta_k)) < 1e-8 and abs(a.xi_band_min - b.xi_band_min) < 1e-9


def test_three_site_removes_the_pairing_repulsion_in_the_mean_field():
    a = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2)
    c = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2, three_site=True)
    # Delta_k = (4 t beta / sqrt N) cos k exactly: no -(3/2)(t^2/J) c cos k left
    k = c.k[0]
    assert np.max(np.abs(c.delta_k - 4 * 0.1 * c.beta / np.sqrt(30) * np.cos(k))) < 1e-12
    assert np.max(np.abs(a.delta_k - 4 * 0.1 * a.beta / np.sqrt(30) * np.cos(k))) > 1e-4
    assert c.binding_energy > a.binding_energy


def test_extended_flags_bad_input():
    with pytest.raises(ValueError, match="ladders"):
        mixd.solve_mean_field(shape=(8, 8), n_holes=3, J_perp=1.0, hartree=True)
    with pytest.raises(TypeError, match="three_site"):
        mixd.solve_mean_field(shape=(30,), three_site="yes")
    with pytest.raises(ValueError, match="hopping_sign"):
        mc.effective_cluster_orders(2, 1, 1.0, 1.0, hopping_sign=0)
    with pytest.raises(ValueError, match="n_rungs"):
        mc.effective_cluster_orders(5, 1, 1.0, 1.0)
    with pytest.raises(ValueError, match="zscan"):
        mc.solve_extended_mean_field(8, 2, 1.0, zscan=[0.0, 50.0])
    with pytest.raises(ConvergenceError):
        mc.solve_extended_mean_field(8, 2, 1.0, zscan=[3.0, 4.0])     # E rises: no minimum there


@pytest.mark.parametrize("J,V", [(0.8, 1.5), (1.5, 0.7)])
def test_three_site_term_scales_as_t2_over_J_at_any_V(J, V):
    c = mc.compare_with_microscopic(3, 2, J, V, three_site=True, sc_cc_repulsion=True)
    assert c["second_order_matrix"] < 1e-12


def test_mixd_does_not_import_mixd_clusters():
    """Imports go one way (mixd_clusters -> mixd); the old paths keep working (issue 24 item 6)."""
    import subprocess
    import sys
    code = ("import sys, nickelates.mixd as m; assert 'nickelates.mixd_clusters' not in sys.modules; "
            "import nickelates.mixd_clusters as c; "
            "assert c.solve_extended_mean_field is m.solve_extended_mean_field; "
            "assert c._balance_derivative is m._balance_derivative and c._Extended is m._Extended")
    subprocess.run([sys.executable, "-c", code], check=True)
