"""Tests of nickelates.mixd (chapter 6): SW coefficients, mean-field solver, analytic limits,
paper numbers, the figure sweeps, bad input, the phase-map script and the widget."""
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from nickelates import mixd, paths
from nickelates.errors import ConvergenceError

ROOT = paths.repo_root()
J_, V_, t_ = sp.symbols("J V t", positive=True)


# ----------------------------------------------------------------- Schrieffer-Wolff
def _eig(Heff):
    return {sp.simplify(k): v for k, v in sp.Matrix(Heff).eigenvals().items()}


def test_sw_one_hole_shift_and_hopping():
    labs, H = mixd.schrieffer_wolff_cluster(2, 1)
    ev = _eig(H)
    # one neighbour per rung: shift -(3/4) t^2/J per direction, hopping t/2
    for s in (+1, -1):
        assert ev[sp.simplify(J_ + s * t_ / 2 - sp.Rational(3, 4) * t_**2 / J_)] == 4


@pytest.mark.slow
def test_sw_two_holes_recombination_repulsion_triplet():
    labs, H = mixd.schrieffer_wolff_cluster(2, 2)
    ev = _eig(H)
    assert ev[sp.simplify(2 * J_ - 4 * t_**2 / V_)] == 3          # triplet channel
    assert ev[2 * J_] == 12                                       # repulsion cancels shifts
    assert ev[J_ + V_] == 1                                       # antisymmetric cc
    # (cc_0 + cc_1)/sqrt2 couples to the symmetric singlet pair with 2t:
    lam = sp.Symbol("lam")
    block = sp.Matrix([[V_ + J_, 2 * t_], [2 * t_, 2 * J_]])
    roots = sp.solve(block.charpoly(lam).as_expr(), lam)
    for r in roots:
        assert any(sp.simplify(r - k) == 0 for k in ev)


def test_sw_three_holes_exchange_without_shift():
    labs, H = mixd.schrieffer_wolff_cluster(2, 3)
    ev = _eig(H)
    assert ev[2 * J_ + V_ + t_] == 4 and ev[2 * J_ + V_ - t_] == 4


@pytest.mark.parametrize("nh", [1, 2, 3])
def test_sw_matches_pymablock(nh):
    labs, Heff = mixd.schrieffer_wolff_cluster(2, nh)
    num = Heff.subs({J_: 1.2, V_: 0.9})
    pmb = mixd.pymablock_cluster(2, nh, 1.2, 0.9, order=2)
    for n in range(3):
        cn = np.array([[float(sp.expand(e).coeff(t_, n)) for e in row] for row in num.tolist()])
        assert np.max(np.abs(cn - pmb[n])) < 1e-12


def test_sw_three_rungs_ladder_shift():
    labs, H = mixd.schrieffer_wolff_cluster(3, 1)
    mid = [i for i, lab in enumerate(labs) if lab[1].startswith("sc")]
    assert len(mid) == 4
    for i in mid:
        assert sp.simplify(H[i, i] - (J_ - sp.Rational(3, 2) * t_**2 / J_)) == 0


@pytest.mark.parametrize("nh,order", [(1, 3), (2, 4)])
def test_cluster_ed_error_scaling(nh, order):
    ts = np.array([0.04, 0.02, 0.01])
    err = mixd.cluster_check(2, nh, 1.2, 1.0, ts)
    slope = np.polyfit(np.log(ts), np.log(err), 1)[0]
    assert slope > order - 0.3, (err, slope)
    assert err[-1] < 1e-6


def test_cluster_basis_orthonormal_and_h0_diagonal():
    labels, occ, B = mixd.cluster_basis(2, 2)
    assert np.allclose(B.T @ B, np.eye(len(labels)))
    _, H = mixd.cluster_hamiltonian(2, 2, 1.3, 0.7, 0.0)
    assert np.allclose(H, np.diag(np.diag(H)))


# ----------------------------------------------------------------- solver
def test_api_example():
    sol = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2, V=1.0, t_par=0.1,
                                eps_diag=0.0)
    for name in ("energy", "n_sc", "n_cc", "order_bcs", "order_bec", "gap", "binding_energy"):
        assert np.isfinite(getattr(sol, name))
    assert sol.delta_k.shape == (30,)
    assert np.isclose(sol.binding_energy, 2 * sol.gap)
    assert np.isclose(sol.n_sc * 30 + 2 * sol.n_cc * 30, 8, rtol=1e-9)
    assert np.isclose(sol.order_bec, np.sqrt(sol.n_cc))


