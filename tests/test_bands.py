"""Tests of nickelates.bands: analytic limits, symmetry, convergence, paper numbers, bad input."""
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nickelates import bands as B


def test_high_symmetry_energies():
    p = B.PAPER_V3
    xa, xb = B.dispersion(np.array([0, math.pi, math.pi]), np.array([0, 0, math.pi]), p)
    assert np.allclose(xa, [-4 * (p.t1 + p.t2 + p.t3) - p.mu, 4 * p.t2 - 4 * p.t3 + 4 * p.eps_a - p.mu,
                            4 * p.t1 - 4 * p.t2 - 4 * p.t3 - p.mu])
    assert np.isclose(xb[1], 4 * p.t2 - 4 * p.t3 + 4 * p.eps_b - p.mu)


def test_c4v_symmetry_and_degeneracy_on_diagonal(rng):
    kx, ky = rng.uniform(-math.pi, math.pi, (2, 200))
    for xi in B.dispersion(kx, ky, B.PAPER_V3):
        for other in (B.dispersion(ky, kx, B.PAPER_V3), B.dispersion(-kx, ky, B.PAPER_V3)):
            assert np.allclose(xi, other[0]) or np.allclose(xi, other[1])
    xa, xb = B.dispersion(kx, kx, B.PAPER_V3)          # eta = 0 on the diagonal: bands degenerate
    assert np.allclose(xa, xb)


def test_paper_fillings_v1_and_v3():
    na, nb = B.fillings(B.PAPER_V1)
    assert abs(na - 0.144) < 0.003 and abs(nb - 0.308) < 0.003
    assert abs(sum(B.fillings(B.PAPER_V3)) - 0.45) < 0.005


def test_fillings_methods_agree(bands_045):
    p = bands_045
    a = B.fillings(p)
    b = B.fillings(p, method="triangle", n_grid=2048, rtol=1e-4)
    assert np.allclose(a, b, rtol=1e-5)


@pytest.mark.parametrize("n_c", [0.05, 0.22, 0.28, 0.45, 0.9, 1.6])
def test_mu_for_density_inverts_fillings(n_c):
    p = B.with_density(B.PAPER_V3, n_c)
    assert abs(sum(B.fillings(p)) - n_c) < 1e-9


def test_dos_contour_vs_triangle_and_paper_shape(bands_045):
    p = bands_045
    ref = B.fermi_level_dos(p)
    tri = B.fermi_level_dos(p, method="triangle", n_grid=2048, rtol=1e-3)
    assert np.allclose(ref, tri, rtol=1e-4)
    assert abs(ref.N_beta / ref.N_alpha - 2.502) < 0.01     # Fig. 3 left at n_c = 0.45
    assert ref.Nt_beta / ref.N_beta > 1.7 and ref.Nt_alpha / ref.N_alpha < 0.4   # Fig. 4 left


def test_dos_is_derivative_of_filling(bands_045):
    p = bands_045
    h = 1e-5
    up = sum(B.fillings(dataclasses.replace(p, mu=p.mu + h)))
    dn = sum(B.fillings(dataclasses.replace(p, mu=p.mu - h)))
    d = B.fermi_level_dos(p)
    assert abs((up - dn) / (2 * h) - (d.N_alpha + d.N_beta)) < 1e-5


def test_free_electron_like_limit():
    """Only t1, small filling: circular pocket with N = 1/(4 pi t1) per spin per k-point (2D parabolic band)."""
    p = B.BandParams(t1=0.5, t2=0.0, t3=0.0, eps_a=0.0, eps_b=0.0, mu=-2.0 + 1e-4)
    d = B.fermi_level_dos(p)
    assert abs(d.N_alpha - 1 / (4 * math.pi * p.t1)) / d.N_alpha < 1e-3
    assert np.isclose(d.N_alpha, d.N_beta)


