"""Tests of nickelates.clusters: fermion matrices, the Hubbard dimer and the channel cluster (ED vs SW)."""
import math
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nickelates import clusters, couplings
from nickelates.errors import ConvergenceError

ARGS = (0.6, 1.8, 6.8, 5.6)          # the book's chain: E_rem_a, E_rem_b, E_add_a, E_add_b (eV)
energy = st.floats(0.1, 10.0)


def _exact_gap(t, U):
    """Two-site singlet-triplet gap, written independently of the library."""
    return 0.5 * (math.sqrt(U**2 + 16 * t**2) - U)


# ------------------------------------------------------------ fermion algebra
def test_fermion_operators_anticommute():
    cd = clusters.fermion_creation_operators(3)
    c = [o.T for o in cd]
    for i in range(3):
        for j in range(3):
            assert np.array_equal(c[i] @ cd[j] + cd[j] @ c[i], np.eye(8) * (i == j))
            assert not (cd[i] @ cd[j] + cd[j] @ cd[i]).any()
    assert not cd[0].flags.writeable


@pytest.mark.parametrize("n, exc, message", [
    (0, ValueError, r"n_modes must be an integer in \[1, None\]"),
    (11, ValueError, "at most 10 modes"),
    (2**40, ValueError, r"n_modes must be an integer in \[1, 10\]"),     # bounded before n 4^n is computed
    (2.0, TypeError, "n_modes must be an integer"),
    (True, TypeError, "n_modes must be an integer"),
])
def test_fermion_operators_bad_size(n, exc, message):
    with pytest.raises(exc, match=message):
        clusters.fermion_creation_operators(n)


# ------------------------------------------------------------------- dimer
@given(st.floats(-5, 5), st.floats(0, 10))
def test_dimer_hamiltonian_hermitian_and_level_counts(t_c, U):
    H, N = clusters.hubbard_dimer_hamiltonian(t_c, U)
    assert np.array_equal(H, H.T) and np.isrealobj(H)
    assert np.allclose(H @ N, N @ H)
    n = np.rint(np.diag(N)).astype(int)
    assert [int(np.sum(n == k)) for k in range(5)] == [comb(4, k) for k in range(5)]
    # two-electron levels: triplet 0 (x3), ionic U, and (U -+ sqrt(U^2 + 16 t^2))/2
    idx = np.flatnonzero(n == 2)
    w = np.linalg.eigvalsh(H[np.ix_(idx, idx)])
    r = math.sqrt(U**2 + 16 * t_c**2)
    assert np.allclose(w, sorted([0, 0, 0, U, (U - r) / 2, (U + r) / 2]), atol=1e-12 * max(1, U, abs(t_c)))


@given(st.floats(-5, 5), st.floats(0, 10))
def test_dimer_spectrum_matches_two_site_result(t_c, U):
    s = clusters.dimer_spectrum(t_c, U)
    assert abs(s.triplet) < 1e-12 * max(1, U, abs(t_c))
    assert s.gap == pytest.approx(_exact_gap(t_c, U), abs=1e-12 * max(1, U, abs(t_c)))
    assert s.gap == pytest.approx(clusters.dimer_spectrum(-t_c, U).gap, abs=1e-12 * max(1, U, abs(t_c)))
    assert s.gap >= -1e-12


def test_dimer_spectrum_limits():
    assert clusters.dimer_spectrum(0.0, 5.0).gap == pytest.approx(0.0, abs=1e-15)      # decoupled spins
    assert clusters.dimer_spectrum(0.6, 0.0).gap == pytest.approx(1.2, abs=1e-12)      # U = 0: 2 |t_c|
    sp_ = clusters.dimer_spectrum(0.6, 5.0)
    assert sp_.gap == pytest.approx(couplings.dimer_exchange(0.6, 5.0), rel=0.06)       # 0.273 vs 0.288
    ts = np.geomspace(0.03, 0.3, 6)
    err = [clusters.dimer_spectrum(t, 5.0).gap - couplings.dimer_exchange(t, 5.0) for t in ts]
    assert clusters.loglog_slope(ts, err) == pytest.approx(4.0, abs=0.05)