@pytest.mark.parametrize("shape,nh,J,eps", [((30,), 8, 1.2, 0.0), ((10,), 3, 0.8, 0.0),
                                            ((8, 8), 6, 1.0, 1.5), ((6, 8), 5, 1.1, 0.0)])
def test_separable_solver_matches_dense_reference(shape, nh, J, eps):
    G, beta, mu, delta = mixd.solve_mean_field_dense(shape=shape, n_holes=nh, J_perp=J,
                                                     eps_diag=eps)
    s = mixd.solve_mean_field(shape=shape, n_holes=nh, J_perp=J, eps_diag=eps)
    assert abs(s.beta - beta) < 1e-8 and abs(s.mu - mu) < 1e-8
    assert np.max(np.abs(s.delta_k - delta)) < 1e-8
    assert abs(s.energy - G) < 1e-8


@pytest.mark.parametrize("shape,nh,J,eps", [((30,), 14, 0.9, 0.0), ((16, 16), 12, 1.0, 1.5),
                                            ((12, 10), 9, 1.3, 0.5)])
def test_self_consistency_on_full_bz(shape, nh, J, eps):
    t, V = 0.1, 1.0
    s = mixd.solve_mean_field(shape=shape, n_holes=nh, J_perp=J, t_par=t, eps_diag=eps)
    N = int(np.prod(shape))
    mesh = np.meshgrid(*s.k, indexing="ij")
    gam, g = mixd.form_factors(tuple(mesh), eps)
    d = len(shape)
    ratio = s.delta_k / s.E_k
    c = [np.sum(ratio * np.cos(m)) / N for m in mesh]
    U = 1.5 * t * t / J
    delta = 4 * t * s.beta / np.sqrt(N) * g - U * sum(cd * np.cos(m) for cd, m in zip(c, mesh))
    assert np.max(np.abs(delta - s.delta_k)) < 1e-10                       # gap equation
    xi = (t - 2 * t * s.beta**2 / N) * gam + J - 0.75 * 2 * d * t * t / J + s.mu
    assert np.max(np.abs(xi - s.xi_k)) < 1e-12
    assert abs(np.sum(1 - s.xi_k / s.E_k) + 2 * s.beta**2 - nh) < 1e-8   # number equation
    v2 = 0.5 * (1 - s.xi_k / s.E_k)
    dG = (-4 * t / np.sqrt(N) * np.sum(ratio * g) - 8 * t * s.beta / N * np.sum(v2 * gam)
          + 2 * (V + J + 2 * s.mu) * s.beta)
    assert abs(dG) < 1e-8                                                 # condensate equation


def test_energy_is_a_minimum_in_beta():
    s = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2)
    G = mixd.energy_at_fixed_condensate(s.N_cc * np.array([0.95, 1.0, 1.05]), shape=(30,), n_holes=8,
                                        J_perp=1.2)
    assert G[1] < G[0] and G[1] < G[2]
    assert abs(G[1] - s.energy) < 1e-10


def test_transposed_lattice():
    a = mixd.solve_mean_field(shape=(12, 10), n_holes=9, J_perp=1.3)
    b = mixd.solve_mean_field(shape=(10, 12), n_holes=9, J_perp=1.3)
    assert abs(a.energy - b.energy) < 1e-10 and np.allclose(a.delta_k, b.delta_k.T, atol=1e-10)


def test_normal_sc_gas_limit_is_free_fermions():
    """V -> large: no cc; two holes fill the k = pi level of the sc band, each pair 2 (-t + J - 3t^2/2J)."""
    t, J = 0.1, 1.0
    s = mixd.solve_mean_field(shape=(30,), n_holes=2, J_perp=J, V=100.0, t_par=t)
    assert abs(s.energy - 2 * (-t + J - 1.5 * t * t / J)) < 1e-4
    assert s.imbalance > 1 - 1e-5 and s.order_bec < 1e-3


def test_bec_limit_costs_V_plus_J_per_pair():
    """J >> V: every pair is a cc at (V + J) each, lowered only at order t^2/J."""
    s = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=5.0, V=0.0, t_par=0.1)
    assert s.imbalance < -0.99
    assert 0 < 4 * 5.0 - s.energy < 4 * 8 * 0.1**2 / 5.0 * 2      # at most 2 x 8 t^2/J per pair


def test_limits_bcs_and_bec():
    bcs = mixd.solve_mean_field(shape=(60,), n_holes=8, J_perp=0.5)
    bec = mixd.solve_mean_field(shape=(60,), n_holes=8, J_perp=3.0)
    assert bcs.imbalance > 0.9 and bec.imbalance < -0.9
    assert bcs.order_bcs > bec.order_bcs and bec.order_bec > bcs.order_bec
    # BCS side: E_B/2 equals |Delta| at k*; BEC side: far above it
    assert abs(bcs.binding_energy / 2 - abs(bcs.delta_at_kstar)) < 0.05 * bcs.binding_energy
    assert bec.binding_energy / 2 > 3 * abs(bec.delta_at_kstar)


