"""Effective couplings of the triplon model from microscopic parameters.

The chain of chapter 2 (Liu & Khaliullin 2026, v3):

    t_c, U            -> J_c = 4 t_c^2 / U                       (dimer exchange)
    t_xz, E_a, E_b, U -> eps_alpha, eps_beta                     (Eq. 3)
                      -> J_K^a, J_K^b                            (Eq. 10)
    J_H               -> kappa_a = J_K^a/J_H, kappa_b, kappa = sqrt(kappa_a kappa_b)
    J_H, J_c          -> V = 3 J_H^2 / (2 J_c)                   (Eq. 13)
    V, N_alpha, N_beta-> lambda = V sqrt(N_alpha N_beta)         (Eq. 18)

All energies in eV; densities of states per spin per k-point in 1/eV.
The functions named after the paper's equations evaluate the **printed**
forms (the book's public chain); :func:`channel_couplings` evaluates the
forms derived in the chapter by Schrieffer-Wolff on the channel cluster,
with four independent intermediate energies (see the chapter's "Notes on
the source" for how the two are related).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, asdict
from typing import Optional

from . import _validate as V

__all__ = [
    "T_C", "U_PAPER", "T_XZ_PAPER", "dimer_exchange", "singlet_triplet_gap",
    "band_shifts", "kondo_couplings", "kappas", "pairing_strength",
    "form_factors", "pairing_matrix_element", "channel_couplings",
    "E_a_for_eps_alpha", "lambda_coupling", "J_H_for_lambda", "Couplings",
    "from_microscopic", "from_band_shifts",
]

#: Paper's scales (eV): interlayer hopping, Hubbard U, interorbital hopping sqrt(3)/4 t_c.
T_C = 0.6
U_PAPER = 5.0
T_XZ_PAPER = math.sqrt(3.0) / 4.0 * T_C


def dimer_exchange(t_c: float, U: float) -> float:
    """Heisenberg exchange J_c = 4 t_c^2 / U of the z1-z2 dimer (eV).

    t_c : interlayer hopping (eV, > 0); U : on-site repulsion (eV, > 0).
    """
    t_c = V.positive("t_c", t_c)
    U = V.positive("U", U)
    return 4.0 * t_c**2 / U


def singlet_triplet_gap(t_c: float, U: float, *, exact: bool = False) -> float:
    """Singlet-triplet gap of the two-electron Hubbard dimer (eV).

    exact=False: second-order value J_c = 4 t_c^2/U. exact=True: the exact
    two-site result (sqrt(U^2 + 16 t_c^2) - U)/2.
    """
    t_c = V.positive("t_c", t_c)
    U = V.positive("U", U)
    if exact:
        return 0.5 * (math.sqrt(U**2 + 16.0 * t_c**2) - U)
    return 4.0 * t_c**2 / U


def _check_E(t_xz, E_a, E_b, U):
    t_xz = V.nonnegative("t_xz", t_xz)
    E_a = V.positive("E_a", E_a)
    E_b = V.positive("E_b", E_b)
    U = V.positive("U", U)
    return t_xz, E_a, E_b, U


def band_shifts(t_xz: float, E_a: float, E_b: float, U: float) -> tuple[float, float]:
    """(eps_alpha, eps_beta) of Eq. (3) as printed, in eV.

    eps_{alpha/beta} = 4 t_xz^2 (1/E_{a/b} - 1/(E_{a/b} + U)).
    t_xz >= 0, E_a, E_b > 0 (excitation energies of the a/b channel), U > 0; all eV.
    """
    t_xz, E_a, E_b, U = _check_E(t_xz, E_a, E_b, U)
    f = 4.0 * t_xz**2
    return f * (1.0 / E_a - 1.0 / (E_a + U)), f * (1.0 / E_b - 1.0 / (E_b + U))


def kondo_couplings(t_xz: float, E_a: float, E_b: float, U: float) -> tuple[float, float]:
    """(J_K^a, J_K^b) of Eq. (10), in eV.

    J_K^{a/b} = 4 t_xz^2 (1/E_{a/b} + 1/(E_{a/b} + U)); arguments as in
    :func:`band_shifts`. The chapter derives this form exactly from the
    channel cluster (the addition energy paired with E_a is that of the
    3-electron state with a hole in the bonding orbital).
    """
    t_xz, E_a, E_b, U = _check_E(t_xz, E_a, E_b, U)
    f = 4.0 * t_xz**2
    return f * (1.0 / E_a + 1.0 / (E_a + U)), f * (1.0 / E_b + 1.0 / (E_b + U))


def kappas(J_K_a: float, J_K_b: float, J_H: float) -> tuple[float, float, float]:
    """(kappa_a, kappa_b, kappa) with kappa_{a/b} = J_K^{a/b}/J_H, kappa = sqrt(kappa_a kappa_b).

    J_K_a, J_K_b >= 0, J_H > 0 (eV). Dimensionless results.
    """
    J_K_a = V.nonnegative("J_K_a", J_K_a)
    J_K_b = V.nonnegative("J_K_b", J_K_b)
    J_H = V.positive("J_H", J_H)
    ka, kb = J_K_a / J_H, J_K_b / J_H
    return ka, kb, math.sqrt(ka * kb)


def pairing_strength(J_H: float, J_c: float) -> float:
    """Interband pair-scattering amplitude V = 3 J_H^2 / (2 J_c) (eV), Eq. (13).

    J_H : Hund coupling of Eq. (6) (eV, > 0); J_c : triplon energy (eV, > 0).
    V > 0 (repulsive interband pair hopping) selects the s+- state.
    """
    J_H = V.positive("J_H", J_H)
    J_c = V.positive("J_c", J_c)
    return 1.5 * J_H**2 / J_c


def form_factors(eta_k, eta_kp, kappa_a: float, kappa_b: float):
    """(f^a, f^b) = (1 - kappa_a eta_k eta_k', 1 - kappa_b eta_k eta_k') of Eq. (11).

    eta_k, eta_kp : array-like form factors cos kx - cos ky (broadcast);
    kappa_a, kappa_b >= 0.
    """
    ek = V.finite_array("eta_k", eta_k)
    ekp = V.finite_array("eta_kp", eta_kp)
    ka = V.nonnegative("kappa_a", kappa_a)
    kb = V.nonnegative("kappa_b", kappa_b)
    p = ek * ekp
    return 1.0 - ka * p, 1.0 - kb * p


def pairing_matrix_element(eta_k, eta_kp, V_: float, kappa_a: float, kappa_b: float):
    """V_kk' = V f^a_kk' f^b_kk' of Eq. (13), in eV (V_ = V > 0 in eV)."""
    V_ = V.positive("V", V_)
    fa, fb = form_factors(eta_k, eta_kp, kappa_a, kappa_b)
    return V_ * fa * fb


