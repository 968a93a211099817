"""Tests of the chapter-3 derivations in nickelates.symbolic.pairing, evaluated against independent numerics."""
import math

import numpy as np
import pytest
import scipy.linalg as sla
import sympy as sp

from nickelates import fluctuations as F
from nickelates import pairing as P
from nickelates.symbolic import pairing as S


def test_mean_field_sign_and_anomalous_average():
    d = S.interband_mean_field()
    s = S.symbols()
    # Delta_alpha = -V <B>: the repulsive pair hopping enters with a minus sign
    assert sp.simplify(d["Delta_alpha"] + s["V"] * sp.Symbol("<B>")) == 0
    # the anomalous average against a numerical matrix function of the Nambu matrix
    xi, D, T = 0.013, 0.021, 0.007
    h = np.array([[xi, -D], [-D, -xi]])
    fh = sla.funm(h, lambda x: 1 / (np.exp(x / T) + 1)).real
    val = float(d["anomalous"].subs({sp.Symbol("xi", real=True): xi, sp.Symbol("Delta", positive=True): D,
                                     sp.Symbol("T", positive=True): T}))
    assert val == pytest.approx(fh[0, 1], rel=1e-10)
    # s+- eigenvector: opposite signs, ratio -sqrt(N_beta/N_alpha)
    num = float(d["ratio"].subs({s["Na"]: 0.29, s["Nb"]: 0.72}))
    assert num == pytest.approx(-math.sqrt(0.72 / 0.29), rel=1e-14)
    vpp = d["s_pp_vector"]
    assert float((vpp[0] / vpp[1]).subs({s["Na"]: 0.29, s["Nb"]: 0.72})) > 0


def test_layer_basis_amplitudes_numerically():
    d = S.layer_basis_pairing()
    alpha = np.array([1, -1]) / math.sqrt(2)      # antibonding, layer components
    beta = np.array([1, 1]) / math.sqrt(2)
    Fa, Fb = 0.3, -0.7
    F_layer = Fa * np.outer(alpha, alpha) + Fb * np.outer(beta, beta)
    sym = d["F_layer"].subs({sp.Symbol("F_alpha"): Fa, sp.Symbol("F_beta"): Fb})
    assert np.allclose(np.array(sym, float), F_layer, atol=1e-15)
    assert F_layer[0, 1] == pytest.approx(F_layer[1, 0])          # layer-symmetric: spin singlet
    Da, Db = sp.symbols("Delta_alpha Delta_beta", real=True)
    r = float(d["intra_over_inter"].subs({Da: 1.6, Db: -1.0}))
    assert r == pytest.approx(0.6 / 2.6, rel=1e-14)
    assert d["J_eff"] == S.symbols()["V"]


def test_anisotropic_log_equations_against_the_library(bands_045):
    d = S.anisotropic_log_equations()
    s = S.symbols()
    m = P.fermi_surface_moments(bands_045)
    (Na, Nta, N2a), (Nb, Ntb, N2b) = m["alpha"], m["beta"]
    kap = 0.75
    vals = {s["Na"]: Na, s["Nb"]: Nb, s["Nta"]: Nta, s["Ntb"]: Ntb, d["Nt2_a"]: N2a, d["Nt2_b"]: N2b, s["kap"]: kap}
    ca_of_cb = sp.lambdify(d["c_b"], d["c_alpha"].subs(vals))
    # alpha <-> beta partner of the derived c_alpha
    swap = {s["Na"]: Nb, s["Nb"]: Na, s["Nta"]: Ntb, s["Ntb"]: Nta, d["Nt2_a"]: N2b, d["Nt2_b"]: N2a, s["kap"]: kap}
    cb_of_ca = sp.lambdify(d["c_b"], d["c_alpha"].subs(swap))
    ca, cb = 0.0, 0.0
    for _ in range(200):                                         # fixed-point iteration, independent of eig
        ca, cb = ca_of_cb(cb), cb_of_ca(ca)
    lib = P.log_model_anisotropy(bands_045, kap, kap)
    assert (ca, cb) == pytest.approx(lib, rel=1e-9)
    # lambda_eff^2 = V^2 (N_a + c_a Nt_a)(N_b + c_b Nt_b) is the library's effective coupling
    V = 1.3
    lam2 = float(d["lam_eff_sq"].subs({s["V"]: V, s["Na"]: Na, s["Nb"]: Nb, s["Nta"]: Nta, s["Ntb"]: Ntb,
                                       d["c_a"]: ca, d["c_b"]: cb}))
    assert math.sqrt(lam2) == pytest.approx(P.effective_coupling(bands_045, V, kap, kap), rel=1e-9)
    # the printed Eq. (16) is the c_beta -> 0 limit, and differs from the fixed point by the kappa^4 term
    printed = kap ** 2 * Ntb / Nb
    assert ca > printed
    c4 = float(d["c_alpha_kappa4"].subs(vals))
    assert abs(ca - printed - c4) < abs(ca - printed)             # the kappa^4 term explains most of it


def test_impurity_equation_matches_the_numerical_margin():
    d = S.interband_impurity_tc()
    s = S.symbols()
    L, chi = sp.symbols("L chi", real=True)
    lam, Na, Nb = 0.4, 1.0, 2.5
    f = sp.lambdify((L, chi), d["tc_equation"].subs({s["lam"]: lam, s["Na"]: Na, s["Nb"]: Nb}))
    Tc0 = 300.0
    g = F.rate_for_tc(120.0, Tc0, lam, Nb / Na)
    x = float(F._chi(g, 120.0))
    assert abs(f(1 / lam + math.log(Tc0 / 120.0), x)) < 1e-9
    assert sp.simplify(d["Gamma_t"] - sp.Symbol("gamma", positive=True) * (s["Na"] + s["Nb"])) == 0