def test_paper_crossover_location_ladder():
    """Fig. 3/6: L = 30, t/V = 0.1, delta = 8/30: crossover at J/V ~ 1.2."""
    Js = np.linspace(0.8, 1.6, 33)
    sols = [mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=J) for J in Js]
    imb = np.array([s.imbalance for s in sols])
    obec = np.array([s.order_bec for s in sols])
    obcs = np.array([s.order_bcs for s in sols])
    j_inflect = Js[np.argmin(np.gradient(obcs, Js))]
    assert abs(j_inflect - 1.2) < 0.1
    assert 1.0 < mixd.crossing_point(Js, imb) < 1.25
    assert 1.25 < mixd.crossing_point(Js, obec - obcs) < 1.45
    assert np.all(np.diff(obec) > 0)


def test_binding_energy_grows_with_J_delta_14_30():
    Js = np.linspace(0.6, 1.6, 6)
    eb = [mixd.solve_mean_field(shape=(30,), n_holes=14, J_perp=J).binding_energy for J in Js]
    assert np.all(np.diff(eb) > 0)
    assert 0.25 < eb[-3] < 0.40        # J = 1.2: E_B ~ 0.32 V


def test_extended_s_wave_16x16_and_third_region():
    s = mixd.solve_mean_field(shape=(16, 16), n_holes=12, J_perp=1.0, t_par=0.1)
    c = mixd.a1g_content(s)
    assert c["a1g_fraction"] > 0.999 and c["residual_fraction"] < 1e-12
    assert abs(c["s_ext (cx+cy)"]) > 100 * max(abs(c["s (1)"]), abs(c["s_xy (cx*cy)"]))
    kx, ky = s.k
    i0, ipi = np.argmin(abs(kx)), np.argmin(abs(kx + np.pi))
    assert s.delta_k[i0, i0] > 0 > s.delta_k[ipi, ipi]
    assert abs(s.delta_k[i0, ipi]) < 1e-12                      # node at X
    e = mixd.solve_mean_field(shape=(16, 16), n_holes=12, J_perp=1.0, t_par=0.1, eps_diag=1.5)
    assert e.delta_k[i0, i0] > 0 and e.delta_k[i0, ipi] < 0 and e.delta_k[ipi, ipi] > 0
    ce = mixd.a1g_content(e)
    assert ce["a1g_fraction"] > 0.999 and ce["s_xy (cx*cy)"] > ce["s_ext (cx+cy)"] > 0


def test_large_lattice_converges_to_thermodynamic_limit():
    a = mixd.solve_mean_field(shape=(128, 128), n_holes=768, J_perp=1.0)
    b = mixd.solve_mean_field(shape=(256, 256), n_holes=3072, J_perp=1.0)
    assert abs(a.imbalance - b.imbalance) < 1e-4
    assert abs(a.energy / 128**2 - b.energy / 256**2) < 1e-6


def test_phase_map_consistent_with_single_solves():
    out = mixd.phase_map((30,), [0.9, 1.3], [8 / 30, 14 / 30])
    s = mixd.solve_mean_field(shape=(30,), n_holes=14, J_perp=1.3)
    assert out["imbalance"].shape == (2, 2)
    assert abs(out["imbalance"][1, 1] - s.imbalance) < 1e-12
    assert list(out["n_holes"]) == [8, 14]


# ----------------------------------------------------------------- bad input / failures
BASE = dict(shape=(30,), n_holes=8, J_perp=1.2, V=1.0, t_par=0.1, eps_diag=0.0)


@pytest.mark.parametrize("kwargs,word", [
    (dict(shape=(1,)), "shape[0]"), (dict(shape=(4, 4, 4)), "shape"), (dict(shape=(8192,)), "shape[0]"),
    (dict(n_holes=0), "n_holes"), (dict(n_holes=31), "n_holes"),
    (dict(J_perp=-1.0), "J_perp"), (dict(J_perp=1e-320), "J_perp"), (dict(J_perp=1e300), "J_perp"),
    (dict(V=-0.5), "V"), (dict(t_par=0.0), "t_par"), (dict(t_par=5e-324), "t_par"),
    (dict(eps_diag=0.5), "eps_diag"), (dict(shape=(8, 8), eps_diag=20.0), "eps_diag"),
    (dict(J_perp=float("nan")), "J_perp"), (dict(V=float("inf")), "V"),
    (dict(temperature=-1e-3), "temperature"), (dict(tol=float("nan")), "tol"), (dict(tol=0.0), "tol"),
    (dict(zscan=[1.0]), "zscan"), (dict(zscan=[2.0, 1.0]), "zscan"), (dict(zscan=[0.0, np.nan]), "zscan"),
    (dict(zscan=[-1e4, 0.0]), "zscan"), (dict(zscan=[]), "zscan"),
])
def test_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word.replace("[", r"\[").replace("]", r"\]")):
        mixd.solve_mean_field(**{**BASE, **kwargs})


