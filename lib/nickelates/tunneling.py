"""Tunneling (STM) spectra of the triplon model's anisotropic gaps (chapter 5).

Following Liu & Khaliullin (v3, Fig. 5), the zero-temperature differential
conductance is a sum over the two bands,

    dI/dV(omega) ∝ sum_zeta (p^z_zeta + r p^x_zeta) N_zeta(omega),
    N_zeta(omega) = N_zeta < Re (omega + i Gamma_zeta) / sqrt((omega + i Gamma_zeta)^2 - Delta_zeta(k)^2) >_FS,

with p^x = 1 - p^z the d_{x^2-y^2} content, r < 1 the relative tunneling
matrix element of the planar orbital, Gamma_zeta the Dynes broadening and
<...>_FS a Fermi-surface average of the anisotropic gap. The broadened BCS
density of states is ``btk.dynes_dos`` (one copy in the library).

Units: omega, gaps and Gamma in meV here (gaps from ``pairing`` are in eV and
are converted), DOS prefactors N_zeta in 1/eV as in ``bands``.

Andreev side (``andreev_spectrum``): the Tanaka-Kashiwaya BTK conductance of
``nickelates.btk`` evaluated on the real Fermi sheets. Each Fermi-surface
point with positive velocity along the contact normal is a trajectory
(incidence angle = angle of v_F to the normal, weight dl cos theta, hole-like
quasiparticle at the mirror point); btk's kernels ``g_anisotropic`` and
``thermal_smear`` do the rest. ``apparent_gaps`` fits such a spectrum with
the two-isotropic-s-gap model of Guo et al. (``btk.fit``),
``apparent_gap_map`` sweeps (n_c, kappa) with tqdm progress.
Bias in mV, T in K.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _validate as V
from . import bands as B
from . import btk
from .kernels import btk as KB

__all__ = ["fermi_surface_dos", "stm_spectrum", "STMSpectrum", "peak_positions", "gap_on_sheet",
           "gap_extrema", "slope_maxima", "andreev_spectrum", "AndreevSpectrum", "sheet_nodes",
           "SheetNodes", "INTERFACES", "GUO_T3", "STM_FILM_GAPS", "triplon_gaps", "ModelGaps",
           "apparent_gaps", "ApparentGaps", "apparent_gap_map", "default_bias", "lambda_for_gap",
           "GAP_SOURCES"]

_AVERAGES = ("dos", "angle")
T_XZ_PAPER = math.sqrt(3) / 4 * 0.6  # eV, the paper's t_xz = sqrt(3)/4 t_c with t_c = 0.6 eV


def gap_on_sheet(gap, fs: B.FermiSurface) -> np.ndarray:
    """Gap values (eV, signed) at the points of a Fermi sheet.

    gap : a float (isotropic gap, eV) or a callable (kx, ky) -> gap in eV,
          e.g. ``pairing.GapSolution.delta_alpha`` or an analytic Eq. (16) form.
    """
    if callable(gap):
        vals = np.asarray(gap(fs.kx, fs.ky), dtype=float)
        vals = np.broadcast_to(vals, fs.kx.shape).copy()
    else:
        vals = np.full(fs.kx.shape, V.finite("gap", gap))
    if not np.all(np.isfinite(vals)):
        raise ValueError("gap must evaluate to finite numbers on the Fermi surface")
    return vals


def fermi_surface_dos(omega_meV, fs: B.FermiSurface, gap_meV, gamma_meV: float, *, average: str = "dos"):
    """Fermi-surface averaged Dynes DOS, normalized to the normal state (-> 1 for |omega| >> Delta).

    omega_meV : energies (meV).
    fs : a ``bands.FermiSurface``.
    gap_meV : gap at each point of ``fs`` (meV; the sign is irrelevant for the DOS).
    gamma_meV : Dynes broadening (meV), > 0.
    average : "dos" weights each Fermi-surface point by its density of states
        dl/|v_F| (the weight of a k-state in a momentum-independent tunneling
        process); "angle" is uniform in the sheet's polar angle theta, as the
        paper's <...>_theta literally reads.
    """
    w = V.finite_array("omega_meV", omega_meV)
    gamma = V.positive("gamma_meV", gamma_meV)
    V.choice("average", average, _AVERAGES)
    gaps = np.abs(V.finite_array("gap_meV", gap_meV))
    if gaps.shape != fs.kx.shape:
        raise ValueError(f"gap_meV must have one value per Fermi-surface point ({fs.kx.size}), got {gaps.shape}")
    weights = fs.weight if average == "dos" else np.ones_like(fs.theta)
    weights = weights / weights.sum()
    # group equal gaps (the 8-fold symmetry repeats each value 8 times): fewer DOS evaluations
    vals, inverse = np.unique(np.round(gaps, 12), return_inverse=True)
    wsum = np.bincount(inverse.ravel(), weights=weights.ravel(), minlength=vals.size)
    out = np.zeros_like(w, dtype=float)
    for d, ww in zip(vals, wsum):
        if d <= 1e-12:
            out += ww  # gapless point: normal-state DOS
        else:
            out += ww * btk.dynes_dos(w, d, gamma)
    return out


@dataclass(frozen=True)
class STMSpectrum:
    """A computed STM spectrum.

    omega_meV : bias energies (meV).
    total : dI/dV normalized to its normal-state value (-> 1 far above the gaps).
    alpha, beta : the two band contributions in the same normalization (total = alpha + beta).
    weights : (w_alpha, w_beta) = (p^z + r p^x) N_zeta / sum, the normal-state share of each band.
    pz : (p^z_alpha, p^z_beta) used; r, gamma_alpha, gamma_beta (meV); average : FS weighting.
    """

    omega_meV: np.ndarray
    total: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    weights: tuple
    pz: tuple
    r: float
    gamma_alpha: float
    gamma_beta: float
    average: str


def stm_spectrum(omega_meV, p: B.BandParams, gap_alpha, gap_beta, *, r: float = 0.7,
                 gamma_alpha: float = 2.0, gamma_beta: float = 1.0, pz=None,
                 t_xz: float = T_XZ_PAPER, average: str = "dos", n_theta: int = 720) -> STMSpectrum:
    """STM conductance of Fig. 5 (v3) for given gap functions.

    omega_meV : bias energies (meV).
    p : band parameters (the Fermi surfaces and N_zeta are taken from them).
    gap_alpha, gap_beta : float (eV) or callable (kx, ky) -> signed gap in eV,
        e.g. ``sol.delta_alpha`` of ``pairing.solve_gap``.
    r : relative tunneling weight of the d_{x^2-y^2} orbital, 0 <= r <= 1 (paper: 0.7).
    gamma_alpha, gamma_beta : Dynes broadenings in meV (paper: 2 and 1).
    pz : (p^z_alpha, p^z_beta) in [0, 1]; default: ``bands.orbital_content(p, t_xz)``
        with the DOS-weighted Fermi-surface average.
    average : Fermi-surface average of the gap ("dos" or "angle"), see ``fermi_surface_dos``.
    """
    p = B.check_params(p)
    w = V.finite_array("omega_meV", omega_meV)
    r = V.in_range("r", r, 0.0, 1.0)
    ga = V.positive("gamma_alpha", gamma_alpha)
    gb = V.positive("gamma_beta", gamma_beta)
    n_theta = V.integer("n_theta", n_theta, 16, 10 ** 6)
    if pz is None:
        pz = B.orbital_content(p, t_xz)
    if len(pz) != 2:
        raise ValueError("pz must be a pair (pz_alpha, pz_beta)")
    pz = tuple(V.in_range(n, v, 0.0, 1.0) for n, v in zip(("pz_alpha", "pz_beta"), pz))
    dos = B.fermi_level_dos(p)
    pref = np.array([(pz[0] + r * (1 - pz[0])) * dos.N_alpha, (pz[1] + r * (1 - pz[1])) * dos.N_beta])
    pref = pref / pref.sum()
    parts = []
    for band, gap, gamma in (("alpha", gap_alpha, ga), ("beta", gap_beta, gb)):
        fs = B.fermi_surface(p, band, n_theta=n_theta)
        g = gap_on_sheet(gap, fs) * 1e3
        parts.append(fermi_surface_dos(w, fs, g, gamma, average=average))
    a = pref[0] * parts[0]
    b = pref[1] * parts[1]
    return STMSpectrum(w, a + b, a, b, (float(pref[0]), float(pref[1])), pz, r, ga, gb, average)


def peak_positions(omega_meV, g, *, min_prominence: float = 0.01):
    """Positive-bias local maxima of a spectrum (meV), strongest first.

    A maximum counts if it rises at least ``min_prominence`` (in units of g)
    above the lower of its neighbouring minima. Returns a list of
    (omega, height, prominence).
    """
    from scipy.signal import find_peaks

    w = V.finite_array("omega_meV", omega_meV, ndim=1)
    g = V.finite_array("g", g, ndim=1)
    if w.shape != g.shape:
        raise ValueError("omega_meV and g must have the same length")
    pos = w > 0
    idx, props = find_peaks(g[pos], prominence=V.nonnegative("min_prominence", min_prominence))
    peaks = [(float(w[pos][i]), float(g[pos][i]), float(pr)) for i, pr in zip(idx, props["prominences"])]
    return sorted(peaks, key=lambda t: -t[2])


# --------------------------------------------------------------------------- gap extrema / shoulders
def gap_extrema(p: B.BandParams, gap, band: str, *, n_theta: int = 720):
    """(min |Delta|, max |Delta|) in meV of a gap function on the Fermi sheet of ``band``.

    gap : float (eV) or callable (kx, ky) -> gap in eV. For a smooth
    anisotropic gap the FS-averaged DOS has a step (a shoulder) at the minimum
    and a logarithmic peak at the maximum (a saddle of the angular
    distribution of gaps), see chapter 5.
    """
    p = B.check_params(p)
    fs = B.fermi_surface(p, band, n_theta=V.integer("n_theta", n_theta, 16, 10 ** 6))
    g = np.abs(gap_on_sheet(gap, fs)) * 1e3
    return float(g.min()), float(g.max())


def slope_maxima(omega_meV, g, *, min_prominence: float = 0.002):
    """Positive-bias local maxima of dg/domega (meV), ascending in omega.

    Steps of the averaged DOS (the shoulders at the gap minima) and the rising
    flanks of the coherence peaks appear as maxima of the slope. Returns a list of
    (omega, slope, prominence) with slope in 1/meV and prominence relative to
    the largest slope.
    """
    from scipy.signal import find_peaks

    w = V.finite_array("omega_meV", omega_meV, ndim=1)
    g = V.finite_array("g", g, ndim=1)
    if w.shape != g.shape or w.size < 5:
        raise ValueError("omega_meV and g must have the same length (>= 5)")
    d = np.gradient(g, w)
    pos = w > 0
    dp = d[pos]
    scale = float(np.max(np.abs(dp))) or 1.0
    idx, props = find_peaks(dp / scale, prominence=V.nonnegative("min_prominence", min_prominence))
    return [(float(w[pos][i]), float(dp[i]), float(pr)) for i, pr in zip(idx, props["prominences"])]


# --------------------------------------------------------------------------- Andreev reflection
INTERFACES = ("100", "110", "c")
#: Extended Data Table 3 of Guo et al., T = 3 K row, larger gap -> alpha, smaller -> beta.
GUO_T3 = {"T": 3.0, "Z_alpha": 0.58, "Z_beta": 0.40, "gamma_alpha": 6.6, "gamma_beta": 4.0,
          "Delta1": 23.0, "Delta2": 6.0}
#: Gaps quoted from STM on La2PrNi2O7 films (Fan et al., as cited by Guo et al.), meV.
STM_FILM_GAPS = (19.0, 6.0)


def _velocity(p, band, kx, ky):
    """Band velocity (grad xi, eV a) at Fermi-surface points: ``bands.velocity``."""
    return B.velocity(kx, ky, p, band)


@dataclass(frozen=True)
class SheetNodes:
    """Trajectory nodes of one Fermi sheet for the angle-resolved BTK formula.

    tau : normal-state transparency tau_N = cos^2(theta)/(cos^2(theta) + Z^2)
    weight : flux weight dl |cos theta| (states dl/|v_F| times the normal velocity), 1/a
    dplus, dminus : signed gaps (meV) seen by the electron-like (k) and hole-like
        (mirror image of k, same parallel momentum) quasiparticles
    """
    tau: np.ndarray
    weight: np.ndarray
    dplus: np.ndarray
    dminus: np.ndarray


def sheet_nodes(p: B.BandParams, band: str, gap, Z: float, *, interface: str = "100",
                n_theta: int = 720) -> SheetNodes:
    """Nodes of the anisotropic BTK integral for one band (see ``andreev_spectrum``)."""
    p = B.check_params(p)
    Z = V.nonnegative("Z", Z)
    V.choice("interface", interface, INTERFACES)
    fs = B.fermi_surface(p, band, n_theta=V.integer("n_theta", n_theta, 16, 10 ** 6))
    dp = gap_on_sheet(gap, fs) * 1e3
    if interface == "c":
        # c-axis contact of a 2D band: every state at normal incidence, DOS weight
        tau = np.full(dp.shape, 1.0 / (1.0 + Z * Z))
        return SheetNodes(tau, fs.weight / fs.weight.sum(), dp, dp.copy())
    vx, vy = _velocity(p, band, fs.kx, fs.ky)
    if interface == "100":
        nx, ny = 1.0, 0.0
        mx, my = -fs.kx, fs.ky
    else:
        nx = ny = math.sqrt(0.5)
        mx, my = -fs.ky, -fs.kx
    vn = vx * nx + vy * ny
    cos_t = vn / np.hypot(vx, vy)
    keep = cos_t > 1e-12
    c2 = cos_t[keep] ** 2
    tau = c2 / (c2 + Z * Z) if Z > 0 else np.ones_like(c2)
    wgt = fs.arc[keep] * cos_t[keep]
    if callable(gap):
        dm = np.broadcast_to(np.asarray(gap(mx[keep], my[keep]), dtype=float), c2.shape) * 1e3
    else:
        dm = dp[keep].copy()
    if not np.all(np.isfinite(dm)):
        raise ValueError("gap must evaluate to finite numbers on the Fermi surface")
    return SheetNodes(tau, wgt, dp[keep], np.array(dm, dtype=float))


@dataclass(frozen=True)
class AndreevSpectrum:
    """A predicted point-contact (Andreev) spectrum.

    bias_mV : bias (mV). total : normalized conductance G(V) (-> 1 far above the gaps).
    alpha, beta : weighted band contributions (total = alpha + beta).
    weights : (w_alpha, w_beta), each band's share of the normal-state conductance.
    T (K), Z, gamma (meV) per band as (alpha, beta); interface : "100", "110" or "c".
    """
    bias_mV: np.ndarray
    total: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    weights: tuple
    T: float
    Z: tuple
    gamma: tuple
    interface: str


def _intrinsic(energy, nodes: SheetNodes, gamma):
    """G(E) of one sheet: the btk kernel with the sheet's trajectories as quadrature nodes."""
    e = np.ascontiguousarray(np.abs(energy), dtype=float)
    return KB.g_anisotropic(e, float(gamma), np.ascontiguousarray(nodes.tau),
                            np.ascontiguousarray(nodes.weight), np.ascontiguousarray(nodes.dplus),
                            np.ascontiguousarray(nodes.dminus), False)