def _excitations_by_hand(t, U, eps):
    """Closed forms of the dimer's charge excitations (one- and three-electron states are exact)."""
    r = math.sqrt(U**2 + 16 * t**2)
    gap = _exact_gap(t, U)
    w_rem_a = 0.5 * (1 - 4 * t / r)
    return {"E_rem_a": -eps + t + gap, "E_rem_b": -eps - t + gap, "E_add_a": eps + U - t + gap,
            "E_add_b": eps + U + t + gap, "w_rem_a": w_rem_a, "w_rem_b": 1 - w_rem_a,
            "w_add_a": 1 - w_rem_a, "w_add_b": w_rem_a}


@given(st.floats(-3, 3), st.floats(0.05, 10), st.floats(-10, 10))
def test_hubbard_dimer_excitations_closed_form(t_c, U, eps_z):
    x = clusters.hubbard_dimer_excitations(t_c, U, eps_z)
    ref = _excitations_by_hand(t_c, U, eps_z)
    assert set(x) == set(ref)
    for k in ref:
        assert x[k] == pytest.approx(ref[k], abs=1e-10 * max(1, U, abs(eps_z))), k


def test_hubbard_dimer_excitations_limits():
    # t_c = 0 divided by zero before; now the t_c -> 0 limit: E_rem = -eps_z, E_add = eps_z + U, weights 1/2
    x = clusters.hubbard_dimer_excitations(0.0, 5.0, -2.0)
    assert (x["E_rem_a"], x["E_rem_b"], x["E_add_a"], x["E_add_b"]) == pytest.approx((2, 2, 3, 3), abs=1e-12)
    assert all(x[k] == pytest.approx(0.5, abs=1e-12) for k in ("w_rem_a", "w_rem_b", "w_add_a", "w_add_b"))
    assert x["E_rem_a"] == pytest.approx(clusters.hubbard_dimer_excitations(1e-9, 5.0, -2.0)["E_rem_a"], abs=1e-8)
    # U = 0: both electrons in the bonding orbital, nothing to remove from a
    y = clusters.hubbard_dimer_excitations(0.6, 0.0, -2.0)
    assert y["w_rem_a"] == pytest.approx(0.0, abs=1e-12) and y["w_rem_b"] == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="t_c and U cannot both vanish"):
        clusters.hubbard_dimer_excitations(0.0, 0.0, -2.0)
    with pytest.raises(ValueError, match="U must lie in 0 or"):
        clusters.hubbard_dimer_excitations(0.6, -1.0, -2.0)
    with pytest.raises(TypeError):
        clusters.hubbard_dimer_excitations(0.6, 5.0, "deep")


def test_hubbard_dimer_excitations_paper_scale():
    tc, U = 0.6, 5.0
    for ez in (-2.0, -1.0):
        x = clusters.hubbard_dimer_excitations(tc, U, ez)
        # in the Mott dimer the bonding channel is the cheaper one to empty
        assert x["E_rem_b"] == pytest.approx(x["E_rem_a"] - 2 * tc, abs=1e-10)
        assert x["E_add_a"] == pytest.approx(x["E_add_b"] - 2 * tc, abs=1e-10)
        assert x["E_rem_a"] + x["E_add_b"] == pytest.approx(U + 2 * tc + 2 * clusters.dimer_spectrum(tc, U).gap,
                                                            abs=1e-10)
        # removal weight through a: (1 - 4 t_c / sqrt(U^2 + 16 t_c^2))/2 -> 1/2 for U >> t_c
        assert x["w_rem_a"] == pytest.approx(0.5 * (1 - 4 * tc / math.hypot(U, 4 * tc)), abs=1e-12)