@pytest.mark.parametrize("kwargs,word", [
    (dict(n_holes=2.5), "n_holes"), (dict(n_holes=8.0), "n_holes"), (dict(n_holes=True), "n_holes"),
    (dict(shape="30"), "shape"), (dict(shape=(30.0,)), "shape"), (dict(shape=None), "shape"),
    (dict(J_perp=1.2 + 0j), "J_perp"), (dict(J_perp="1.2"), "J_perp"), (dict(V=True), "V"),
    (dict(zscan=[0.0, 1j]), "zscan"), (dict(zscan=["a", "b"]), "zscan"),
])
def test_wrong_types(kwargs, word):
    with pytest.raises(TypeError, match=word):
        mixd.solve_mean_field(**{**BASE, **kwargs})


@pytest.mark.parametrize("call,exc,word", [
    (lambda: mixd.form_factors([np.zeros(3)], eps_diag=1.0), ValueError, "eps_diag"),
    (lambda: mixd.form_factors(np.zeros(3)), TypeError, "k must be a tuple"),
    (lambda: mixd.form_factors((np.zeros(3), np.zeros(4))), ValueError, "same shape"),
    (lambda: mixd.form_factors((np.array([1j]),)), TypeError, "k\\[0\\]"),
    (lambda: mixd.brillouin_zone((2, 2, 2)), ValueError, "shape"),
    (lambda: mixd.a1g_content(np.zeros((4, 4))), ValueError, "k must be"),
    (lambda: mixd.a1g_content(np.zeros(4), k=(np.zeros(4), np.zeros(4))), ValueError, "2D gap"),
    (lambda: mixd.a1g_content(np.zeros((4, 4)), k=(np.zeros(3), np.zeros(4))), ValueError, "do not match"),
    (lambda: mixd.phase_map((30,), [0.0, 1.0], [0.2]), ValueError, "J_values"),
    (lambda: mixd.phase_map((30,), [1.0], [1.5]), ValueError, "dopings"),
    (lambda: mixd.phase_map((30,), [1.0], []), ValueError, "dopings"),
    (lambda: mixd.phase_map((30,), [1.0], [0.2], progress=1), TypeError, "progress"),
    (lambda: mixd.solve_at_doping((30,), 1.0, 0.0), ValueError, "doping"),
    (lambda: mixd.energy_at_fixed_condensate([4.0], shape=(30,), n_holes=8), ValueError, "N_cc"),
    (lambda: mixd.crossing_point([0, 1, 2], [1, 2, 3]), ValueError, "y must change sign"),
    (lambda: mixd.crossing_point([0, 2, 1], [1, -2, 3]), ValueError, "strictly increasing"),
    (lambda: mixd.crossing_point([0, 1], [1, -1, 2]), ValueError, "same length"),
    (lambda: mixd.crossing_point([0, 1], [True, False]), TypeError, "y"),
    (lambda: mixd.ladder_imbalance_map([1.0], [4], cut_holes=8), ValueError, "cut_holes"),
    (lambda: mixd.ladder_imbalance_map([1.0], [4.5]), TypeError, "n_holes"),
    (lambda: mixd.ladder_imbalance_map([1.2, 1.0], [8]), ValueError, "increasing"),
    (lambda: mixd.ladder_energy_sweep([1.0], low_holes=(0,)), ValueError, "low_holes"),
    (lambda: mixd.order_parameter_sweep([1.0, 1.2]), ValueError, "J_values"),
    (lambda: mixd.solve_eps_series((8, 8), eps_values=[]), ValueError, "eps_values"),
    (lambda: mixd.finite_size_crossover([30.0]), TypeError, "sizes"),
    (lambda: mixd.finite_size_crossover([30], dim=3), ValueError, "dim"),
    (lambda: mixd.finite_size_crossover([30], doping_holes=(8, 4)), ValueError, "doping_holes"),
    (lambda: mixd.finite_size_crossover([30], J_brackets=((1.6, 0.8), (1.0, 2.0))), ValueError, "J_brackets"),
    (lambda: mixd.finite_size_crossover([30], J_brackets=((1.5, 1.6), (1.0, 2.0))), ValueError, "sign"),
    (lambda: mixd.finite_size_crossover([30], xtol=0.0), ValueError, "xtol"),
    (lambda: mixd.sw_error_scaling([0.01, 0.02], n_fit=3), ValueError, "n_fit"),
    (lambda: mixd.sw_error_scaling([0.0, 0.02]), ValueError, "t_values"),
    (lambda: mixd.cluster_basis(5, 1), ValueError, "n_rungs"),
    (lambda: mixd.cluster_hamiltonian(2, 1, 1.0, 1.0, 1j), TypeError, "t_par"),
    (lambda: mixd.pymablock_cluster(2, 1, 1.0, 0.0), ValueError, "V"),
    (lambda: mixd.cluster_check(2, 1, 1.0, 1.0, []), ValueError, "t_values"),
    (lambda: mixd.solve_mean_field_dense(shape=(30,), max_points=0), ValueError, "max_points"),
    (lambda: mixd.solve_mean_field_dense(shape=(30,), tol=1.0), ValueError, "tol"),
])
def test_bad_input_helpers(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_convergence_error_reports_state():
    # a scan window that misses the minimum
    with pytest.raises(ConvergenceError, match="stationary point|rises") as exc:
        mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2, zscan=[2.0, 4.0])
    assert exc.value.last is not None
    # T = 0 with an open Fermi-level shell deep on the BCS side: singular gap equation
    with pytest.raises(ConvergenceError, match="BCS limit"):
        mixd.solve_mean_field(shape=(30,), n_holes=4, J_perp=0.2, temperature=0.0)