def andreev_spectrum(bias_mV, p: B.BandParams, gap_alpha, gap_beta, *, T: float = 3.0,
                     Z_alpha: float = 0.58, Z_beta: float = 0.40, gamma_alpha: float = 6.6,
                     gamma_beta: float = 4.0, interface: str = "100", weights=None,
                     n_theta: int = 720, points_per_width: float = 3.0) -> AndreevSpectrum:
    """Anisotropic multi-band BTK conductance from gap functions on the Fermi sheets.

    bias_mV : bias voltages (mV).
    p : band parameters (Fermi sheets and velocities from ``bands``).
    gap_alpha, gap_beta : float (eV) or callable (kx, ky) -> signed gap in eV.
    T : temperature (K); Z_*, gamma_* : barrier strength and Dynes broadening
        (meV) of each band; defaults: T = 3 K row of Guo et al.'s Table 3 with the
        larger gap assigned to alpha.
    interface : "100" or "110" (in-plane contact normal along x or along the
        diagonal; every Fermi-surface point with positive normal velocity is a
        trajectory at incidence angle theta = angle(v_F, n), weighted by
        dl cos(theta); the hole-like quasiparticle sees the gap at the mirror
        point of k), or "c" (c-axis contact: normal incidence, DOS weights).
    weights : optional (w_alpha, w_beta) summing to 1; default: each band's
        normal-state conductance sum(weight * tau_N), the Fermi-surface weight
        of the band.
    n_theta : Fermi-surface points per sheet; points_per_width : smearing grid
        resolution (see ``btk.energy_grid_step``).

    The Andreev amplitudes and the Tanaka-Kashiwaya sigma_S are those of
    ``nickelates.btk`` (its kernel ``g_anisotropic`` is called with the sheet's
    trajectories as nodes) and the thermal smearing is btk's kernel too. The
    two bands add incoherently, so the relative sign of the alpha and beta gaps
    (s+-) does not enter; a sign change *within* a sheet would.
    """
    p = B.check_params(p)
    b = V.finite_array("bias_mV", bias_mV)
    if b.size == 0:
        raise ValueError("bias_mV must contain at least one value")
    T = V.in_range("T", T, 0.0, 1000.0)
    za, zb = V.nonnegative("Z_alpha", Z_alpha), V.nonnegative("Z_beta", Z_beta)
    ga, gb = V.positive("gamma_alpha", gamma_alpha), V.positive("gamma_beta", gamma_beta)
    V.choice("interface", interface, INTERFACES)
    V.in_range("points_per_width", points_per_width, 0.5, 100.0)
    nodes = [sheet_nodes(p, "alpha", gap_alpha, za, interface=interface, n_theta=n_theta),
             sheet_nodes(p, "beta", gap_beta, zb, interface=interface, n_theta=n_theta)]
    if weights is None:
        gn = np.array([np.sum(n.weight * n.tau) for n in nodes])
        if interface == "c":
            dos = B.fermi_level_dos(p)
            gn = np.array([dos.N_alpha, dos.N_beta]) * np.array([n.tau[0] for n in nodes])
        wts = gn / gn.sum()
    else:
        if len(weights) != 2:
            raise ValueError("weights must be a pair (w_alpha, w_beta)")
        wts = np.array([V.in_range("weights[0]", weights[0], 0.0, 1.0),
                        V.in_range("weights[1]", weights[1], 0.0, 1.0)])
        if abs(wts.sum() - 1.0) > 1e-9:
            raise ValueError(f"weights must sum to 1, got {wts.sum()!r}")
    shape = b.shape
    flat = np.ascontiguousarray(b.ravel())
    gammas = (ga, gb)
    if T == 0.0:
        parts = [_intrinsic(flat, n, g) for n, g in zip(nodes, gammas)]
    else:
        egrid, h, kt, cutoff = btk.smearing_grid(float(np.max(np.abs(flat))), T, gammas, points_per_width)
        parts = [KB.thermal_smear(flat, h, _intrinsic(egrid, nd, g), kt, cutoff) for nd, g in zip(nodes, gammas)]
    a = wts[0] * parts[0]
    bb = wts[1] * parts[1]
    tot = a + bb
    if not np.all(np.isfinite(tot)):
        raise ValueError("andreev_spectrum: the conductance is not finite for these parameters")
    return AndreevSpectrum(b, tot.reshape(shape), a.reshape(shape), bb.reshape(shape),
                           (float(wts[0]), float(wts[1])), T, (za, zb), gammas, interface)