def test_dimer_channel_shifts_order_channels_opposite_to_paper():
    """Microscopic dimer: delta xi_beta > delta xi_alpha for every stable level position."""
    rows = clusters.dimer_channel_shifts(0.6, 5.0, np.linspace(-4.4, -0.6, 9))
    assert len(rows) >= 7 and all(db > da for *_, da, db in rows)
    ez, E_rem_a, E_rem_b, da, db = rows[0]
    ref = _excitations_by_hand(0.6, 5.0, ez)
    assert da == pytest.approx(ref["w_rem_a"] / ref["E_rem_a"] - ref["w_add_a"] / ref["E_add_a"], rel=1e-10)
    assert len(clusters.dimer_channel_shifts(0.6, 5.0, [-2.0, 10.0])) == 1       # eps_z = 10: dimer empties
    with pytest.raises(TypeError):
        clusters.dimer_channel_shifts(0.6, 5.0, [1 + 1j])
    with pytest.raises(ValueError, match="eps_z_values must have at least 1"):
        clusters.dimer_channel_shifts(0.6, 5.0, [])


# ---------------------------------------------------------- channel cluster
def test_channel_cluster_structure():
    H0, V, low, meta = clusters.channel_cluster_hamiltonian(0.3, *ARGS)
    assert np.array_equal(H0, np.diag(np.diag(H0))) and np.array_equal(V, V.T)
    assert len(low) == 64 and np.all(np.diag(H0)[low] == 0)
    ntot = meta["ntot"]
    assert [int(np.sum(ntot == k)) for k in range(9)] == [comb(8, k) for k in range(9)]
    i, j = np.nonzero(V)
    assert np.all(ntot[i] == ntot[j])                           # hopping conserves the particle number
    w = np.linalg.eigvalsh(H0 + V)
    assert np.all(np.isfinite(w)) and w.size == 256


@given(st.floats(0.01, 1.0), energy, energy, energy, energy)
def test_numerical_sw_is_the_closed_form(t_xz, ra, rb, aa, ab):
    sw = clusters.channel_cluster_couplings_sw(2 * t_xz, ra, rb, aa, ab)
    ref = couplings.channel_couplings(t_xz, ra, rb, aa, ab)
    assert sw.as_tuple() == pytest.approx(ref.as_tuple(), rel=1e-10, abs=1e-14)


@settings(max_examples=15)
@given(energy, energy, energy, energy, st.sampled_from([1e-3, 3e-3, 1e-2]))
def test_ed_approaches_sw_for_small_g(ra, rb, aa, ab, ratio):
    g = ratio * min(ra, rb, aa, ab)
    ed = clusters.channel_cluster_couplings_ed(g, ra, rb, aa, ab)
    sw = clusters.channel_cluster_couplings_sw(g, ra, rb, aa, ab)
    scale = g**2 / min(ra, rb, aa, ab)
    # ED - SW is of order g^4 / E^3 = (g/E)^2 * g^2/E
    assert np.allclose(ed.as_tuple(), sw.as_tuple(), rtol=0, atol=20 * ratio**2 * scale)
    assert np.allclose(ed.as_tuple(), clusters.channel_cluster_couplings_ed(-g, ra, rb, aa, ab).as_tuple(),
                       atol=1e-12 * scale + 1e-15)                 # g -> -g is a gauge transformation


def test_channel_ed_error_is_fourth_order():
    Ea = couplings.E_a_for_eps_alpha(0.4, couplings.T_XZ_PAPER, 5.0)
    args = clusters.channel_cluster_args(Ea)
    d = clusters.sw_error_scaling(Ea, g_values=np.geomspace(0.01, 0.08, 5), t_values=np.geomspace(0.03, 0.3, 5))
    assert d["cluster_args"] == args
    assert all(s == pytest.approx(4.0, abs=0.1) for s in d["slopes"].values())
    assert d["dimer_slope"] == pytest.approx(4.0, abs=0.05)
    # leading dimer correction -16 t^4/U^3
    t0 = d["t"][0]
    assert d["dimer_errors"][0] == pytest.approx(-16 * t0**4 / 125, rel=2e-3)
    ed = clusters.channel_cluster_couplings_ed(0.01, *args)
    sw = clusters.channel_cluster_couplings_sw(0.01, *args)
    assert ed.J_K_a == pytest.approx(sw.J_K_a, rel=2e-3)