def test_regularizing_temperature_is_harmless_for_gapped_states():
    a = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2, temperature=0.0)
    b = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2)
    assert abs(a.energy - b.energy) < 1e-12 and abs(a.beta - b.beta) < 1e-10
    # degenerate shell (g_M = 0 for eps = 1 on 16x16) is solvable thanks to T
    s = mixd.solve_mean_field(shape=(16, 16), n_holes=12, J_perp=1.0, eps_diag=1.0)
    assert np.isfinite(s.energy) and abs(s.N_sc + 2 * s.N_cc - 12) < 1e-8


def test_dense_reference_size_guard():
    with pytest.raises(ValueError, match="max_points"):
        mixd.solve_mean_field_dense(shape=(128, 128), n_holes=10)
    with pytest.raises(ValueError, match="max_points"):
        mixd.solve_mean_field_dense(shape=(30,), max_points=10**9)


# ----------------------------------------------------------------- script and widget
def test_phase_map_script_small(tmp_path):
    out = tmp_path / "pm.npz"
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "mixd_phase_map_2d.py"),
                        "--small", "--no-progress", "-o", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    d = np.load(out)
    assert d["imbalance"].shape == (5, 4)
    assert np.all(np.isfinite(d["order_bcs"]))
    # BEC side has the larger condensate at every doping
    assert np.all(d["order_bec"][-1] > d["order_bec"][0])


@pytest.mark.slow
def test_phase_map_script_rows_on_dask_equal_serial(tmp_path):
    """--workers 2: the J rows as Dask tasks give the same map as the in-process sweep."""
    outs = {}
    for tag, extra in (("serial", []), ("dask", ["--workers", "2"])):
        outs[tag] = tmp_path / f"{tag}.npz"
        r = subprocess.run([sys.executable, str(ROOT / "scripts" / "mixd_phase_map_2d.py"), "--small",
                            "--no-progress", "-o", str(outs[tag]), *extra], capture_output=True, text=True,
                           timeout=600)
        assert r.returncode == 0, r.stderr
    a, b = np.load(outs["serial"]), np.load(outs["dask"])
    for k in ("imbalance", "order_bec", "order_bcs", "binding_energy", "energy", "n_holes", "J_values"):
        assert np.array_equal(a[k], b[k]), k


def test_data_file_matches_solver():
    path = paths.data_file("mixd_phase_map_2d.npz")
    d = np.load(path)
    i, j = 7, 11
    shape = tuple(int(x) for x in d["shape"])
    s = mixd.solve_mean_field(shape=shape, n_holes=int(d["n_holes"][j]),
                              J_perp=float(d["J_values"][i]), t_par=float(d["t_par"]))
    assert abs(s.imbalance - d["imbalance"][i, j]) < 1e-8