# --------------------------------------------------------------------------- model gaps
GAP_SOURCES = ("exact", "eq18", "eq17")


@dataclass(frozen=True)
class ModelGaps:
    """Gap functions of the triplon model at one parameter point.

    p : band parameters at density n_c; delta_alpha, delta_beta : callables
    (kx, ky) -> signed gap (eV); source : "exact" (``pairing.solve_gap``) or the
    paper's analytic forms "eq18" / "eq17" (``pairing.analytic_gaps``);
    lam, kappa (kappa_a = kappa_b), Omega (eV), n_c; extrema : dict band ->
    (min |Delta|, max |Delta|) on the Fermi sheet in meV; solution : the
    underlying ``GapSolution`` or ``AnalyticGaps``.
    """
    p: B.BandParams
    delta_alpha: object
    delta_beta: object
    source: str
    lam: float
    kappa: float
    Omega: float
    n_c: float
    extrema: dict
    solution: object


def triplon_gaps(n_c: float = 0.45, lam: float = 0.4, kappa: float = 0.3, Omega: float = 0.3, *,
                 source: str = "exact", base: B.BandParams = B.PAPER_V3, T: float = 0.0,
                 n_k: int = 128) -> ModelGaps:
    """The model's anisotropic s+- gaps at (n_c, lambda, kappa, Omega).

    n_c : electrons per Ni (0 < n_c < 2; sheets must be star-shaped, e.g.
    0.32 <= n_c <= 1.0 for the v3 bands); lam : lambda = V sqrt(N_a N_b);
    kappa : kappa_a = kappa_b (so kappa^2 = kappa_a kappa_b of Eq. 15);
    Omega : cutoff (eV); source : "exact" | "eq18" | "eq17"; base : band
    parameters whose mu is replaced; T (K) and n_k only for "exact".
    """
    n_c = V.in_range("n_c", n_c, 0.0, 2.0, lo_open=True, hi_open=True)
    lam = V.in_range("lam", lam, 0.0, 2.0, lo_open=True, hi_open=True)
    kappa = V.in_range("kappa", kappa, 0.0, 3.0)
    Omega = V.in_range("Omega", Omega, 1e-3, 2.0)
    V.choice("source", source, GAP_SOURCES)
    p = _density_cached(B.check_params(base), round(n_c, 12))
    Vp = _pairing().V_for_lambda(p, lam)
    if source == "exact":
        sol = _pairing().solve_gap(p, V=Vp, kappa_a=kappa, kappa_b=kappa, Omega=Omega, T=T, channel="s",
                                   n_k=n_k)
    else:
        sol = _pairing().analytic_gaps(p, V=Vp, kappa_a=kappa, kappa_b=kappa, Omega=Omega, form=source)
    ext = {"alpha": gap_extrema(p, sol.delta_alpha, "alpha"), "beta": gap_extrema(p, sol.delta_beta, "beta")}
    return ModelGaps(p, sol.delta_alpha, sol.delta_beta, source, lam, kappa, Omega, n_c, ext, sol)


