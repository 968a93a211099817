"""Guo et al.'s published numbers and the chapter's analyses of them (chapter 4).

* :data:`NB_CALIBRATION` (Extended Data Fig. 1) and :func:`nb_calibration_spectra`;
* :data:`TABLE3` (Extended Data Table 3, Cell 2, Position 2), :func:`table3_gaps`,
  the synthesize-and-refit test :func:`table3_refits` (Fig. 3a) and the
  BCS-like gap-vs-temperature fits :func:`table3_gap_temperature` (Fig. 3b).

Units: meV, mV, K.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ._keywords import renamed_keywords
from .fitting import BTKFit, fit
from .model import GAMMA_MAX, Gap, conductance, conductance_multi
from .temperature import GapTemperatureFit, fit_gap_temperature

__all__ = ["NB_CALIBRATION", "NbCalibration", "nb_calibration_spectra", "TABLE3", "table3_gaps",
           "Table3Refits", "table3_refits", "table3_gap_temperature"]

NB_CALIBRATION = {"delta": 1.5, "Z": 0.43, "gamma": 1.42, "T": 3.0}
"""Nb foil calibration of Extended Data Fig. 1 of Guo et al. (meV, K)."""

# Extended Data Table 3 of Guo et al.: T (K), Gamma1, Gamma2 (meV), Z1, Z2, Delta1, Delta2 (meV)
TABLE3 = np.array([
    [3, 6.6, 4.0, 0.58, 0.40, 23.0, 6.00],
    [5, 6.63, 4.1, 0.57, 0.40, 22.9, 6.00],
    [10, 6.63, 4.1, 0.557, 0.41, 23.0, 5.98],
    [14, 6.63, 4.1, 0.53, 0.40, 22.8, 5.90],
    [20, 6.4, 3.5, 0.515, 0.38, 22.9, 5.85],
    [26, 6.4, 3.6, 0.485, 0.36, 22.2, 5.80],
    [30, 6.9, 4.0, 0.43, 0.31, 22.1, 5.70],
    [35, 7.0, 4.1, 0.40, 0.30, 21.5, 5.60],
    [40, 7.2, 4.3, 0.35, 0.27, 20.5, 5.30],
])
"""Extended Data Table 3 (Cell 2, Position 2): columns T (K), Gamma1, Gamma2 (meV), Z1, Z2, Delta1, Delta2 (meV)."""


@dataclass(frozen=True)
class NbCalibration:
    """The BTK spectra of Guo et al.'s Nb calibration (:data:`NB_CALIBRATION`).

    Attributes
    ----------
    bias : numpy.ndarray
        Bias in mV.
    G : numpy.ndarray
        Conductance with the paper's Gamma = 1.42 meV (dimensionless).
    G_sharp : numpy.ndarray
        The same with the sharp broadening ``gamma_sharp``.
    gamma_sharp : float
        The sharp broadening in meV.

    Examples
    --------
    >>> nb = nb_calibration_spectra([0.0, 1.0], sharp_gamma=0.1)
    >>> nb.G.shape, nb.gamma_sharp
    ((2,), 0.1)
    """

    bias: np.ndarray
    G: np.ndarray
    G_sharp: np.ndarray
    gamma_sharp: float

    def zero_bias(self, sharp=False) -> float:
        """G at the bias point nearest to 0 mV.

        Parameters
        ----------
        sharp : bool, optional
            Use the sharp-Gamma spectrum.

        Returns
        -------
        float
            G(V ~ 0) (dimensionless).
        """
        G = self.G_sharp if check.boolean("sharp", sharp) else self.G
        return float(G[np.argmin(np.abs(self.bias))])

    def peak(self, sharp=False) -> tuple:
        """Position and height of the maximum of G at positive bias.

        Parameters
        ----------
        sharp : bool, optional
            Use the sharp-Gamma spectrum.

        Returns
        -------
        tuple of float
            (V_peak in mV, G_peak dimensionless).
        """
        G = self.G_sharp if check.boolean("sharp", sharp) else self.G
        i = int(np.argmax(np.where(self.bias > 0, G, -np.inf)))
        return float(self.bias[i]), float(G[i])


def nb_calibration_spectra(bias_mV=None, sharp_gamma=0.1):
    """Spectra of Guo et al.'s Nb calibration (Extended Data Fig. 1) and of the same with a sharp Gamma.

    Parameters
    ----------
    bias_mV : array_like of float, optional
        Bias in mV (default 1201 points in [-6, 6] mV).
    sharp_gamma : float, optional
        Broadening in meV of the comparison spectrum, in (0, 1e6].

    Returns
    -------
    NbCalibration
        Bias and both conductances.

    Raises
    ------
    TypeError, ValueError
        For a bad bias array or broadening.

    Examples
    --------
    >>> nb = nb_calibration_spectra()
    >>> round(nb.zero_bias(), 3), round(nb.peak()[0], 2)
    (1.05, 1.72)
    """
    v = np.linspace(-6.0, 6.0, 1201) if bias_mV is None else check.real_array("bias_mV", bias_mV, ndim=1)
    sharp = check.positive("sharp_gamma", sharp_gamma, GAMMA_MAX)
    nb = NB_CALIBRATION
    G = conductance(v, nb["delta"], nb["Z"], nb["gamma"], nb["T"])
    G_sharp = conductance(v, nb["delta"], nb["Z"], sharp, nb["T"])
    return NbCalibration(v, G, G_sharp, sharp)


@renamed_keywords(T_K="T")
def table3_gaps(T, w1=0.5):
    """The two s-wave :class:`Gap` of the :data:`TABLE3` row at temperature ``T``.

    The table gives no band weight; ``w1`` (weight of the larger gap) is the
    caller's choice (the book uses 0.5).

    Parameters
    ----------
    T : float
        Temperature in K, one of the table's (3, 5, 10, 14, 20, 26, 30, 35, 40);
        the old keyword ``T_K`` is accepted as an alias.
    w1 : float, optional
        Weight of the larger gap, in [0, 1] (dimensionless).

    Returns
    -------
    tuple of Gap
        (gap 1, gap 2) with delta, gamma in meV.

    Raises
    ------
    TypeError
        If ``T`` or ``w1`` is not a real number.
    ValueError
        If ``T`` is not a temperature of the table or ``w1`` is outside [0, 1].

    Examples
    --------
    >>> g1, g2 = table3_gaps(3.0)
    >>> g1.delta, g1.gamma, g2.delta, g2.Z
    (23.0, 6.6, 6.0, 0.4)
    """
    hit = np.nonzero(TABLE3[:, 0] == check.finite("T", T))[0]
    if hit.size == 0:
        raise ValueError(f"T must be one of the Table 3 temperatures {TABLE3[:, 0].tolist()} K, got {T!r}")
    w1 = check.in_range("w1", w1, 0.0, 1.0)
    _, g1, g2, z1, z2, d1, d2 = TABLE3[hit[0]]
    return (Gap(d1, z1, g1, w1, "s"), Gap(d2, z2, g2, 1.0 - w1, "s"))


@dataclass(frozen=True)
class Table3Refits:
    """Synthesized Table 3 spectra and their two-gap refits (:func:`table3_refits`).

    Attributes
    ----------
    bias : numpy.ndarray
        Bias in mV.
    T : numpy.ndarray
        The temperatures refitted (K), increasing.
    spectra : dict
        T (K) -> synthesized noisy G (dimensionless).
    fits : dict
        T (K) -> :class:`nickelates.btk.BTKFit`.
    noise : float
        Standard deviation of the added Gaussian noise (units of G).

    Examples
    --------
    >>> r = table3_refits(np.linspace(-80, 80, 161), starts=1, rows=[0])
    >>> r.T.tolist(), round(r.fits[3.0].values["delta1"])
    ([3.0], 23)
    """

    bias: np.ndarray
    T: np.ndarray
    spectra: dict
    fits: dict
    noise: float

    def __getitem__(self, key):
        """Dict-style access ``refits["fits"]`` (the old return value was a dict).

        Parameters
        ----------
        key : str
            "bias", "T", "spectra", "fits" or "noise".

        Returns
        -------
        object
            The attribute of that name.
        """
        if key not in ("bias", "T", "spectra", "fits", "noise"):
            raise KeyError(key)
        return getattr(self, key)

    def pulls(self):
        """(fitted - table) / stderr of Delta1 and Delta2 for every refitted row.

        Returns
        -------
        numpy.ndarray
            Shape (number of rows, 2), dimensionless; NaN where no error was estimated.
        """
        rows = {float(r[0]): r for r in TABLE3}
        out = []
        for T in self.T:
            f: BTKFit = self.fits[float(T)]
            line = []
            for k in (1, 2):
                e = f.stderr.get(f"delta{k}")
                line.append((f.values[f"delta{k}"] - rows[float(T)][4 + k]) / e if e else np.nan)
            out.append(line)
        return np.array(out)


def table3_refits(bias_mV=None, noise=0.004, seed=2025, starts=4, rows=None):
    """Synthesize a two-s-wave spectrum for each row of :data:`TABLE3` and refit it with :func:`fit`.

    Each spectrum uses w1 = 0.5 and Gaussian noise of standard deviation
    ``noise``; the fit uses ``sigma=noise`` and the row's temperature.

    Parameters
    ----------
    bias_mV : array_like of float, optional
        Bias in mV (default 321 points in [-80, 80] mV).
    noise : float, optional
        Noise of the normalized conductance (dimensionless, > 0).
    seed : int, optional
        Seed (>= 0) of the noise.
    starts : int, optional
        Starts of each fit (1..200).
    rows : sequence of int, optional
        Row indices of :data:`TABLE3` (default all).

    Returns
    -------
    Table3Refits
        Bias, temperatures, spectra and fits.

    Raises
    ------
    TypeError, ValueError
        For bad arguments.

    Examples
    --------
    >>> r = table3_refits(np.linspace(-80, 80, 161), starts=1, rows=[8])
    >>> r.fits[40.0].stderr["delta2"] > 1.0        # at 40 K the small gap is poorly pinned
    True
    """
    bias = np.linspace(-80, 80, 321) if bias_mV is None else check.real_array("bias_mV", bias_mV, ndim=1)
    noise = check.positive("noise", noise, 1.0)
    seed = check.integer("seed", seed, 0)
    if rows is not None:
        check.instance("rows", rows, (list, tuple, range, np.ndarray), "a sequence of row indices")
    if rows is None:
        table = TABLE3
    else:
        idx = [check.integer("rows[i]", r, -len(TABLE3), len(TABLE3) - 1) for r in rows]
        table = TABLE3[idx]
    rng = np.random.default_rng(seed)
    spectra, fits = {}, {}
    for row in table:
        T = float(row[0])
        y = conductance_multi(bias, table3_gaps(T, w1=0.5), T) + rng.normal(0, noise, bias.size)
        spectra[T] = y
        fits[T] = fit(bias, y, T=T, sigma=noise, starts=starts)
    return Table3Refits(bias, np.array(sorted(spectra)), spectra, fits, noise)


def table3_gap_temperature(a=1.74):
    """BCS-like fits of the Table 3 gaps Delta1(T) and Delta2(T) (Guo et al. Fig. 3b).

    Parameters
    ----------
    a : float, optional
        Dimensionless shape constant of :func:`nickelates.btk.gap_bcs`.

    Returns
    -------
    tuple of GapTemperatureFit
        The fits of Delta1 and of Delta2 (meV, K).

    Raises
    ------
    nickelates.errors.ConvergenceError
        If a fit gives no covariance.

    Examples
    --------
    >>> d1, d2 = table3_gap_temperature()
    >>> round(d1.Tc, 1), round(d1.ratio, 2), round(d2.Tc, 1)
    (67.6, 7.88, 67.0)
    """
    fits: tuple[GapTemperatureFit, ...] = tuple(fit_gap_temperature(TABLE3[:, 0], TABLE3[:, col], a=a)
                                                 for col in (5, 6))
    return fits
