"""SymPy derivations for chapter 3: from the gap equations (14) to Eq. (15)-(18).

Each function derives one step and returns a dict of SymPy expressions; the
derivation asserts its own consistency (``assert sp.simplify(...) == 0``), and
the chapter prints the results next to the printed forms of Liu & Khaliullin.

* :func:`kernel_expansion` - V_kk' as a sum of separable terms; kappa^2 = kappa_a kappa_b.
* :func:`kappa_linear_dropout` - why the eta eta' term vanishes for an s-wave gap.
* :func:`log_approximation` - Eq. (16) and (17) from the logarithmic sums.
* :func:`gap_ratio` - Eq. (18): ratio, individual gaps, Delta = 2 Omega e^{-1/lambda},
  and the validity condition lambda ln(Delta_a/Delta_b) < 2.
* :func:`bcs_ratio` - the weak-coupling 2 Delta(0)/T_c = 2 pi e^{-gamma} of a single band.

The old import path ``nickelates.symbolic_pairing`` re-exports these names.
Energies (V, Omega, Delta) are in eV and densities of states in 1/eV wherever
numbers are substituted; the results are exact SymPy expressions.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["symbols", "kernel_expansion", "kappa_linear_dropout", "log_approximation",
           "gap_ratio", "bcs_ratio"]


def symbols() -> dict:
    """Return the SymPy symbols used throughout (positive where physics says so).

    Returns
    -------
    dict
        ``V`` (pair amplitude, eV), ``ka``, ``kb`` (kappa_a, kappa_b), ``kap`` (kappa),
        ``e``, ``ep`` (eta_k, eta_p), ``Na``, ``Nb``, ``Nta``, ``Ntb`` (densities of states,
        1/eV), ``Da``, ``Db`` (gaps, eV), ``Om`` (cutoff Omega, eV), ``lam`` (lambda).

    Examples
    --------
    >>> symbols()["lam"].is_positive
    True
    """
    return dict(
        V=sp.Symbol("V", positive=True),
        ka=sp.Symbol("kappa_a", real=True), kb=sp.Symbol("kappa_b", real=True),
        kap=sp.Symbol("kappa", positive=True),
        e=sp.Symbol("eta_k", real=True), ep=sp.Symbol("eta_p", real=True),
        Na=sp.Symbol("N_alpha", positive=True), Nb=sp.Symbol("N_beta", positive=True),
        Nta=sp.Symbol("Nt_alpha", positive=True), Ntb=sp.Symbol("Nt_beta", positive=True),
        Da=sp.Symbol("Delta_alpha", positive=True), Db=sp.Symbol("Delta_beta", positive=True),
        Om=sp.Symbol("Omega", positive=True), lam=sp.Symbol("lambda", positive=True),
    )


def kernel_expansion() -> dict:
    """Return V_kk' = V f^a f^b expanded in powers of eta_k eta_k' (Eq. 13).

    The m = 2 coefficient is V kappa_a kappa_b, which the paper calls V kappa^2.

    Returns
    -------
    dict
        ``V_kk`` (the product form, eV), ``terms`` {m: coefficient of (eta eta')^m} and
        ``kappa2`` (the m = 2 coefficient divided by V).

    Examples
    --------
    >>> kernel_expansion()["kappa2"]
    kappa_a*kappa_b
    """
    s = symbols()
    V, ka, kb, e, ep = s["V"], s["ka"], s["kb"], s["e"], s["ep"]
    Vkk = V * (1 - ka * e * ep) * (1 - kb * e * ep)
    x = sp.Symbol("x")
    poly = sp.Poly(sp.expand(Vkk.subs(e * ep, x).subs(e, x / ep)), x)
    terms = {m: sp.factor(poly.coeff_monomial(x ** m)) for m in range(3)}
    assert sp.simplify(terms[0] - V) == 0
    assert sp.simplify(terms[1] + V * (ka + kb)) == 0
    assert sp.simplify(terms[2] - V * ka * kb) == 0
    assert sp.expand(sum(terms[m] * (e * ep) ** m for m in range(3)) - Vkk) == 0
    return {"V_kk": Vkk, "terms": terms, "kappa2": terms[2] / V}


def kappa_linear_dropout() -> dict:
    """The eta_p-linear moment of an s-wave pair amplitude vanishes.

    An A1g (s-wave) gap and the band energies depend on p only through the
    invariants c_x + c_y, c_x c_y of the square group (c = cos p). Under the
    90-degree rotation (p_x, p_y) -> (-p_y, p_x), eta_p = c_x - c_y changes sign
    while those invariants do not. Summing eta_p F(eta_p^2, invariants) over the
    four-point orbit of the rotation gives zero, so the whole BZ sum vanishes.

    Returns
    -------
    dict
        ``orbit_sum_eta`` (0) and ``orbit_sum_eta2`` (the eta^2 moment, non-zero).

    Examples
    --------
    >>> kappa_linear_dropout()["orbit_sum_eta"]
    0
    """
    px, py = sp.symbols("p_x p_y", real=True)
    F = sp.Function("F")  # pair amplitude Delta/(2E) tanh(E/2T), any A1g function

    def amp(kx, ky):
        cx, cy = sp.cos(kx), sp.cos(ky)
        eta = cx - cy
        return eta, F(eta ** 2, cx + cy, cx * cy)

    orbit = [(px, py), (-py, px), (-px, -py), (py, -px)]
    lin = sp.simplify(sum(e * f for e, f in (amp(*k) for k in orbit)))
    quad = sp.simplify(sum(e ** 2 * f for e, f in (amp(*k) for k in orbit)))
    assert lin == 0
    assert quad != 0
    return {"orbit_sum_eta": lin, "orbit_sum_eta2": quad}


def log_approximation() -> dict:
    """Eq. (16)-(17) from the logarithmic approximation of the momentum sums.

    With Delta_beta(p) = -Delta_b (1 + c_b eta_p^2) (s+- sign) and the paper's
    approximations sum_p Delta/(2E) ~ N Delta L, sum_p eta^2 Delta/(2E) ~ Nt Delta L,
    L = ln(2 Omega/Delta), Eq. (15) gives Delta_alpha(k) = Delta_a (1 + kappa^2
    (Nt_b/N_b) eta_k^2) with Delta_a = V N_b Delta_b L_b.

    Returns
    -------
    dict
        ``Delta_alpha_k`` (the derived gap function, eV), ``eq16`` (the printed Eq. 16)
        and ``eq17_rhs`` (the right-hand side of Eq. 17).

    Examples
    --------
    >>> d = log_approximation()
    >>> import sympy as sp
    >>> sp.simplify(d["Delta_alpha_k"] - d["eq16"])
    0
    """
    s = symbols()
    V, kap, e, Nb, Ntb, Db, Om = s["V"], s["kap"], s["e"], s["Nb"], s["Ntb"], s["Db"], s["Om"]
    Lb = sp.log(2 * Om / Db)
    # Eq. (15): Delta_alpha(k) = V [ sum_p F_b + kappa^2 eta_k^2 sum_p eta_p^2 F_b ]
    S0 = Nb * Db * Lb
    S2 = Ntb * Db * Lb
    derived = V * (S0 + kap ** 2 * e ** 2 * S2)
    Da_eq17 = V * Nb * Db * Lb
    printed16 = Da_eq17 * (1 + Ntb / Nb * kap ** 2 * e ** 2)
    assert sp.simplify(derived - printed16) == 0
    # the diagonal value (eta = 0) is Eq. (17)
    assert sp.simplify(derived.subs(e, 0) - Da_eq17) == 0
    return {"Delta_alpha_k": sp.factor(derived), "eq16": printed16, "eq17_rhs": Da_eq17}


def gap_ratio() -> dict:
    """Eq. (18) from Eq. (17), step by step.

    Variables: L0 = ln(2 Omega / Delta) with Delta = sqrt(Da Db), r = ln(Da/Db),
    so L_a = L0 - r/2, L_b = L0 + r/2, and lambda = V sqrt(Na Nb).

    * product of the two equations (17):  lambda^2 L_a L_b = 1  ->  L0^2 - r^2/4 = 1/lambda^2;
    * ratio:  (Da/Db)^2 = (Nb/Na) L_b/L_a  (v1's first equality)  ->
      2 r = ln(Nb/Na) + 2 artanh(r / (2 L0));
    * lowest order, L0 -> 1/lambda, artanh(x) -> x:  r (2 - lambda) = ln(Nb/Na), i.e.
      Da/Db = (Nb/Na)^{1/(2-lambda)}, and Da = Delta (Nb/Na)^{1/(2(2-lambda))},
      Db = Delta (Na/Nb)^{1/(2(2-lambda))}: v1's ratio and v3's individual gaps agree;
    * Delta = 2 Omega e^{-L0} = 2 Omega e^{-1/lambda} (1 + O(lambda r^2));
    * the expansion of artanh(x), x = lambda r / 2, needs |x| < 1: lambda ln(Da/Db) < 2.

    Returns
    -------
    dict
        ``ratio_equation``, ``r`` (lowest-order ln(Da/Db)), ``ratio`` (v1's printed
        Da/Db), ``Delta`` (2 Omega e^{-1/lambda}, eV), ``Delta_alpha``, ``Delta_beta``
        (v3's printed gaps, eV), ``L0_series``, ``artanh_series`` and ``validity``
        (lambda r < 2).

    Examples
    --------
    >>> gap_ratio()["ratio"]
    (N_beta/N_alpha)**(1/(2 - lambda))
    """
    s = symbols()
    lam, Na, Nb, Om = s["lam"], s["Na"], s["Nb"], s["Om"]
    L0, r, x = sp.symbols("L_0 r x", real=True)
    La, Lb = L0 - r / 2, L0 + r / 2
    # product and ratio of the two log equations
    product = sp.expand(La * Lb)
    assert sp.simplify(product - (L0 ** 2 - r ** 2 / 4)) == 0
    ratio_eq = sp.Eq(2 * r, sp.log(Nb / Na) + sp.log(Lb / La))
    # Lb/La = (1 + x)/(1 - x) with x = r/(2 L0), and ln((1+x)/(1-x)) = 2 artanh(x)
    assert sp.simplify((Lb / La).subs(r, 2 * L0 * x) - (1 + x) / (1 - x)) == 0
    at = sp.expand_log(2 * sp.atanh(x).rewrite(sp.log), force=True)
    assert sp.simplify(at - sp.expand_log(sp.log(1 + x) - sp.log(1 - x), force=True)) == 0
    # lowest order: L0 = 1/lambda, log(Lb/La) ~ 2 x = r / L0 = lambda r
    series = sp.series(sp.log((1 + x) / (1 - x)), x, 0, 4).removeO()
    assert sp.simplify(series - (2 * x + 2 * x ** 3 / 3)) == 0
    r_sol = sp.solve(sp.Eq(2 * r, sp.log(Nb / Na) + lam * r), r)[0]
    ratio = sp.exp(r_sol)
    printed_ratio_v1 = (Nb / Na) ** (1 / (2 - lam))
    assert sp.simplify(sp.expand_log(sp.log(ratio) - sp.log(printed_ratio_v1), force=True)) == 0
    Delta = 2 * Om * sp.exp(-1 / lam)
    Da = Delta * sp.exp(r_sol / 2)
    Db = Delta * sp.exp(-r_sol / 2)
    printed_Da_v3 = Delta * (Nb / Na) ** (1 / (2 * (2 - lam)))
    printed_Db_v3 = Delta * (Na / Nb) ** (1 / (2 * (2 - lam)))
    assert sp.simplify(sp.expand_log(sp.log(Da) - sp.log(printed_Da_v3), force=True)) == 0
    assert sp.simplify(sp.expand_log(sp.log(Db) - sp.log(printed_Db_v3), force=True)) == 0
    # the ratio of v3's two printed gaps is v1's ratio
    assert sp.simplify(sp.expand_log(sp.log(printed_Da_v3 / printed_Db_v3) - sp.log(printed_ratio_v1),
                                     force=True)) == 0
    # lambda -> 0: sqrt(Nb/Na) (Fig. 3 dashed line)
    assert sp.simplify(sp.limit(sp.log(ratio), lam, 0) - sp.log(sp.sqrt(Nb / Na))) == 0
    # next order for Delta: L0 = sqrt(1/lambda^2 + r^2/4) = 1/lambda + lambda r^2/8 + ...
    L0_exact = sp.sqrt(1 / lam ** 2 + r ** 2 / 4)
    L0_series = sp.series(L0_exact, r, 0, 4).removeO()
    assert sp.simplify(L0_series - (1 / lam + lam * r ** 2 / 8)) == 0
    # validity: the artanh argument x = r/(2 L0) ~ lambda r / 2 must stay below 1
    validity = sp.Lt(lam * r, 2)
    return {"ratio_equation": ratio_eq, "r": r_sol, "ratio": printed_ratio_v1, "Delta": Delta,
            "Delta_alpha": printed_Da_v3, "Delta_beta": printed_Db_v3, "L0_series": L0_series,
            "artanh_series": series, "validity": validity}


def bcs_ratio() -> dict:
    """Weak-coupling single-band BCS: Delta(0) = Omega / sinh(1/lambda), T_c = (2 e^gamma/pi) Omega e^{-1/lambda}.

    T = 0: 1 = lambda asinh(Omega/Delta); T_c: 1 = lambda [ln(Omega/T_c) + ln(2 e^gamma / pi)]
    (the standard integral int_0^W tanh(x/2)/x dx = ln W + ln(2 e^gamma/pi) + o(1)).

    Returns
    -------
    dict
        ``Delta0`` and ``Tc`` (in units of Omega, i.e. eV for Omega in eV; T_c as an
        energy k_B T_c), ``ratio`` (2 Delta(0)/T_c for lambda -> 0, exact: 2 pi e^{-gamma})
        and ``value`` (its float, 3.5278).

    Examples
    --------
    >>> round(bcs_ratio()["value"], 4)
    3.5278
    """
    lam, Om = sp.symbols("lambda Omega", positive=True)
    Delta0 = Om / sp.sinh(1 / lam)
    Tc = 2 * sp.exp(sp.EulerGamma) / sp.pi * Om * sp.exp(-1 / lam)
    ratio = sp.limit(2 * Delta0 / Tc, lam, 0, "+")
    assert sp.simplify(ratio - 2 * sp.pi * sp.exp(-sp.EulerGamma)) == 0
    return {"Delta0": Delta0, "Tc": Tc, "ratio": ratio, "value": float(ratio)}