def _pairing():
    from . import pairing
    return pairing


_DENSITY_CACHE: dict = {}


def _density_cached(p, n_c):
    key = (p, n_c)
    if key not in _DENSITY_CACHE:
        _DENSITY_CACHE[key] = B.with_density(p, n_c)
    return _DENSITY_CACHE[key]


# --------------------------------------------------------------------------- experimentalists' lens
@dataclass(frozen=True)
class ApparentGaps:
    """Two-isotropic-s-gap BTK fit (Guo et al.'s model) of a predicted spectrum.

    delta1 >= delta2 (meV) with standard errors (None at a bound), ratio = delta1/delta2,
    w1 (weight of gap 1), redchi, fit (``btk.BTKFit``), spectrum (``AndreevSpectrum``).
    """
    delta1: float
    delta2: float
    delta1_err: object
    delta2_err: object
    ratio: float
    w1: float
    redchi: float
    fit: object
    spectrum: AndreevSpectrum


def default_bias(gmax_meV: float, n: int = 241) -> np.ndarray:
    """Symmetric bias grid (mV) reaching 2.5 times the largest gap (at least 40 mV)."""
    g = V.positive("gmax_meV", gmax_meV)
    n = V.integer("n", n, 21, 100001)
    vmax = max(40.0, 2.5 * g)
    return np.linspace(-vmax, vmax, n)