def test_explorer_widget_redraws():
    import matplotlib
    matplotlib.use("Agg")
    from nickelates.viz import mixd as vm
    w = vm.explorer(shape=(8, 8))
    b0 = w.data["order_bec"]
    w.sliders["J_perp"].value = 1.8
    assert w.data["J_perp"] == 1.8 and w.data["order_bec"] > b0
    w.sliders["eps_diag"].value = 1.5
    d = w.data["delta_k"]
    kx = w.data["solution"].k[0]
    i0, ipi = np.argmin(abs(kx)), np.argmin(abs(kx + np.pi))
    assert d[i0, ipi] < 0 < d[ipi, ipi]
    ref = mixd.solve_at_doping((8, 8), 1.8, w.sliders["doping"].value, 1.5)
    assert w.data["imbalance"] == pytest.approx(ref.imbalance, abs=1e-12)
    fig = vm.render_state(1.0, 12 / 256, 1.5)
    assert len(fig.axes) >= 2


def test_figures_draw_results():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nickelates.viz import mixd as vm

    figs = [vm.figure_fig3(mixd.ladder_imbalance_map([0.8, 1.2, 1.6], [4, 8])),
            vm.figure_fig45(mixd.ladder_energy_sweep([1.0, 1.5], low_holes=(2,))),
            vm.figure_fig6(mixd.order_parameter_sweep([1.0, 1.2, 1.4]), J_imbalance=1.1),
            vm.figure_fig27(mixd.solve_eps_series((8, 8), n_holes=3)),
            vm.figure_sw_scaling(mixd.sw_error_scaling([0.01, 0.02], n_fit=2)),
            vm.figure_finite_size({"1D": np.array([[30, 1.1, 1.35, 0.2], [60, 1.1, 1.36, 0.21]])}),
            vm.figure_phase_map_2d(mixd.phase_map((8, 8), [0.8, 1.4, 2.0], [0.05, 0.2, 0.3]))]
    assert [len(f.axes) for f in figs] == [3, 3, 1, 4, 1, 2, 4]
    for f in figs:
        plt.close(f)
    with pytest.raises(TypeError, match="imbalance_map"):
        vm.figure_fig3(np.linspace(0.5, 2, 5))
    with pytest.raises(TypeError, match="sol"):
        vm.plot_delta_k({"delta_k": 0})
    with pytest.raises(ValueError, match="4 columns"):
        vm.figure_finite_size({"1D": np.zeros((2, 3))})
    # old import paths of the moved helpers
    assert vm.crossing is mixd.crossing_point and vm.finite_size_crossover is mixd.finite_size_crossover


# ----------------------------------------------------------------- sweeps behind the figures
def test_crossing_point_hand_values():
    assert mixd.crossing_point([0.0, 1.0, 2.0], [1.0, 0.5, -0.5]) == pytest.approx(1.5)
    assert mixd.crossing_point([1.0, 2.0, 3.0], [-2.0, 0.0, 4.0]) == pytest.approx(2.0)   # exact zero
    assert mixd.crossing_point([0.0, 4.0], [3.0, -1.0]) == pytest.approx(3.0)


def test_ladder_imbalance_map_matches_single_solves_and_paper():
    m = mixd.ladder_imbalance_map(np.linspace(0.8, 1.6, 9), [4, 8, 14], L=30, cut_holes=8)
    assert m.imbalance.shape == (9, 3) and np.allclose(m.dopings, [4 / 30, 8 / 30, 14 / 30])
    s = mixd.solve_mean_field(shape=(30,), n_holes=14, J_perp=1.3)
    assert m.imbalance[5, 2] == pytest.approx(s.imbalance, abs=1e-12)
    assert np.array_equal(m.cut, m.imbalance[:, 1])
    assert 1.0 < m.J_cross < 1.25                           # paper: crossover near J/V ~ 1.1-1.2
    assert np.all(np.diff(m.cut) < 0)                       # holes move into cc's as J grows
    assert mixd.ladder_imbalance_map([1.5, 2.0], [8]).J_cross is None


def test_ladder_energy_sweep_background_and_binding():
    e = mixd.ladder_energy_sweep([0.6, 1.2, 1.8], L=30, low_holes=(2, 4), eb_holes=14)
    s = mixd.solve_mean_field(shape=(30,), n_holes=4, J_perp=1.8)
    assert e.energy[4][2] == pytest.approx(s.energy, abs=1e-12)
    assert e.energy_minus_bg[4][2] == pytest.approx(s.energy - s.J_perp * s.N_sc - (1.0 + 1.8) * s.N_cc)
    assert np.all(np.diff(e.binding_energy) > 0) and 0.25 < e.binding_energy[1] < 0.40   # E_B(1.2) ~ 0.32 V
    ratio = e.binding_energy / (2 * e.abs_delta_at_kstar)
    assert ratio[0] < 1.2 and ratio[-1] > 2                  # BCS: E_B ~ 2|Delta|, BEC: far above