def test_fermi_surface_weights_sum_to_dos_and_eta_average(bands_045):
    p = bands_045
    d = B.fermi_level_dos(p)
    for band, N, Nt in (("alpha", d.N_alpha, d.Nt_alpha), ("beta", d.N_beta, d.Nt_beta)):
        fs = B.fermi_surface(p, band)
        assert abs(fs.weight.sum() / N - 1) < 1e-8
        e2 = (np.cos(fs.kx) - np.cos(fs.ky)) ** 2
        assert abs((fs.weight * e2).sum() / Nt - 1) < 1e-8
        xi = B.band_energy(fs.kx, fs.ky, p, band)
        assert np.max(np.abs(xi)) < 1e-10
    assert B.fermi_surface(p, "alpha").centre == "Gamma"
    assert B.fermi_surface(p, "beta").centre == "M"


def test_orbital_content_near_paper():
    pa, pb = B.orbital_content(B.PAPER_V3, math.sqrt(3) / 4 * 0.6)
    assert abs(pa - 0.14) < 0.012 and abs(pb - 0.054) < 0.008


def test_critical_points_against_closed_forms():
    """Gamma, X, M energies in closed form; the beta saddle at kx = 2 pi/3 (chapter 1, exercise)."""
    p = B.PAPER_V3
    crit = B.critical_points(p, "beta")
    by_k = {(round(c.kx, 6), round(c.ky, 6)): c for c in crit}
    X, M, G = by_k[(round(math.pi, 6), 0.0)], by_k[(round(math.pi, 6), round(math.pi, 6))], by_k[(0.0, 0.0)]
    assert X.energy == pytest.approx(4 * p.t2 - 4 * p.t3 + 4 * p.eps_b, abs=1e-12) and X.kind == "minimum"
    assert M.energy == pytest.approx(4 * p.t1 - 4 * p.t2 - 4 * p.t3, abs=1e-12) and M.kind == "maximum"
    assert G.energy == pytest.approx(-4 * (p.t1 + p.t2 + p.t3), abs=1e-12) and G.kind == "minimum"
    saddle = [c for c in crit if c.kind == "saddle"]
    assert len(saddle) == 1 and saddle[0].ky == 0.0
    assert saddle[0].kx == pytest.approx(2 * math.pi / 3, abs=1e-7)
    # xi + mu = -2 t1 (c + 1) - 4 t2 c - 4 t3 c^2 + eps (c - 1)^2 at c = cos kx = -1/2
    c = -0.5
    assert saddle[0].energy == pytest.approx(-2 * p.t1 * (c + 1) - 4 * p.t2 * c - 4 * p.t3 * c * c
                                             + p.eps_b * (c - 1) ** 2, abs=1e-12)
    # alpha: X is a saddle (curvature -2 t1 - 4 t2 + 8 t3 - 4 eps_a < 0 along kx, > 0 along ky)
    alpha_X = [c for c in B.critical_points(p, "alpha") if c.kx == math.pi and c.ky == 0.0]
    assert [c.kind for c in alpha_X] == ["saddle"]
    # the pairing module's energies are the same points, measured from mu
    from nickelates import pairing
    assert pairing.critical_energies(p, "beta") == pytest.approx([c.energy - p.mu for c in crit], abs=1e-15)


def test_dos_vs_filling_numbers():
    """Fig. 3/4 (left) at n_c = 0.45 and the two special fillings (chapter 1)."""
    d = B.dos_vs_filling([0.45, 0.6])
    assert d.N_beta[0] / d.N_alpha[0] == pytest.approx(2.502, abs=0.01)
    assert d.Nt_alpha[0] / d.N_alpha[0] == pytest.approx(0.326, abs=0.005)
    assert d.Nt_beta[0] / d.N_beta[0] == pytest.approx(1.798, abs=0.01)
    assert d.mu[0] == pytest.approx(B.mu_for_density(0.45, B.PAPER_V3), abs=1e-12)
    assert 0.30 < d.n_c_vh < 0.32 and 0.22 < d.n_c_X < 0.26
    # n_c_X is the filling at mu = xi_beta(X) + mu = 4 t2 - 4 t3 + 4 eps_b (closed form)
    p = B.PAPER_V3
    assert d.n_c_X == pytest.approx(sum(B.fillings(dataclasses.replace(p, mu=4 * p.t2 - 4 * p.t3 + 4 * p.eps_b))))
    assert d["error"] is d.error
    with pytest.raises(ValueError, match="n_c"):
        B.dos_vs_filling([0.45, 2.0])
    with pytest.raises(TypeError, match="n_c"):
        B.dos_vs_filling(["0.45"])