def apparent_gaps(p: B.BandParams, gap_alpha, gap_beta, *, bias_mV=None, starts: int = 4,
                  seed: int = 0, **andreev_kw) -> ApparentGaps:
    """Predict the Andreev spectrum of the given gaps and fit it like the experiment.

    The spectrum from ``andreev_spectrum(bias_mV, p, gap_alpha, gap_beta, **andreev_kw)``
    is fitted with ``btk.fit`` (two isotropic s-wave gaps, angle-resolved, at the
    same T; Z, Gamma, weight free; ``starts`` multi-start points). bias_mV
    default: ``default_bias`` of the largest gap on either sheet.
    """
    p = B.check_params(p)
    starts = V.integer("starts", starts, 1, 200)
    if bias_mV is None:
        gmax = max(gap_extrema(p, gap_alpha, "alpha")[1], gap_extrema(p, gap_beta, "beta")[1])
        bias_mV = default_bias(max(gmax, 1e-3))
    spec = andreev_spectrum(bias_mV, p, gap_alpha, gap_beta, **andreev_kw)
    r = btk.fit(spec.bias_mV, spec.total, n_gaps=2, symmetry="s", T=spec.T, starts=starts, seed=seed)
    d1, d2 = r.values["delta1"], r.values["delta2"]
    e1, e2 = r.stderr.get("delta1"), r.stderr.get("delta2")
    if d2 > d1:
        d1, d2, e1, e2 = d2, d1, e2, e1
    return ApparentGaps(float(d1), float(d2), e1, e2, float(d1 / d2), float(r.values["w1"]), float(r.redchi),
                        r, spec)