def channel_couplings(t_xz: float, E_rem_a: float, E_rem_b: float,
                      E_add_a: float, E_add_b: float) -> dict:
    """Couplings derived by second-order SW of the channel cluster (eV).

    Intermediate energies (eV, > 0): E_rem_a (E_rem_b) = cost of moving a
    dimer electron into the alpha (beta) band, leaving one electron in the
    a (b) orbital; E_add_a (E_add_b) = cost of moving a band electron onto
    the dimer, leaving a hole in a (b). With g = 2 t_xz (times eta_k):

        eps_alpha = (g^2/2) (1/E_rem_a - 1/E_add_a)
        eps_beta  = (g^2/2) (1/E_rem_b - 1/E_add_b)
        J_K^a     =  g^2    (1/E_rem_a + 1/E_add_b)
        J_K^b     =  g^2    (1/E_rem_b + 1/E_add_a)

    Returns a dict with keys eps_alpha, eps_beta, J_K_a, J_K_b.
    """
    t_xz = V.nonnegative("t_xz", t_xz)
    ra = V.positive("E_rem_a", E_rem_a)
    rb = V.positive("E_rem_b", E_rem_b)
    aa = V.positive("E_add_a", E_add_a)
    ab = V.positive("E_add_b", E_add_b)
    g2 = 4.0 * t_xz**2
    return {
        "eps_alpha": 0.5 * g2 * (1 / ra - 1 / aa),
        "eps_beta": 0.5 * g2 * (1 / rb - 1 / ab),
        "J_K_a": g2 * (1 / ra + 1 / ab),
        "J_K_b": g2 * (1 / rb + 1 / aa),
    }


def E_a_for_eps_alpha(eps_alpha: float, t_xz: float, U: float) -> float:
    """E_a (eV) at which Eq. (3) gives the requested eps_alpha.

    Solves 4 t_xz^2 U / (E (E + U)) = eps_alpha: E = (-U + sqrt(U^2 + 16 t_xz^2 U/eps_alpha))/2.
    eps_alpha > 0, t_xz > 0, U > 0 (eV).
    """
    eps_alpha = V.positive("eps_alpha", eps_alpha)
    t_xz = V.positive("t_xz", t_xz)
    U = V.positive("U", U)
    return 0.5 * (-U + math.sqrt(U**2 + 16.0 * t_xz**2 * U / eps_alpha))


def lambda_coupling(V_: float, N_alpha: float, N_beta: float) -> float:
    """Dimensionless coupling lambda = V sqrt(N_alpha N_beta) (V in eV, DOS in 1/eV)."""
    V_ = V.nonnegative("V", V_)
    Na = V.positive("N_alpha", N_alpha)
    Nb = V.positive("N_beta", N_beta)
    return V_ * math.sqrt(Na * Nb)