def test_with_density_is_cached_and_validated(bands_045):
    assert B.with_density(B.PAPER_V3, 0.45) is bands_045
    assert B.with_density(B.PAPER_V3, 0.45 + 1e-14) is bands_045        # rounded to 12 digits
    B.clear_cache()
    q = B.with_density(B.PAPER_V3, 0.45)
    assert q == bands_045 and q is not bands_045
    with pytest.raises(TypeError, match="p must"):
        B.with_density((0.45, -0.23, 0.07, 0.4, 0.1, -0.65), 0.45)
    with pytest.raises(ValueError, match="n_c"):
        B.with_density(B.PAPER_V3, 2.0)


# ----------------------------------------------------------------- bad input

@pytest.mark.parametrize("n_c", [0.0, 2.0, -0.1, 2.5, float("nan")])
def test_bad_density(n_c):
    with pytest.raises(ValueError, match="n_c"):
        B.mu_for_density(n_c, B.PAPER_V3)


@pytest.mark.parametrize("field", ["t1", "t2", "t3", "eps_a", "eps_b", "mu"])
def test_non_finite_parameters(field):
    kw = dataclasses.asdict(B.PAPER_V3)
    kw[field] = float("inf")
    with pytest.raises(ValueError, match=field):
        B.BandParams(**kw)


def test_grid_too_small_for_accuracy():
    with pytest.raises(ValueError, match="n_grid"):
        B.fermi_level_dos(B.PAPER_V3, method="triangle", n_grid=32, rtol=1e-6)
    with pytest.raises(ValueError, match="n_grid"):
        B.fermi_level_dos(B.PAPER_V3, method="triangle", n_grid=8)


def test_other_bad_input():
    with pytest.raises(ValueError, match="band"):
        B.fermi_surface(B.PAPER_V3, "gamma")
    with pytest.raises(ValueError, match="t_xz"):
        B.orbital_content(B.PAPER_V3, 0.0)
    with pytest.raises(ValueError, match="method"):
        B.fillings(B.PAPER_V3, method="histogram")
    with pytest.raises(TypeError, match="p must be"):
        B.fillings((0.45, -0.23, 0.07, 0.4, 0.1, -0.65))
    with pytest.raises(ValueError, match="kx"):
        B.dispersion([0.0, np.nan], [0.0, 0.0], B.PAPER_V3)
    with pytest.raises(ValueError, match="no Fermi surface"):
        B.fermi_surface(dataclasses.replace(B.PAPER_V3, mu=-5.0), "alpha")


def test_contour_method_raises_where_sheet_not_star_shaped():
    p = B.with_density(B.PAPER_V3, 0.28)           # beta: Gamma sheet + X pockets
    with pytest.raises(ValueError, match="star-shaped"):
        B.fermi_level_dos(p, method="contour")
    d, err, how = B.fermi_level_dos(p, return_error=True)
    assert how[1] == "triangle" and err < 1e-3


def test_velocity_is_gradient_of_dispersion(rng):
    kx, ky = rng.uniform(-math.pi, math.pi, (2, 50))
    h = 1e-6
    for band in B.BAND_NAMES:
        vx, vy = B.velocity(kx, ky, B.PAPER_V3, band)
        fx = (B.band_energy(kx + h, ky, B.PAPER_V3, band) - B.band_energy(kx - h, ky, B.PAPER_V3, band)) / (2 * h)
        fy = (B.band_energy(kx, ky + h, B.PAPER_V3, band) - B.band_energy(kx, ky - h, B.PAPER_V3, band)) / (2 * h)
        assert np.allclose(vx, fx, atol=1e-7) and np.allclose(vy, fy, atol=1e-7)
    with pytest.raises(ValueError, match="band"):
        B.velocity(0.1, 0.2, B.PAPER_V3, "delta")


def test_contour_integrals_converge_exponentially(bands_045):
    p = bands_045
    ref = B.fermi_level_dos(p)
    errs = [abs(B.contour_integrals(p, "beta", m)[1] / ref.N_beta - 1) for m in (8, 16, 32)]
    assert errs[0] > 1e-5 and errs[1] < 1e-5 and errs[2] < 1e-11
    assert abs(B.contour_integrals(p, "alpha", 64)[0] - B.fillings(p)[0]) < 1e-12
    with pytest.raises(ValueError, match="star-shaped"):
        B.contour_integrals(B.with_density(B.PAPER_V3, 0.28), "beta", 64)
    with pytest.raises(ValueError, match="n_angles"):
        B.contour_integrals(p, "beta", 0)