def apparent_gap_map(n_c_values, kappa_values, *, lam: float = 0.4, Omega: float = 0.3,
                     source: str = "exact", starts: int = 3, n_bias: int = 201, progress: bool = True,
                     n_k: int = 128, **andreev_kw) -> dict:
    """Sweep (n_c, kappa): true gap extrema and apparent BTK gaps at each point.

    Returns a dict of arrays of shape (len(n_c_values), len(kappa_values)):
    delta1, delta2, ratio (apparent, meV), w1, redchi, and the model's
    alpha_min, alpha_max, beta_min, beta_max (meV); plus the axes and settings.
    Points where the model cannot be evaluated (no star-shaped sheet, no s
    solution) are NaN in every array and listed in ``failed`` with the reason.
    Progress is reported with tqdm when ``progress`` is true.
    """
    from tqdm.auto import tqdm
    from .errors import ConvergenceError

    ncs = V.finite_array("n_c_values", n_c_values, ndim=1)
    ks = V.finite_array("kappa_values", kappa_values, ndim=1)
    if ncs.size == 0 or ks.size == 0:
        raise ValueError("n_c_values and kappa_values must be non-empty")
    shape = (ncs.size, ks.size)
    names = ("delta1", "delta2", "ratio", "w1", "redchi", "alpha_min", "alpha_max", "beta_min", "beta_max")
    out = {k: np.full(shape, np.nan) for k in names}
    failed = []
    it = tqdm(total=ncs.size * ks.size, desc="apparent-gap map", disable=not progress)
    for i, nc in enumerate(ncs):
        for j, kap in enumerate(ks):
            try:
                mg = triplon_gaps(float(nc), lam, float(kap), Omega, source=source, n_k=n_k)
                gmax = max(mg.extrema["alpha"][1], mg.extrema["beta"][1])
                ap = apparent_gaps(mg.p, mg.delta_alpha, mg.delta_beta, bias_mV=default_bias(gmax, n_bias),
                                   starts=starts, **andreev_kw)
            except (ValueError, ConvergenceError) as exc:
                failed.append((float(nc), float(kap), str(exc)[:120]))
                it.update()
                continue
            vals = (ap.delta1, ap.delta2, ap.ratio, ap.w1, ap.redchi, *mg.extrema["alpha"], *mg.extrema["beta"])
            for k, v in zip(names, vals):
                out[k][i, j] = v
            it.update()
    it.close()
    out.update(n_c=ncs, kappa=ks, lam=float(lam), Omega=float(Omega), source=source, failed=failed)
    return out