def J_H_for_lambda(lam: float, J_c: float, N_alpha: float, N_beta: float) -> float:
    """Hund coupling J_H (eV) giving lambda = 3 J_H^2 sqrt(N_a N_b) / (2 J_c)."""
    lam = V.positive("lam", lam)
    J_c = V.positive("J_c", J_c)
    Na = V.positive("N_alpha", N_alpha)
    Nb = V.positive("N_beta", N_beta)
    return math.sqrt(2.0 * J_c * lam / (3.0 * math.sqrt(Na * Nb)))


@dataclass(frozen=True)
class Couplings:
    """The whole chain microscopic parameters -> couplings (eV unless stated).

    Inputs: t_c, U, t_xz, E_a, E_b, J_H. Outputs: J_c, eps_alpha, eps_beta,
    J_K_a, J_K_b, kappa_a, kappa_b, kappa (dimensionless), V, and, when
    densities of states were given, N_alpha, N_beta (1/eV) and lam
    (dimensionless lambda = V sqrt(N_alpha N_beta)); otherwise those are None.
    """

    t_c: float
    U: float
    t_xz: float
    E_a: float
    E_b: float
    J_H: float
    J_c: float
    eps_alpha: float
    eps_beta: float
    J_K_a: float
    J_K_b: float
    kappa_a: float
    kappa_b: float
    kappa: float
    V: float
    N_alpha: Optional[float] = None
    N_beta: Optional[float] = None
    lam: Optional[float] = None

    def as_dict(self) -> dict:
        return asdict(self)

    def band_params(self, base=None):
        """A ``bands.BandParams`` with eps_a, eps_b replaced by this chain's shifts.

        base : BandParams supplying t1, t2, t3, mu (default bands.PAPER_V3).
        """
        import dataclasses

        from . import bands as B

        base = B.PAPER_V3 if base is None else base
        return dataclasses.replace(base, eps_a=self.eps_alpha, eps_b=self.eps_beta)


def _dos_pair(dos):
    if dos is None:
        return None, None
    try:
        Na, Nb = float(dos[0]), float(dos[1])
    except (TypeError, IndexError, ValueError) as exc:
        raise ValueError("dos must be None or a sequence (N_alpha, N_beta, ...) in 1/eV") from exc
    return V.positive("N_alpha", Na), V.positive("N_beta", Nb)


def from_microscopic(t_c: float = T_C, U: float = U_PAPER, t_xz: Optional[float] = None,
                     E_a: float = 0.6, E_b: Optional[float] = None, J_H: float = 0.4,
                     dos=None) -> Couplings:
    """Evaluate the chain for given microscopic parameters.

    t_c, U (eV, > 0); t_xz (eV, >= 0; default sqrt(3)/4 t_c); E_a (eV, > 0);
    E_b (eV, > 0; default E_a + 2 t_c); J_H (eV, > 0); dos: None or
    (N_alpha, N_beta, ...) per spin per k-point in 1/eV, e.g. the result of
    ``bands.fermi_level_dos``, to obtain lambda.
    """
    t_c = V.positive("t_c", t_c)
    U = V.positive("U", U)
    t_xz = math.sqrt(3.0) / 4.0 * t_c if t_xz is None else V.nonnegative("t_xz", t_xz)
    E_a = V.positive("E_a", E_a)
    E_b = E_a + 2.0 * t_c if E_b is None else V.positive("E_b", E_b)
    J_H = V.positive("J_H", J_H)
    J_c = dimer_exchange(t_c, U)
    ea, eb = band_shifts(t_xz, E_a, E_b, U)
    ja, jb = kondo_couplings(t_xz, E_a, E_b, U)
    ka, kb, k = kappas(ja, jb, J_H)
    Vp = pairing_strength(J_H, J_c)
    Na, Nb = _dos_pair(dos)
    lam = None if Na is None else lambda_coupling(Vp, Na, Nb)
    return Couplings(t_c, U, t_xz, E_a, E_b, J_H, J_c, ea, eb, ja, jb, ka, kb, k, Vp, Na, Nb, lam)


def from_band_shifts(eps_alpha: float = 0.4, t_c: float = T_C, U: float = U_PAPER,
                     t_xz: Optional[float] = None, J_H: float = 0.4, dos=None) -> Couplings:
    """The chain with E_a chosen so that Eq. (3) gives ``eps_alpha``; E_b = E_a + 2 t_c.

    eps_beta is then a prediction (0.110 eV at the paper's scales, against
    0.1 eV of Fig. 2). Arguments as in :func:`from_microscopic`.
    """
    t_c = V.positive("t_c", t_c)
    t_xz = math.sqrt(3.0) / 4.0 * t_c if t_xz is None else V.positive("t_xz", t_xz)
    E_a = E_a_for_eps_alpha(eps_alpha, t_xz, U)
    return from_microscopic(t_c=t_c, U=U, t_xz=t_xz, E_a=E_a, J_H=J_H, dos=dos)