def test_channel_cluster_args_and_relative_deviation():
    assert clusters.channel_cluster_args(0.6, 0.6, 5.0) == pytest.approx((0.6, 1.8, 6.8, 5.6))
    rows = clusters.channel_relative_deviation([0.05, 0.1, 1.0], ARGS)
    assert [r[1] for r in rows] == pytest.approx([2 * couplings.T_XZ_PAPER * e for e in (0.05, 0.1, 1.0)])
    assert -0.6 < rows[2][2] < -0.4                              # chapter 2: about half at eta = 1
    # small eta: the deviation grows as eta^2
    assert rows[1][2] / rows[0][2] == pytest.approx(4.0, rel=0.02)


@pytest.mark.parametrize("call, exc, message", [
    (lambda: clusters.channel_cluster_couplings_ed(0.1, 0.6, 1.8, 0.0, 5.6), ValueError, "E_add_a must lie"),
    (lambda: clusters.channel_cluster_couplings_ed(5.0, *ARGS), ValueError, "g = 5.0 is too large"),
    (lambda: clusters.channel_cluster_couplings_sw(0.1, *ARGS, E_ion=1e300), ValueError, "E_ion must lie"),
    (lambda: clusters.channel_cluster_hamiltonian("0.1", *ARGS), TypeError, "g must be a real number"),
    (lambda: clusters.loglog_slope([1, 2], [0, 1]), ValueError, "y must be non-zero"),
    (lambda: clusters.loglog_slope([1, 2, 3], [1, 2]), ValueError, "same length"),
    (lambda: clusters.loglog_slope([2, 2], [1, 2]), ValueError, "two different"),
    (lambda: clusters.loglog_slope([-1, 2], [1, 2]), ValueError, "x must be positive"),
    (lambda: clusters.loglog_slope([1j, 2], [1, 2]), TypeError, "x must be real"),
    (lambda: clusters.sw_error_scaling(0.6, g_values=[0.01]), ValueError, "g_values must have at least 2"),
    (lambda: clusters.sw_error_scaling(0.6, g_values=[-0.01, 0.02]), ValueError, "g_values must be positive"),
    (lambda: clusters.sw_error_scaling(0.6, t_values=np.ones(20_000)), ValueError, "more than the 10000"),
    (lambda: clusters.channel_relative_deviation([0.0, 1.0], ARGS), ValueError, "must be non-zero"),
    (lambda: clusters.channel_relative_deviation([1.0], ARGS[:3]), ValueError, "must hold 4 energies"),
    (lambda: clusters.channel_relative_deviation([1.0], "ARGS"), TypeError, "cluster_args must be a sequence"),
    (lambda: clusters.channel_relative_deviation([1.0], (1.0, 1.8, 1.0, 5.6)), ValueError,
     "second-order shift_alpha vanishes"),
    (lambda: clusters.effective_channel_couplings(np.zeros((63, 63))), ValueError, r"shape \(64, 64\)"),
    (lambda: clusters.effective_channel_couplings(np.triu(np.ones((64, 64)))), ValueError, "Hermitian"),
    (lambda: clusters.effective_channel_couplings(np.zeros((64, 64), bool)), TypeError, "numeric"),
    (lambda: clusters.effective_channel_couplings(np.full((64, 64), np.nan)), ValueError, "finite"),
])
def test_bad_input(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_effective_couplings_of_a_known_hamiltonian():
    """A hand-built H_eff: the shift of alpha on the singlet and the T^+ s_ab element."""
    B = clusters.dimer_spin_basis()
    vac, s_a = np.zeros(64, complex), np.zeros(64, complex)
    vac[np.arange(4) * 16] = B[0]
    s_a[np.arange(4) * 16 + 0b1000] = B[0]
    h = 0.3 * np.outer(s_a, s_a.conj()) - 0.1 * np.outer(vac, vac.conj())
    c = clusters.effective_channel_couplings(h)
    assert c.shift_alpha == pytest.approx(0.4) and c.shift_beta == pytest.approx(0.1)
    assert c.J_K_a == 0 and c.J_K_b == 0


def test_lapack_failure_is_a_convergence_error(monkeypatch):
    def broken(_h):
        raise np.linalg.LinAlgError("Eigenvalues did not converge")

    monkeypatch.setattr(clusters.np.linalg, "eigh", broken)
    with pytest.raises(ConvergenceError, match="did not converge"):
        clusters.channel_cluster_couplings_ed(0.1, *ARGS)
    with pytest.raises(ConvergenceError, match="dimer singlet sector"):
        clusters.dimer_spectrum(0.6, 5.0)


# ------------------------------------------------------ derived-form chain
def test_dimer_weights_first_order_in_tc_over_U():
    na, nb = clusters.dimer_weights(0.6, 5.0)
    assert (na, nb) == pytest.approx((0.284, 0.716), abs=5e-4)
    R = math.hypot(5.0, 2.4)
    assert nb - na == pytest.approx(2.4 / R, rel=1e-12) and na + nb == pytest.approx(1.0, abs=1e-12)
    # the local-moment limit
    assert clusters.dimer_weights(1e-4, 5.0) == pytest.approx((0.5, 0.5), abs=1e-4)


@pytest.mark.parametrize("ordering, weights", [("dimer", "limit"), ("dimer", "dimer"), ("paper", "limit")])
def test_dimer_chain_hits_the_target_and_orders_the_bands(ordering, weights):
    d = clusters.dimer_chain(0.4, ordering=ordering, weights=weights)
    c = d.couplings
    assert max(c.eps_alpha, c.eps_beta) == pytest.approx(0.4, rel=1e-10)
    assert min(d.E_rem_a, d.E_rem_b, d.E_add_a, d.E_add_b) > 0
    g2 = 4 * couplings.T_XZ_PAPER**2
    if ordering == "dimer":
        x = _excitations_by_hand(0.6, 5.0, d.eps_z)
        assert (d.E_rem_a, d.E_rem_b, d.E_add_a, d.E_add_b) == pytest.approx(
            (x["E_rem_a"], x["E_rem_b"], x["E_add_a"], x["E_add_b"]), abs=1e-10)
        assert d.E_rem_a - d.E_rem_b == pytest.approx(1.2, abs=1e-10)
        assert c.eps_beta > c.eps_alpha and c.kappa_b > c.kappa_a
        w = 0.5 if weights == "limit" else x["w_rem_b"]
        assert c.eps_beta == pytest.approx(g2 * (w / d.E_rem_b - (1 - w) / d.E_add_b), rel=1e-10)
    else:
        assert d.eps_z is None and d.E_rem_b - d.E_rem_a == pytest.approx(1.2)
        # weights 1/2 and the Eq.(10) identification: J_K as printed, shift as derived
        ja, jb = couplings.kondo_couplings(couplings.T_XZ_PAPER, d.E_rem_a, d.E_rem_b, 5.0)
        assert (c.J_K_a, c.J_K_b) == pytest.approx((ja, jb), rel=1e-12)
        assert c.eps_alpha == pytest.approx(0.5 * g2 * (1 / d.E_rem_a - 1 / (d.E_rem_b + 5.0)), rel=1e-10)
        assert c.eps_beta < c.eps_alpha
    if weights == "limit":
        assert c.kappa_a == pytest.approx(c.J_K_a / 0.4) and c.J_c == pytest.approx(0.288)
        assert d.hund_factor == 1.0
    else:
        # the exact singlet: Kondo x sqrt(2 n), Hund vertex x covalent amplitude, exact gap
        na, nb = x["w_rem_a"], x["w_rem_b"]
        ja = math.sqrt(2 * na) * g2 * (1 / d.E_rem_a + 1 / d.E_add_b)
        jb = math.sqrt(2 * nb) * g2 * (1 / d.E_rem_b + 1 / d.E_add_a)
        hund = (math.sqrt(na) + math.sqrt(nb)) / math.sqrt(2)
        assert (c.J_K_a, c.J_K_b) == pytest.approx((ja, jb), rel=1e-10)
        assert d.hund_factor == pytest.approx(hund, rel=1e-12)
        assert (c.kappa_a, c.kappa_b) == pytest.approx((ja / (0.4 * hund), jb / (0.4 * hund)), rel=1e-10)
        gap = math.sqrt(25 + 16 * 0.36) / 2 - 2.5          # exact singlet-triplet gap, (sqrt(U^2+16t^2)-U)/2
        assert c.J_c == pytest.approx(gap, rel=1e-10) and c.V == pytest.approx(1.5 * (0.4 * hund) ** 2 / gap)


def test_singlet_couplings_ed_against_the_weighted_forms():
    """ED second order over all 1- and 3-electron dimer states = sqrt(2 n) x local-moment forms."""
    for t_c, U, ez in ((0.6, 5.0, -2.0), (0.6, 5.0, -3.5), (1.0, 3.0, -1.2)):
        r = clusters.singlet_channel_couplings(t_c, U, ez)
        na, nb = r.n_a, r.n_b
        R = math.hypot(U, 4 * t_c)
        assert nb - na == pytest.approx(4 * t_c / R, rel=1e-10)          # closed form of the singlet
        assert r.gap == pytest.approx((R - U) / 2, rel=1e-10)
        assert r.J_K_a == pytest.approx(math.sqrt(2 * na) * (1 / r.E_rem_a + 1 / r.E_add_b), rel=1e-10)
        assert r.J_K_b == pytest.approx(math.sqrt(2 * nb) * (1 / r.E_rem_b + 1 / r.E_add_a), rel=1e-10)
        assert r.shift_alpha == pytest.approx(na / r.E_rem_a - nb / r.E_add_a, rel=1e-10)
        assert r.shift_beta == pytest.approx(nb / r.E_rem_b - na / r.E_add_b, rel=1e-10)
        assert r.hund_factor == pytest.approx((math.sqrt(na) + math.sqrt(nb)) / math.sqrt(2), rel=1e-10)
        # the addition energy of the exact dimer: E+_o = U - E-_o + 2 (singlet-triplet gap)
        assert r.E_add_a == pytest.approx(U - r.E_rem_a + 2 * r.gap, abs=1e-10)
        assert r.E_add_b == pytest.approx(U - r.E_rem_b + 2 * r.gap, abs=1e-10)
    # the local-moment limit: factors -> 1, J_K -> the channel cluster's
    r = clusters.singlet_channel_couplings(0.01, 50.0, -20.0)
    assert r.J_K_a == pytest.approx(1 / r.E_rem_a + 1 / r.E_add_b, rel=1e-3)
    fa, fb, fh = clusters.singlet_factors(*clusters.dimer_weights(0.6, 5.0))
    assert (fa, fb, fh) == pytest.approx((0.753, 1.197, 0.975), abs=5e-4)      # the review's 0.753, 1.197
    with pytest.raises(ValueError, match="n_a \\+ n_b must be 1"):
        clusters.singlet_factors(0.3, 0.3)
    with pytest.raises(ValueError, match="channel energy"):
        clusters.singlet_channel_couplings(0.6, 5.0, 1.0)


def test_dimer_chain_bad_input():
    with pytest.raises(ValueError, match="ordering must be one of"):
        clusters.dimer_chain(0.4, ordering="v1")
    with pytest.raises(ValueError, match="weights must be one of"):
        clusters.dimer_chain(0.4, weights="half")
    with pytest.raises(ValueError, match="eps_target must lie"):
        clusters.dimer_chain(-0.4)
    with pytest.raises(TypeError):
        clusters.dimer_chain("0.4")
    # a shift far below g^2/U needs channel energies beyond the bracket searched
    with pytest.raises(ValueError, match="cannot be reached"):
        clusters.dimer_chain(1e-9, ordering="paper")