def lambda_for_gap(target_meV: float, n_c: float, kappa: float, Omega: float = 0.3, *,
                   source: str = "exact", lam_bounds=(0.05, 1.5), xtol: float = 1e-4) -> float:
    """Coupling lambda at which the largest gap on either sheet equals ``target_meV``.

    Used to scale the model's gap magnitude to an experiment (e.g. Delta1 = 23 meV)
    at fixed n_c, kappa and cutoff Omega (eV); the largest gap grows
    monotonically with lambda. Raises ValueError if the target is outside the
    range reached on ``lam_bounds``.
    """
    from scipy.optimize import brentq

    target = V.positive("target_meV", target_meV)
    lo, hi = (V.in_range("lam_bounds[0]", lam_bounds[0], 0.0, 2.0, lo_open=True),
              V.in_range("lam_bounds[1]", lam_bounds[1], 0.0, 2.0, hi_open=True))
    if not lo < hi:
        raise ValueError(f"lam_bounds must be increasing, got {lam_bounds!r}")

    def f(lam):
        mg = triplon_gaps(n_c, lam, kappa, Omega, source=source)
        return max(mg.extrema["alpha"][1], mg.extrema["beta"][1]) - target

    flo, fhi = f(lo), f(hi)
    if flo > 0 or fhi < 0:
        raise ValueError(f"target_meV = {target} is not reached for lambda in [{lo}, {hi}] "
                         f"(largest gap from {flo + target:.3g} to {fhi + target:.3g} meV)")
    return float(brentq(f, lo, hi, xtol=V.positive("xtol", xtol)))