# ----------------------------------------------------------------- domain and hardening


@pytest.mark.parametrize("bad", [1j, np.array([1.0 + 0j]), np.array([True, False]), "0.3", np.array(["a"])])
def test_momenta_of_the_wrong_type(bad):
    for f in (lambda k: B.eta(k, 0.0), lambda k: B.dispersion(0.0, k, B.PAPER_V3),
              lambda k: B.velocity(k, 0.0, B.PAPER_V3, "alpha")):
        with pytest.raises(TypeError):
            f(bad)
    with pytest.raises(ValueError, match="kx"):
        B.eta([], 0.0)


def test_band_params_domain():
    """Huge hoppings used to give NaN fillings; the domain is now explicit (|x| <= 1e4 eV, scale >= 1e-6 eV)."""
    with pytest.raises(ValueError, match=r"t1 must lie in \[-10000.0, 10000.0\]"):
        B.BandParams(1e10, -0.23, 0.07, 0.4, 0.1, -0.65)
    with pytest.raises(ValueError, match="band scale"):
        B.BandParams(1e-230, 0.0, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(TypeError, match="mu"):
        B.BandParams(0.45, -0.23, 0.07, 0.4, 0.1, True)
    with pytest.raises(TypeError, match="eps_a"):
        B.BandParams(0.45, -0.23, 0.07, "0.4", 0.1, -0.65)
    # the edges of the box still give the scaled paper numbers (fillings are scale invariant)
    ref = B.fillings(B.PAPER_V3)
    for scale in (1e4 / 0.65, 1e-6 / 0.45):
        p = B.BandParams(*(scale * x for x in (0.45, -0.23, 0.07, 0.4, 0.1, -0.65)))
        assert B.fillings(p) == pytest.approx(ref, rel=1e-9)
        assert B.fermi_level_dos(p).N_alpha * scale == pytest.approx(B.fermi_level_dos(B.PAPER_V3).N_alpha, rel=1e-7)


_energy = st.floats(-B.MAX_ENERGY_EV, B.MAX_ENERGY_EV, allow_nan=False)
_hop = st.one_of(st.floats(-2.0, 2.0), st.floats(-B.MAX_ENERGY_EV, B.MAX_ENERGY_EV)).filter(
    lambda x: abs(x) >= B.MIN_BAND_SCALE_EV or x == 0.0)


@given(t1=st.floats(0.05, 1.0), t2=st.floats(-0.5, 0.5), t3=st.floats(-0.3, 0.3), eps_a=st.floats(-1.0, 1.0),
       eps_b=st.floats(-1.0, 1.0), mu=st.floats(-3.0, 3.0))
def test_fillings_and_dos_in_the_physical_box(t1, t2, t3, eps_a, eps_b, mu):
    """Fillings in [0, 1] per band and monotone in mu; DOS finite and >= 0."""
    p = B.BandParams(t1, t2, t3, eps_a, eps_b, mu)
    n = B.fillings(p)
    d = B.fermi_level_dos(p)
    assert all(0.0 <= x <= 1.0 for x in n)
    assert all(np.isfinite(x) and x >= 0.0 for x in d)
    up = B.fillings(dataclasses.replace(p, mu=mu + 0.05))
    assert all(b >= a - 1e-9 for a, b in zip(n, up))


@given(vals=st.tuples(_hop, _hop, _hop, _hop, _hop, _energy).filter(
    lambda v: max(abs(x) for x in v[:5]) >= B.MIN_BAND_SCALE_EV))
def test_fillings_finite_over_the_whole_domain(vals):
    """Anywhere in the documented box: finite fillings in [0, 1] (never NaN)."""
    n = B.fillings(B.BandParams(*vals))
    assert all(0.0 <= x <= 1.0 for x in n)


@given(kx=st.floats(-10, 10), ky=st.floats(-10, 10))
def test_eta_bounds_and_symmetry(kx, ky):
    e = float(B.eta(kx, ky))
    assert -2.0 <= e <= 2.0
    assert float(B.eta(ky, kx)) == -e
    xa, xb = B.dispersion(kx, ky, B.PAPER_V3)
    assert float(xa - xb) == pytest.approx((B.PAPER_V3.eps_a - B.PAPER_V3.eps_b) * e * e, abs=1e-12)


def test_size_limits():
    with pytest.raises(ValueError, match="n_theta"):
        B.fermi_surface(B.PAPER_V3, "alpha", n_theta=10 ** 8)
    with pytest.raises(ValueError, match="n_grid"):
        B.fillings(B.PAPER_V3, method="triangle", n_grid=1 << 15)
    with pytest.raises(TypeError, match="n_theta"):
        B.fermi_surface(B.PAPER_V3, "alpha", n_theta=720.0)
    with pytest.raises(ValueError, match="rtol"):
        B.fillings(B.PAPER_V3, rtol=float("nan"))
    with pytest.raises(TypeError, match="return_error"):
        B.fermi_level_dos(B.PAPER_V3, return_error="yes")


# ------------------------------------------------------------------ orbital admixture (chapter 1)
T_XZ = math.sqrt(3) / 4 * 0.6


def test_channel_admixture_closed_forms():
    """R = 1 for one level of weight 1, 1/w for one level of weight w, 1 + 8 t^2/(U eps) for printed Eq. (3)."""
    for eps in (0.05, 0.1, 0.4, 1.0):
        assert B.channel_admixture(eps, T_XZ, 1.0, 0.0, 5.0).residue_factor == pytest.approx(1.0, rel=1e-12)
        assert B.channel_admixture(eps, T_XZ, 0.5, 0.0, 5.0).residue_factor == pytest.approx(2.0, rel=1e-12)
        c = B.channel_admixture(eps, T_XZ, 1.0, 1.0, 5.0)
        assert c.residue_factor == pytest.approx(1 + 8 * T_XZ ** 2 / (5.0 * eps), rel=1e-12)
        assert c.E_add == pytest.approx(c.E_rem + 5.0, rel=1e-15)


@given(eps=st.floats(1e-3, 2.0), w_rem=st.floats(0.05, 1.0), w_add=st.floats(0.0, 1.0), U=st.floats(0.5, 20.0))
def test_channel_admixture_reproduces_the_shift(eps, w_rem, w_add, U):
    c = B.channel_admixture(eps, T_XZ, w_rem, w_add, U)
    assert c.E_rem > 0
    shift = 4 * T_XZ ** 2 * (w_rem / c.E_rem - w_add / c.E_add)
    assert shift == pytest.approx(eps, rel=1e-9)
    # eps > 0: 0 < w_rem/E_rem - w_add/E_add <= w_rem/E_rem, and (w_rem/E_rem)^2 <= w_rem/E_rem^2 for w_rem <= 1
    assert c.residue_factor >= 1.0 - 1e-12


def test_admixture_against_exact_three_level_diagonalization():
    """z weight of the exact eigenvector -> nu^2 eta^2 / (1 + R nu^2 eta^2) with an error O(g^4)."""
    w_rem, w_add, U, eps = 0.284, 0.716, 5.0, 0.4
    c = B.channel_admixture(eps, T_XZ, w_rem, w_add, U)
    errs = []
    for eta in (0.05, 0.1, 0.2):
        g = 2 * T_XZ * eta
        m = np.array([[0.0, g * math.sqrt(w_rem), g * math.sqrt(w_add)],
                      [g * math.sqrt(w_rem), -c.E_rem, 0.0], [g * math.sqrt(w_add), 0.0, c.E_add]])
        val, vec = np.linalg.eigh(m)
        k = int(np.argmax(vec[0] ** 2))                    # the state that started at the Fermi level
        z = (math.sqrt(w_rem) * vec[1, k] + math.sqrt(w_add) * vec[2, k]) ** 2
        x = (eps / (2 * T_XZ)) ** 2 * eta ** 2
        assert val[k] == pytest.approx(eps * eta ** 2, rel=0.2)             # the shift, to leading order
        assert vec[0, k] ** 2 == pytest.approx(1 / (1 + c.residue_factor * x), abs=10 * x ** 2 * c.residue_factor ** 2)
        errs.append(abs(z / (x / (1 + c.residue_factor * x)) - 1))
    assert errs[1] / errs[0] == pytest.approx(4.0, rel=0.2) and errs[2] / errs[1] == pytest.approx(4.0, rel=0.2)


def test_orbital_content_residue_factor():
    base = B.orbital_content(B.PAPER_V3, T_XZ)
    assert B.orbital_content(B.PAPER_V3, T_XZ, residue_factor=(1.0, 1.0)) == base
    lower = B.orbital_content(B.PAPER_V3, T_XZ, residue_factor=(4.0, 2.0))
    assert lower[0] < base[0] and lower[1] < base[1]
    # the paper's quoted 0.14 / 0.054 from the two-level normalization of printed Eq. (3)
    R = tuple(B.channel_admixture(e, T_XZ, 1.0, 1.0, 5.0).residue_factor for e in (0.4, 0.1))
    pa, pb = B.orbital_content(B.PAPER_V1, T_XZ, residue_factor=R)
    assert abs(pa - 0.14) < 0.003 and abs(pb - 0.054) < 0.001


def test_admixture_bad_input():
    with pytest.raises(TypeError, match="residue_factor"):
        B.orbital_content(B.PAPER_V3, T_XZ, residue_factor=2.0)
    with pytest.raises(ValueError, match="residue_factor"):
        B.orbital_content(B.PAPER_V3, T_XZ, residue_factor=(0.0, 1.0))
    with pytest.raises(ValueError, match="w_rem"):
        B.channel_admixture(0.4, T_XZ, 0.0, 0.5, 5.0)
    with pytest.raises(ValueError, match="w_add"):
        B.channel_admixture(0.4, T_XZ, 0.5, 1.5, 5.0)
    with pytest.raises(ValueError, match="eps"):
        B.channel_admixture(-0.4, T_XZ, 0.5, 0.5, 5.0)
    with pytest.raises(TypeError):
        B.channel_admixture("0.4", T_XZ, 0.5, 0.5, 5.0)


def test_residue_factor_given_energies():
    """R from given energies equals channel_admixture's at its fitted energies; chapter 2's dimer."""
    for eps, w_rem, w_add in ((0.4, 0.5, 0.5), (0.1, 0.716, 0.284), (0.4, 1.0, 1.0)):
        c = B.channel_admixture(eps, T_XZ, w_rem, w_add, 5.0)
        assert B.residue_factor(w_rem, c.E_rem, w_add, c.E_add) == pytest.approx(c.residue_factor, rel=1e-10)
    # Cauchy-Schwarz: R >= 1 for weights summing to 1; interference makes it large near a zero shift
    assert B.residue_factor(0.3, 1.0, 0.7, 2.0) == pytest.approx((0.3 + 0.7 / 4) / (0.3 - 0.35) ** 2)
    with pytest.raises(ValueError, match="vanishes"):
        B.residue_factor(0.5, 1.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="E_rem"):
        B.residue_factor(0.5, 0.0, 0.5, 1.0)


def test_pz_of_chapter_two_dimer_inverts_the_contrast():
    """Chapter 2's exact dimer (its ordering, energies, weights): p^z_alpha ~ 1e-4, p^z_beta ~ 0.10 (issue 23)."""
    from nickelates import clusters

    d = clusters.dimer_chain(0.4, ordering="dimer", weights="dimer")
    c = d.couplings
    Ra = B.residue_factor(d.n_a, d.E_rem_a, d.n_b, d.E_add_a)
    Rb = B.residue_factor(d.n_b, d.E_rem_b, d.n_a, d.E_add_b)
    p = B.with_density(c.band_params(), sum(B.fillings(B.PAPER_V3)))
    pza, pzb = B.orbital_content(p, T_XZ, residue_factor=(Ra, Rb))
    assert 1e-5 < pza < 3e-4 and pzb == pytest.approx(0.10, abs=0.01)
    # first order: the z weight of the alpha sheet is (eps_alpha / 2 t_xz)^2 <eta^2>, eps_alpha ~ -4 meV
    assert pza < (c.eps_alpha / (2 * T_XZ)) ** 2 * 4