def test_order_parameter_sweep_markers():
    o = mixd.order_parameter_sweep(np.linspace(0.8, 1.6, 33), L=30, n_holes=8)
    assert abs(o.J_steep - 1.2) < 0.1                        # paper's Fig. 6: crossover at J/V ~ 1.2
    assert 1.0 < o.J_imbalance < 1.25 and 1.25 < o.J_cross < 1.45
    assert np.all(np.diff(o.order_bec) > 0)
    assert o.J_imbalance == pytest.approx(mixd.crossing_point(o.J_values, o.imbalance))


def test_solve_eps_series_and_finite_size():
    s0, s1 = mixd.solve_eps_series((8, 8), n_holes=3, J_perp=1.0, eps_values=(0.0, 1.5))
    assert (s0.eps_diag, s1.eps_diag) == (0.0, 1.5)
    assert s1.energy == pytest.approx(mixd.solve_mean_field(shape=(8, 8), n_holes=3, J_perp=1.0,
                                                            eps_diag=1.5).energy, abs=1e-12)
    r = mixd.finite_size_crossover([30, 60], dim=1, xtol=1e-8)
    assert r.shape == (2, 4) and abs(r[0, 1] - r[1, 1]) < 1e-6      # exponential convergence of J_c
    s = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=r[0, 1])
    assert abs(s.imbalance) < 1e-6
    s = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=r[0, 2])
    assert abs(s.order_bec - s.order_bcs) < 1e-6


def test_sw_error_scaling_slopes():
    sw = mixd.sw_error_scaling(np.geomspace(0.005, 0.04, 4), J_perp=1.2, V=1.0, n_fit=4)
    assert abs(sw.slopes[1] - 3) < 0.15 and abs(sw.slopes[2] - 4) < 0.15
    assert sw.errors[3].max() < 1e-12


# ----------------------------------------------------------------- properties over the valid box
@settings(max_examples=25)
@given(L=st.integers(6, 40), frac=st.floats(0.05, 0.5), J=st.floats(0.6, 2.0), t=st.floats(0.05, 0.15),
       V=st.floats(0.7, 1.5))
def test_mean_field_properties_ladder(L, frac, J, t, V):
    nh = max(1, int(frac * L))
    s = mixd.solve_mean_field(shape=(L,), n_holes=nh, J_perp=J, V=V, t_par=t)
    for name in ("energy", "order_bec", "order_bcs", "gap", "mu", "beta"):
        assert np.isfinite(getattr(s, name)), name
    assert s.n_sc >= 0 and s.n_cc >= 0 and s.order_bcs >= 0 and s.gap >= 0
    assert -1 - 1e-12 <= s.imbalance <= 1 + 1e-12
    assert abs(s.N_sc + 2 * s.N_cc - nh) < 1e-7                       # hole number conserved
    assert np.allclose(s.E_k, np.sqrt(s.xi_k**2 + s.delta_k**2))
    assert s.binding_energy == pytest.approx(2 * s.E_k.min())


@settings(max_examples=10)
@given(Lx=st.integers(4, 12), Ly=st.integers(4, 12), frac=st.floats(0.02, 0.3), J=st.floats(0.8, 2.0),
       eps=st.floats(0.0, 1.5))
def test_mean_field_properties_bilayer(Lx, Ly, frac, J, eps):
    nh = max(1, int(frac * Lx * Ly))
    try:
        s = mixd.solve_mean_field(shape=(Lx, Ly), n_holes=nh, J_perp=J, eps_diag=eps)
    except ConvergenceError as exc:           # documented: open shells deep on the BCS side
        assert "BCS" in str(exc) or "stationary" in str(exc)
        return
    assert np.isfinite(s.energy) and s.n_sc >= 0 and s.n_cc >= 0
    assert -1 - 1e-12 <= s.imbalance <= 1 + 1e-12
    assert abs(s.N_sc + 2 * s.N_cc - nh) < 1e-7


# ----------------------------------------------------------------- Leggett point
def test_leggett_point_issue_numbers_and_sign_change():
    J8 = mixd.leggett_point(30, 8)
    J14 = mixd.leggett_point(30, 14)
    assert abs(J8 - 0.79) < 0.005 and abs(J14 - 0.92) < 0.005       # issue 16
    below = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=J8 - 0.02)
    above = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=J8 + 0.02)
    assert below.xi_band_min < 0 < above.xi_band_min
    # on the lattice (k = pi exists for even L) min xi_k is the band bottom
    assert abs(below.xi_k.min() - below.xi_band_min) < 1e-12
    at = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=J8)
    assert abs(at.xi_band_min) < 1e-8


