"""SymPy derivations for chapter 3: from the pair hopping, paper Eq. (12), to the gap equations, paper Eqs. (14)-(18).

Each function derives one step and returns a dict of SymPy expressions; the
derivation asserts its own consistency (``assert sp.simplify(...) == 0``), and
the chapter prints the results next to the printed forms of Liu & Khaliullin.

* :func:`kernel_expansion` - V_kk' as a sum of separable terms; kappa^2 = kappa_a kappa_b.
* :func:`kappa_linear_dropout` - why the eta eta' term vanishes for an s-wave gap.
* :func:`interband_mean_field` - Eq. (14) from the pair hopping of Eq. (12): mean field, the
  anomalous average, and the minus sign that makes the gaps opposite (s+-).
* :func:`layer_basis_pairing` - the s+- state in the layer basis: an interlayer singlet bound
  by an interlayer attraction (the pair-channel form of an interlayer exchange).
* :func:`log_approximation` - Eq. (16) and (17) with the partner gap taken isotropic (the
  paper's step; both sides share that approximation, so it is a restatement, not a check).
* :func:`anisotropic_log_equations` - Eq. (16) and (17) from Eq. (15) keeping the partner's
  anisotropy c_beta; the printed forms are its c_beta -> 0 limit.
* :func:`interband_impurity_tc` - beyond the paper: interband impurity scattering in the
  linearized s+- equations (Abrikosov-Gor'kov form; Golubov & Mazin 1997).
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
           "gap_ratio", "bcs_ratio", "interband_mean_field", "layer_basis_pairing",
           "anisotropic_log_equations", "interband_impurity_tc"]


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


# --------------------------------------------------------------------------- Eq. (12) -> Eq. (14)
def interband_mean_field() -> dict:
    """Eq. (14) from the interband pair hopping of Eq. (12): mean field, anomalous average, the s+- sign.

    Steps (each asserted):

    1. the decoupling identity A^dag B = <A^dag> B + A^dag <B> - <A^dag><B> + (A^dag - <A^dag>)(B - <B>)
       for the pair operators A = alpha_{-k down} alpha_{k up}, B = beta_{-k' down} beta_{k' up}
       (non-commuting symbols); dropping the last term gives H_MF;
    2. writing H_MF in the BCS form -Delta_alpha A^dag - Delta_beta B^dag + h.c. reads off
       Delta_alpha = -V <B>, Delta_beta = -V <A>: the minus sign of Eq. (14) is the sign of the
       *repulsive* (V > 0) pair hopping;
    3. the anomalous average of the 2x2 Nambu problem h = [[xi, -Delta], [-Delta, -xi]],
       <c_{-k down} c_{k up}> = f(h)_{12}, equals Delta tanh(E/2T) / (2E), E = sqrt(xi^2 + Delta^2);
    4. for constant gaps and sum_p F_zeta = N_zeta Delta_zeta L (L = ln(2 Omega / Delta) > 0) the
       linear map Delta = M Delta, M = -V L [[0, N_beta], [N_alpha, 0]], has eigenvalues
       +-V L sqrt(N_alpha N_beta); a solution needs the eigenvalue +1, whose eigenvector
       (sqrt(N_beta), -sqrt(N_alpha)) has opposite signs (s+-), with
       Delta_alpha / Delta_beta = -sqrt(N_beta / N_alpha) (the lambda -> 0 limit of Eq. 18).
       For an attractive V < 0 the same eigenvalue belongs to (sqrt(N_beta), +sqrt(N_alpha)) (s++).

    Returns
    -------
    dict
        ``H_MF`` (the mean-field Hamiltonian, eV), ``Delta_alpha``, ``Delta_beta`` (in terms of
        the averages ``<A>``, ``<B>``), ``anomalous`` (<c c> of step 3), ``M`` (the linear map),
        ``s_pm_vector`` (eigenvector of eigenvalue +V L sqrt(Na Nb)), ``ratio`` (its
        Delta_alpha / Delta_beta) and ``s_pp_vector`` (the same for -V).

    Examples
    --------
    >>> d = interband_mean_field()
    >>> d["ratio"]
    -sqrt(N_beta)/sqrt(N_alpha)
    """
    s = symbols()
    V, Na, Nb = s["V"], s["Na"], s["Nb"]
    A, Ad, B, Bd = sp.symbols("A A^dagger B B^dagger", commutative=False)
    a, ac, b, bc = sp.symbols("<A> <A>^* <B> <B>^*")
    # 1. decoupling identity (exact); the fluctuation product is what mean field drops
    fluct = (Ad - ac) * (B - b)
    assert sp.expand(Ad * B - (ac * B + Ad * b - ac * b + fluct)) == 0
    H = V * (Ad * B + Bd * A)
    H_MF = sp.expand(V * (ac * B + Ad * b - ac * b) + V * (bc * A + Bd * a - bc * a))
    assert sp.expand(H - H_MF - V * (fluct + (Bd - bc) * (A - a))) == 0
    # 2. BCS form  -Delta_alpha A^dag - Delta_beta B^dag + h.c.
    Delta_alpha = -H_MF.coeff(Ad)
    Delta_beta = -H_MF.coeff(Bd)
    assert sp.simplify(Delta_alpha + V * b) == 0 and sp.simplify(Delta_beta + V * a) == 0
    # 3. anomalous average from the Nambu matrix
    xi, T = sp.Symbol("xi", real=True), sp.Symbol("T", positive=True)
    D = sp.Symbol("Delta", positive=True)
    E = sp.sqrt(xi ** 2 + D ** 2)
    h = sp.Matrix([[xi, -D], [-D, -xi]])
    P, Dg = h.diagonalize(normalize=True)
    fermi = sp.diag(*[1 / (sp.exp(Dg[i, i] / T) + 1) for i in range(2)])
    f_h = sp.simplify(P * fermi * P.T)
    anomalous = sp.simplify(f_h[0, 1])
    target = D / (2 * E) * sp.tanh(E / (2 * T))
    assert sp.simplify((anomalous - target).rewrite(sp.exp)) == 0
    anomalous = target
    # 4. the sign structure of the constant-gap solution
    L = sp.Symbol("L", positive=True)
    M = -V * L * sp.Matrix([[0, Nb], [Na, 0]])
    ev = {sp.simplify(val): vecs for val, _, vecs in M.eigenvects()}
    lam_L = V * L * sp.sqrt(Na * Nb)
    key = next(k for k in ev if sp.simplify(k - lam_L) == 0)
    vec = ev[key][0]
    ratio = sp.simplify(vec[0] / vec[1])
    assert sp.simplify(ratio + sp.sqrt(Nb / Na)) == 0            # opposite signs: s+-
    Mp = -M                                                      # attractive interband coupling
    evp = {sp.simplify(val): vecs for val, _, vecs in Mp.eigenvects()}
    keyp = next(k for k in evp if sp.simplify(k - lam_L) == 0)
    vecp = evp[keyp][0]
    assert sp.simplify(vecp[0] / vecp[1] - sp.sqrt(Nb / Na)) == 0  # same signs: s++
    return {"H_MF": H_MF, "Delta_alpha": Delta_alpha, "Delta_beta": Delta_beta, "anomalous": anomalous,
            "M": M, "s_pm_vector": vec, "ratio": sp.simplify(ratio.rewrite(sp.sqrt)), "s_pp_vector": vecp}


def _fock_operators(n_modes):
    """Jordan-Wigner annihilators of ``n_modes`` fermion modes as exact SymPy matrices."""
    a = sp.Matrix([[0, 1], [0, 0]])
    z = sp.diag(1, -1)
    one = sp.eye(2)
    ops = []
    for j in range(n_modes):
        m = sp.Matrix([[1]])
        for i in range(n_modes):
            m = sp.kronecker_product(m, z if i < j else (a if i == j else one))
        ops.append(m)
    return ops


def layer_basis_pairing() -> dict:
    """The s+- state in the layer basis: an interlayer singlet driven by an interlayer attraction.

    The bands are the bonding and antibonding combinations of the two layer orbitals,
    beta = (x1 + x2)/sqrt(2), alpha = (x1 - x2)/sqrt(2), with k-independent weights (layer
    exchange symmetry). Asserted:

    1. pair operators: A_alpha^dag = (S^dag - D^dag)/2, A_beta^dag = (S^dag + D^dag)/2 with the
       intralayer pair S^dag = x1u^dag x1d^dag + x2u^dag x2d^dag and the interlayer pair
       D^dag = x1u^dag x2d^dag + x2u^dag x1d^dag (u = k up, d = -k down; non-commuting symbols);
    2. the pair hopping of Eq. (12), A_alpha^dag(k) A_beta(k') + A_beta^dag(k) A_alpha(k'),
       equals (S^dag(k) S(k') - D^dag(k) D(k'))/2: a repulsion V/2 between intralayer pairs and
       an *attraction* V/2 between interlayer pairs;
    3. band-to-layer pair amplitudes, F_layer = U diag(F_alpha, F_beta) U^T: intralayer
       (F_alpha + F_beta)/2, interlayer (F_beta - F_alpha)/2, symmetric in the layer index
       (with the even k dependence of an s-wave state: a spin singlet); with the gap equation
       sum_p F_beta = -Delta_alpha / V (kappa = 0) the local amplitudes are
       -(Delta_alpha + Delta_beta)/(2V) (intralayer) and -(Delta_alpha - Delta_beta)/(2V)
       (interlayer), so Delta_alpha = -Delta_beta is a purely interlayer pair;
    4. on one rung (four fermion modes, exact 16 x 16 matrices): D^dag = sqrt(2) b^dag with the
       interlayer singlet b^dag = (x1u^dag x2d^dag - x1d^dag x2u^dag)/sqrt(2), and
       J (S_1.S_2 - n_1 n_2/4) = -J b^dag b, so -(V/2) D^dag D = -V b^dag b is the pair-channel form
       of an interlayer antiferromagnetic exchange J_eff = V.

    Returns
    -------
    dict
        ``pair_hopping`` (step 2, as an expression in S, D), ``F_layer`` (2x2 matrix of step 3),
        ``intralayer``, ``interlayer`` (local amplitudes in terms of the gaps and V, eV^0),
        ``intra_over_inter`` ((Delta_alpha + Delta_beta)/(Delta_alpha - Delta_beta)) and
        ``J_eff`` (the exchange of step 4, eV).

    Examples
    --------
    >>> d = layer_basis_pairing()
    >>> d["F_layer"][0, 1]
    -F_alpha/2 + F_beta/2
    """
    s = symbols()
    V = s["V"]
    x1u, x2u, x1d, x2d = sp.symbols("x1u^dagger x2u^dagger x1d^dagger x2d^dagger", commutative=False)
    y1u, y2u, y1d, y2d = sp.symbols("x1u' x2u' x1d' x2d'", commutative=False)   # annihilators at k'
    r2 = sp.sqrt(2)
    al_u, al_d = (x1u - x2u) / r2, (x1d - x2d) / r2
    be_u, be_d = (x1u + x2u) / r2, (x1d + x2d) / r2
    Sd = x1u * x1d + x2u * x2d
    Dd = x1u * x2d + x2u * x1d
    assert sp.expand(al_u * al_d - (Sd - Dd) / 2) == 0
    assert sp.expand(be_u * be_d - (Sd + Dd) / 2) == 0
    # annihilation pairs at k': A = c_{-k' down} c_{k' up}
    alA = ((y1d - y2d) / r2) * ((y1u - y2u) / r2)
    beA = ((y1d + y2d) / r2) * ((y1u + y2u) / r2)
    S_ = y1d * y1u + y2d * y2u                      # (S^dag)^dag
    D_ = y2d * y1u + y1d * y2u                      # (D^dag)^dag
    hop = sp.expand(al_u * al_d * beA + be_u * be_d * alA)
    layer_form = sp.expand((Sd * S_ - Dd * D_) / 2)
    assert sp.expand(hop - layer_form) == 0
    # 3. pair amplitudes
    Fa, Fb = sp.symbols("F_alpha F_beta")
    U = sp.Matrix([[1, 1], [-1, 1]]) / r2            # x1 = (alpha + beta)/sqrt2, x2 = (beta - alpha)/sqrt2
    F_layer = sp.simplify(U * sp.diag(Fa, Fb) * U.T)
    assert sp.simplify(F_layer - F_layer.T) == sp.zeros(2, 2)
    assert sp.simplify(F_layer[0, 0] - (Fa + Fb) / 2) == 0
    assert sp.simplify(F_layer[0, 1] - (Fb - Fa) / 2) == 0
    Da, Db = sp.symbols("Delta_alpha Delta_beta", real=True)
    sub = {Fb: -Da / V, Fa: -Db / V}
    intra = sp.simplify(F_layer[0, 0].subs(sub))
    inter = sp.simplify(F_layer[0, 1].subs(sub))
    assert sp.simplify(intra + (Da + Db) / (2 * V)) == 0
    assert sp.simplify(inter + (Da - Db) / (2 * V)) == 0
    assert intra.subs(Db, -Da) == 0 and inter.subs(Db, -Da) != 0
    # 4. one rung, exact operators: modes (1u, 1d, 2u, 2d)
    c1u, c1d, c2u, c2d = _fock_operators(4)
    dag = [m.T for m in (c1u, c1d, c2u, c2d)]
    c1u_d, c1d_d, c2u_d, c2d_d = dag
    D_op = c1u_d * c2d_d + c2u_d * c1d_d
    b_op = (c1u_d * c2d_d - c1d_d * c2u_d) / r2
    assert sp.simplify(D_op - r2 * b_op) == sp.zeros(16, 16)

    def spin(cu, cd, cud, cdd):
        return ((cud * cd + cdd * cu) / 2, (-sp.I * cud * cd + sp.I * cdd * cu) / 2, (cud * cu - cdd * cd) / 2)

    S1 = spin(c1u, c1d, c1u_d, c1d_d)
    S2 = spin(c2u, c2d, c2u_d, c2d_d)
    n1 = c1u_d * c1u + c1d_d * c1d
    n2 = c2u_d * c2u + c2d_d * c2d
    J = sp.Symbol("J", positive=True)
    heis = J * (sum((S1[i] * S2[i] for i in range(3)), sp.zeros(16, 16)) - n1 * n2 / 4)
    # the identity holds with one electron per layer (n1 = n2 = 1), where the exchange acts
    Pn = n1 * (2 * sp.eye(16) - n1) * n2 * (2 * sp.eye(16) - n2)    # projector on n1 = n2 = 1
    assert sp.simplify(Pn * (heis + J * b_op * b_op.T) * Pn) == sp.zeros(16, 16)
    assert sp.simplify(Pn * b_op * b_op.T * Pn) != sp.zeros(16, 16)
    J_eff = V
    return {"pair_hopping": layer_form, "F_layer": F_layer, "intralayer": intra, "interlayer": inter,
            "intra_over_inter": sp.simplify(intra / inter), "J_eff": J_eff}


# --------------------------------------------------------------------------- Eq. (15) -> (16), (17)
def anisotropic_log_equations() -> dict:
    """Eqs. (16)-(17) from Eq. (15) keeping the partner's anisotropy c_beta.

    With Delta_beta(p) = Delta_b (1 + c_b eta_p^2) and the paper's logarithmic rule applied to
    every moment with the diagonal logarithm L_b = ln(2 Omega / Delta_b),
    sum_p eta_p^{2m} Delta_beta(p) / 2E ~ Delta_b L_b (N^(m) + c_b N^(m+1)) with N^(0) = N_b,
    N^(1) = Nt_b, N^(2) = Nt2_b (eta^0, eta^2, eta^4 weighted DOS), Eq. (15) gives

        Delta_alpha(k) = V Delta_b L_b [(N_b + c_b Nt_b) + kappa^2 eta_k^2 (Nt_b + c_b Nt2_b)],

    i.e. Delta_a = V L_b Delta_b (N_b + c_b Nt_b) -- the kappa^2 feedback term V c_b Nt_b appears --
    and c_a = kappa^2 (Nt_b + c_b Nt2_b) / (N_b + c_b Nt_b). Asserted:

    * the printed Eq. (16) (c_a = kappa^2 Nt_b / N_b) and Eq. (17) (Delta_a = V N_b Delta_b L_b)
      are the c_b -> 0 limit, and differ from the derived forms for c_b != 0;
    * with the self-consistent c_b = kappa^2 Nt_a / N_a + O(kappa^4), the printed Eq. (16) is exact
      to O(kappa^2) (the kappa^4 term is returned) and Eq. (17) to O(kappa^0) (the relative
      kappa^2 correction (Nt_a / N_a)(Nt_b / N_b) is returned);
    * the product of the two diagonal equations defines lambda_eff^2 = V^2 (N_a + c_a Nt_a)(N_b + c_b Nt_b).

    Returns
    -------
    dict
        ``Delta_alpha_k`` (derived gap function, eV), ``a_alpha``, ``c_alpha`` (derived),
        ``eq16_c``, ``eq17_rhs`` (printed), ``feedback`` (a_alpha - printed Eq. 17, eV),
        ``c_alpha_kappa4`` (the kappa^4 coefficient of c_alpha), ``a_alpha_kappa2`` (the
        relative kappa^2 correction to Eq. 17), ``lam_eff_sq`` and the symbols ``c_a``, ``c_b``,
        ``Nt2_a``, ``Nt2_b``.

    Examples
    --------
    >>> d = anisotropic_log_equations()
    >>> d["feedback"]
    Delta_beta*Nt_beta*V*c_beta*log(2*Omega/Delta_beta)
    """
    s = symbols()
    V, kap, e, Na, Nb, Nta, Ntb = s["V"], s["kap"], s["e"], s["Na"], s["Nb"], s["Nta"], s["Ntb"]
    Db, Om = s["Db"], s["Om"]
    ca, cb = sp.symbols("c_alpha c_beta", real=True)
    N2a, N2b = sp.symbols("Nt2_alpha Nt2_beta", positive=True)
    Lb = sp.Symbol("L_beta", positive=True)    # ln(2 Omega / Delta_b), substituted at the end
    S0 = Db * Lb * (Nb + cb * Ntb)             # sum_p Delta_beta(p) / 2E
    S2 = Db * Lb * (Ntb + cb * N2b)            # sum_p eta_p^2 Delta_beta(p) / 2E
    derived = V * (S0 + kap ** 2 * e ** 2 * S2)             # Eq. (15), magnitudes
    a_alpha = sp.factor(derived.subs(e, 0))
    c_alpha = sp.factor(sp.expand(derived).coeff(e, 2) / a_alpha)
    assert sp.simplify(sp.expand(derived) - a_alpha * (1 + c_alpha * e ** 2)) == 0
    eq17 = V * Nb * Db * Lb
    eq16_c = kap ** 2 * Ntb / Nb
    feedback = sp.factor(sp.expand(a_alpha - eq17))
    assert sp.simplify(feedback - V * cb * Ntb * Db * Lb) == 0
    assert sp.simplify(a_alpha.subs(cb, 0) - eq17) == 0 and sp.simplify(c_alpha.subs(cb, 0) - eq16_c) == 0
    assert sp.simplify(c_alpha - eq16_c) != 0 and feedback != 0     # the printed forms are not exact
    # self-consistent partner anisotropy to lowest order: c_b = kappa^2 Nt_a/N_a + O(kappa^4)
    eps = sp.Symbol("epsilon", positive=True)                        # bookkeeping: kappa^2 -> eps kappa^2
    cb_series = eps * kap ** 2 * Nta / Na
    c_ser = sp.series(c_alpha.subs(kap, sp.sqrt(eps) * kap).subs(cb, cb_series), eps, 0, 3).removeO()
    assert sp.simplify(c_ser.coeff(eps, 1) - eq16_c) == 0            # Eq. (16) exact to O(kappa^2)
    c4 = sp.factor(c_ser.coeff(eps, 2))
    assert sp.simplify(c4 - kap ** 4 * Nta / Na * (N2b / Nb - Ntb ** 2 / Nb ** 2)) == 0
    a_ser = sp.expand(sp.simplify(a_alpha.subs(cb, cb_series) / eq17))
    a2 = sp.simplify(a_ser.coeff(eps, 1))
    assert sp.simplify(a_ser.coeff(eps, 0) - 1) == 0                 # Eq. (17) exact to O(kappa^0)
    assert sp.simplify(a2 - kap ** 2 * Nta * Ntb / (Na * Nb)) == 0
    lam_eff_sq = V ** 2 * (Na + ca * Nta) * (Nb + cb * Ntb)
    log_b = {Lb: sp.log(2 * Om / Db)}
    derived, a_alpha, eq17, feedback = (x.subs(log_b) for x in (derived, a_alpha, eq17, feedback))
    return {"Delta_alpha_k": derived, "a_alpha": a_alpha, "c_alpha": c_alpha, "eq16_c": eq16_c,
            "eq17_rhs": eq17, "feedback": feedback, "c_alpha_kappa4": c4, "a_alpha_kappa2": a2,
            "lam_eff_sq": lam_eff_sq, "c_a": ca, "c_b": cb, "Nt2_a": N2a, "Nt2_b": N2b}


# --------------------------------------------------------------------------- impurities (beyond the paper)
def interband_impurity_tc() -> dict:
    """Linearized two-band gap equations with interband impurity scattering (Born limit).

    At T_c the Matsubara self-energies of band alpha are omega~ = omega + (G_aa + G_ab) sgn omega
    and Delta~_a = Delta_a + G_aa x_a + G_ab x_b with x = Delta~ / |omega~| and the scattering
    rates G_ab = gamma N_b, G_ba = gamma N_a (the rate into a band is proportional to its DOS).
    Asserted:

    * the intraband rates G_aa, G_bb cancel (Anderson's theorem within each band);
    * x_a = A / |omega| + B_a / (|omega| + G_t): the pair-breaking rate is the *sum* of the
      interband rates, G_t = G_ab + G_ba = gamma (N_a + N_b); the pole at omega = 0 carries the
      DOS-weighted average A = (N_a Delta_a + N_b Delta_b) / (N_a + N_b);
    * with pi T sum 1/|omega| = L and pi T sum 1/(|omega| + G_t) = L - chi,
      chi = psi(1/2 + G_t / 2 pi T) - psi(1/2), the s+- gap equations with couplings
      lambda_ab = V N_b, lambda_ba = V N_a become the 2 x 2 problem returned as ``matrix``;
    * equal DOS and Delta_a = -Delta_b: lambda (L - chi) = 1, i.e. with L = 1/lambda + ln(T_c0/T_c)
      the Abrikosov-Gor'kov equation ln(T_c0/T_c) = psi(1/2 + G_t/2 pi T_c) - psi(1/2) with
      G_t = 2 G_ab (Golubov & Mazin 1997);
    * unequal DOS (w_zeta = N_zeta / (N_a + N_b), lambda^2 = lambda_ab lambda_ba):
      (1 + lambda sqrt(w_a w_b) chi)^2 = lambda^2 (L - w_a chi)(L - w_b chi), returned as
      ``tc_equation`` (left - right = 0).

    Returns
    -------
    dict
        ``x_alpha`` (the solved x_a), ``A``, ``B_alpha``, ``Gamma_t`` (symbols and expressions,
        rates in eV), ``matrix`` (2x2, Delta = matrix Delta at T_c), ``tc_equation`` and
        ``ag_equal_dos`` (the equal-DOS reduction, = 0 at T_c).

    Examples
    --------
    >>> d = interband_impurity_tc()
    >>> d["Gamma_t"]
    gamma*(N_alpha + N_beta)
    """
    s = symbols()
    V, Na, Nb = s["V"], s["Na"], s["Nb"]
    w = sp.Symbol("omega", positive=True)          # |omega_n|
    gam = sp.Symbol("gamma", positive=True)
    Gaa, Gbb = sp.symbols("Gamma_aa Gamma_bb", positive=True)
    Da, Db = sp.symbols("Delta_alpha Delta_beta", real=True)
    xa, xb = sp.symbols("x_alpha x_beta")
    Gab, Gba = gam * Nb, gam * Na
    eqs = [sp.Eq(xa * (w + Gaa + Gab), Da + Gaa * xa + Gab * xb),
           sp.Eq(xb * (w + Gbb + Gba), Db + Gbb * xb + Gba * xa)]
    sol = sp.solve(eqs, [xa, xb], dict=True)[0]
    x_a = sp.simplify(sol[xa])
    assert not x_a.has(Gaa) and not x_a.has(Gbb)                 # intraband scattering drops out
    Gt = sp.factor(Gab + Gba)
    A = (Na * Da + Nb * Db) / (Na + Nb)
    Ba = sp.simplify(Da - A)
    assert sp.simplify(x_a - (A / w + Ba / (w + Gt))) == 0
    x_b = sp.simplify(sol[xb])
    Bb = sp.simplify(Db - A)
    assert sp.simplify(x_b - (A / w + Bb / (w + Gt))) == 0
    # Matsubara sums: pi T sum x = Delta L - B chi
    L, chi = sp.symbols("L chi", real=True)
    sum_a = Da * L - Ba * chi
    sum_b = Db * L - Bb * chi
    lab, lba = V * Nb, V * Na
    rhs = sp.Matrix([-lab * sum_b, -lba * sum_a])
    matrix = sp.Matrix([[sp.diff(rhs[i], v) for v in (Da, Db)] for i in range(2)])
    assert sp.simplify(matrix * sp.Matrix([Da, Db]) - rhs) == sp.zeros(2, 1)
    cond = sp.factor(sp.expand((matrix - sp.eye(2)).det()))
    lam = s["lam"]
    wa, wb = Na / (Na + Nb), Nb / (Na + Nb)
    tc_eq = (1 + lam * sp.sqrt(wa * wb) * chi) ** 2 - lam ** 2 * (L - wa * chi) * (L - wb * chi)
    check_eq = sp.simplify((cond - tc_eq.subs(lam, V * sp.sqrt(Na * Nb))) * 1)
    assert sp.simplify(check_eq) == 0
    # equal DOS, Delta_a = -Delta_b: Abrikosov-Gor'kov
    N = sp.Symbol("N", positive=True)
    m_eq = matrix.subs({Na: N, Nb: N})
    vec = sp.Matrix([1, -1])
    resid = sp.simplify(m_eq * vec - (V * N * (L - chi)) * vec)
    assert resid == sp.zeros(2, 1)
    assert sp.simplify(Gt.subs({Na: N, Nb: N}) - 2 * Gab.subs(Nb, N)) == 0
    ag = V * N * (L - chi) - 1
    return {"x_alpha": x_a, "A": A, "B_alpha": Ba, "Gamma_t": Gt, "matrix": matrix, "tc_equation": tc_eq,
            "ag_equal_dos": ag}
