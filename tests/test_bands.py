"""Tests of nickelates.bands: analytic limits, symmetry, convergence, paper numbers, bad input."""
import dataclasses
import math

import numpy as np
import pytest

from nickelates import bands as B
from nickelates.errors import ConvergenceError


def test_high_symmetry_energies():
    p = B.PAPER_V3
    xa, xb = B.dispersion(np.array([0, math.pi, math.pi]), np.array([0, 0, math.pi]), p)
    assert np.allclose(xa, [-4 * (p.t1 + p.t2 + p.t3) - p.mu, 4 * p.t2 - 4 * p.t3 + 4 * p.eps_a - p.mu,
                            4 * p.t1 - 4 * p.t2 - 4 * p.t3 - p.mu])
    assert np.isclose(xb[1], 4 * p.t2 - 4 * p.t3 + 4 * p.eps_b - p.mu)


def test_c4v_symmetry_and_degeneracy_on_diagonal():
    rng = np.random.default_rng(0)
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


def test_fillings_methods_agree():
    p = B.with_density(B.PAPER_V3, 0.45)
    a = B.fillings(p)
    b = B.fillings(p, method="triangle", n_grid=2048, rtol=1e-4)
    assert np.allclose(a, b, rtol=1e-5)


@pytest.mark.parametrize("n_c", [0.05, 0.22, 0.28, 0.45, 0.9, 1.6])
def test_mu_for_density_inverts_fillings(n_c):
    p = B.with_density(B.PAPER_V3, n_c)
    assert abs(sum(B.fillings(p)) - n_c) < 1e-9


def test_dos_contour_vs_triangle_and_paper_shape():
    p = B.with_density(B.PAPER_V3, 0.45)
    ref = B.fermi_level_dos(p)
    tri = B.fermi_level_dos(p, method="triangle", n_grid=2048, rtol=1e-3)
    assert np.allclose(ref, tri, rtol=1e-4)
    assert abs(ref.N_beta / ref.N_alpha - 2.502) < 0.01     # Fig. 3 left at n_c = 0.45
    assert ref.Nt_beta / ref.N_beta > 1.7 and ref.Nt_alpha / ref.N_alpha < 0.4   # Fig. 4 left


def test_dos_is_derivative_of_filling():
    p = B.with_density(B.PAPER_V3, 0.45)
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


def test_fermi_surface_weights_sum_to_dos_and_eta_average():
    p = B.with_density(B.PAPER_V3, 0.45)
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


def test_critical_points_beta_saddle():
    crit = B.critical_points(B.PAPER_V3, "beta")
    saddle = [c for c in crit if c[2] == "saddle"]
    assert len(saddle) == 1 and abs(saddle[0][1] - 2 * math.pi / 3) < 1e-6
    kinds = {round(c[1], 6): c[2] for c in crit}
    assert kinds[round(math.pi, 6)] == "minimum"
    assert [c[2] for c in B.critical_points(B.PAPER_V3, "alpha") if abs(c[1] - math.pi) < 1e-9] == ["saddle"]


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
    with pytest.raises(ValueError, match="p must be"):
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


def test_convergence_error_type_is_runtime_error():
    assert issubclass(ConvergenceError, RuntimeError)


def test_velocity_is_gradient_of_dispersion():
    rng = np.random.default_rng(3)
    kx, ky = rng.uniform(-math.pi, math.pi, (2, 50))
    h = 1e-6
    for band in B.BAND_NAMES:
        vx, vy = B.velocity(kx, ky, B.PAPER_V3, band)
        fx = (B.band_energy(kx + h, ky, B.PAPER_V3, band) - B.band_energy(kx - h, ky, B.PAPER_V3, band)) / (2 * h)
        fy = (B.band_energy(kx, ky + h, B.PAPER_V3, band) - B.band_energy(kx, ky - h, B.PAPER_V3, band)) / (2 * h)
        assert np.allclose(vx, fx, atol=1e-7) and np.allclose(vy, fy, atol=1e-7)
    with pytest.raises(ValueError, match="band"):
        B.velocity(0.1, 0.2, B.PAPER_V3, "delta")


def test_contour_integrals_converge_exponentially():
    p = B.with_density(B.PAPER_V3, 0.45)
    ref = B.fermi_level_dos(p)
    errs = [abs(B.contour_integrals(p, "beta", m)[1] / ref.N_beta - 1) for m in (8, 16, 32)]
    assert errs[0] > 1e-5 and errs[1] < 1e-5 and errs[2] < 1e-11
    assert abs(B.contour_integrals(p, "alpha", 64)[0] - B.fillings(p)[0]) < 1e-12
    with pytest.raises(ValueError, match="star-shaped"):
        B.contour_integrals(B.with_density(B.PAPER_V3, 0.28), "beta", 64)
    with pytest.raises(ValueError, match="n_angles"):
        B.contour_integrals(p, "beta", 0)