def test_leggett_point_bad_input():
    with pytest.raises(ValueError, match="bracket"):
        mixd.leggett_point(30, 8, bracket=(1.5, 2.0))
    with pytest.raises(TypeError):
        mixd.leggett_point(30, 8.0)
    with pytest.raises(ValueError, match="n_holes"):
        mixd.leggett_point(30, 31)


# ----------------------------------------------------------------- balance point (imbalance zero)
def test_balance_point_is_the_imbalance_zero_of_full_solves():
    Jc = mixd.balance_point(30, 8)
    s = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=Jc)
    assert abs(s.imbalance) < 1e-8 and abs(Jc - 1.0966) < 5e-4
    lo = mixd.solve_mean_field(shape=(30,), n_holes=8, J_perp=Jc - 0.01)
    assert lo.imbalance > 0


def test_balance_point_options():
    Jc = mixd.balance_point(8, 4)
    # the sc-cc repulsion ~ N_sc N_cc = (N_h - 2 N_cc) N_cc is stationary at N_sc = 2 N_cc
    assert abs(mixd.balance_point(8, 4, sc_cc_repulsion=True) - Jc) < 1e-9
    a = mixd.solve_mean_field(shape=(8,), n_holes=4, J_perp=1.2)
    b = mixd.solve_mean_field(shape=(8,), n_holes=4, J_perp=1.2, sc_cc_repulsion=True)
    assert abs(a.imbalance - b.imbalance) > 1e-4                  # it does act away from J_c
    assert 0.002 < mixd.balance_point(8, 4, three_site=True) - Jc < 0.006
    assert -0.005 < mixd.balance_point(8, 4, hartree=True) - Jc < 0.0


def test_balance_point_bad_input():
    with pytest.raises(ValueError, match="bracket"):
        mixd.balance_point(30, 8, bracket=(1.2, 2.0))
    with pytest.raises(ValueError, match="V"):
        mixd.balance_point(30, 8, V=0.0)


# ----------------------------------------------------------------- competing channel (issue 16)
@pytest.mark.parametrize("shape,nh,J", [((16, 16), 12, 1.0), ((30,), 8, 1.2)])
def test_ansatz_energy_reproduces_the_solution(shape, nh, J):
    s = mixd.solve_mean_field(shape=shape, n_holes=nh, J_perp=J)
    theta = np.arctan2(s.delta_k, s.xi_k)
    assert abs(mixd.ansatz_energy(theta, s.beta, shape, J) - s.energy) < 1e-9
    with pytest.raises(ValueError, match="theta_k"):
        mixd.ansatz_energy(theta.ravel()[:-1], s.beta, shape, J)


def test_extended_s_beats_d_wave_and_pairs_sit_away_from_the_node():
    c = mixd.d_wave_competitor((16, 16), 12, amplitudes=[0.005, 0.01, 0.02])
    assert c["energy_d_best"] - c["energy_s"] > 0.5 and c["skipped"] == 0
    s = mixd.solve_mean_field(shape=(16, 16), n_holes=12, J_perp=1.0)
    assert s.xi_k.min() > 0.02                                   # no sc Fermi surface at J = V
    v2 = 0.5 * (1 - s.xi_k / s.E_k)
    i = np.unravel_index(np.argmax(v2), v2.shape)
    assert np.isclose(abs(s.k[0][i[0]]), np.pi) and np.isclose(abs(s.k[1][i[1]]), np.pi)
    with pytest.raises(ValueError, match="shape"):
        mixd.d_wave_competitor((30,), 8)


def test_viz_occupation_and_leggett_marks():
    import matplotlib
    matplotlib.use("Agg")
    from nickelates.viz import mixd as vm
    s = mixd.solve_mean_field(shape=(8, 8), n_holes=3, J_perp=1.0)
    fig = vm.figure_fig27((s,), occupation=True)
    assert len(fig.axes[0].collections) >= 2
    o = mixd.order_parameter_sweep([0.8, 1.0, 1.2])
    fig = vm.figure_fig6(o, J_leggett=0.79)
    assert any(t.get_text().strip() == "Leggett" for t in fig.axes[0].texts)
    with pytest.raises(TypeError):
        vm.plot_delta_k(s, occupation="yes")
    with pytest.raises(ValueError, match="J_leggett"):
        vm.figure_fig6(o, J_leggett=float("nan"))
