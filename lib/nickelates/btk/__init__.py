"""Andreev-reflection (BTK / Tanaka-Kashiwaya) spectroscopy: model, fits, files (chapter 4).

Units: energies, gaps and broadenings in **meV**, bias in **mV**, temperatures
in **K** (SI units in :mod:`~nickelates.btk.estimates`).

Submodules
----------
``model``
    The conductance: :class:`Gap`, :func:`intrinsic_conductance`,
    :func:`conductance`, :func:`conductance_multi`, the plain-NumPy
    :func:`conductance_reference`, the textbook :func:`btk_amplitudes` /
    :func:`btk_coefficients`, :func:`dynes_dos`, the smearing grid
    (:func:`energy_grid_step`, :func:`smearing_grid`), :func:`dwave_orientation`,
    the spin-split DOS :func:`spin_split_dos` (``model="zeeman"``), the superconducting
    tip (``model="sis"``) and the lock-in instrument function (``lockin_mV``, :func:`lockin_nodes`).
``normalization``
    :func:`normalize` by a polynomial normal-state background.
    Options of the conductance: spin ``polarization`` (Mazin / Strijkers),
    ``model="dynes"`` (tunnel limit), ``series_resistance`` (R_s / R_N),
    ``bias_offset`` (mV); Gamma = 0 at T > 0 is smeared with singularity-aware panels.
``fitting``
    :func:`fit` (multi-start lmfit, :class:`BTKFit`; ``n_gaps="auto"`` by BIC,
    optional P, T, Rs, V0; ``determined``/``problems``), :func:`initial_guess`,
    :func:`multistart`, :func:`parameter_names`, :func:`gaps_from_values`,
    :func:`correlation_matrix`.
``series``
    :func:`fit_series` (:class:`SeriesFit`): joint fit of a temperature series
    (shared barrier and weights, BCS-like or free gaps; Delta_i(0), Tc, 2 Delta/k_B Tc).
``temperature``
    :func:`gap_bcs`, :func:`fit_gap_temperature`, :class:`GapTemperatureFit`.
``paper``
    Guo et al.'s :data:`NB_CALIBRATION` and :data:`TABLE3` with the chapter's
    analyses (:func:`nb_calibration_spectra`, :func:`table3_gaps`,
    :func:`table3_refits`, :func:`table3_gap_temperature`).
``io``
    :func:`read_spectrum` of text files (:class:`Spectrum`, :class:`SpectrumFileError`).
``estimates``
    SI side estimates: coherence length, mean free path, Sharvin resistance/radius.
``polarization``
    Spin polarization of real point contacts: known superconductors
    (:data:`SUPERCONDUCTORS`, BCS-like Delta(T)), constrained polarized fits
    (:func:`fit_contact`), :func:`profile_likelihood`, the Z -> 0
    :func:`extrapolate_polarization`, emcee posteriors (:func:`sample_posterior`).

Every name is importable from ``nickelates.btk`` itself (the import paths of
the former single module keep working).

Examples
--------
>>> from nickelates import btk
>>> btk.conductance([0.0], 1.0, 0.0, 0.0, 0.0)        # perfect Andreev reflection
array([2.])
"""
from __future__ import annotations

from .estimates import coherence_length_from_hc2, mean_free_path, sharvin_radius, sharvin_resistance
from .fitting import (MAX_STARTS, Z_FIT_MAX, BTKFit, background_start, correlation_matrix, fit,
                      gaps_from_values, initial_guess, multistart, parameter_names)
from .io import BIAS_UNITS, MIN_PLAUSIBLE_MV, Spectrum, SpectrumFileError, read_spectrum
from .model import (DELTA_MAX, GAMMA_MAX, H_MAX, K_B_MEV_PER_K, LOCKIN_MAX, MAX_GRID, MODELS, RS_MAX, T_MAX,
                    Z_MAX, ZETA_MAX, DwaveOrientation, Gap, btk_amplitudes, btk_coefficients, check_gaps,
                    conductance, conductance_multi, conductance_reference, dwave_orientation, dynes_dos,
                    energy_grid_step, intrinsic_conductance, lockin_nodes, smear_thermally, smearing_grid,
                    spin_split_dos, trajectory_conductance)
from .normalization import NormalizedSpectrum, normalize
from .paper import (NB_CALIBRATION, TABLE3, NbCalibration, Table3Refits, nb_calibration_spectra,
                    table3_gap_temperature, table3_gaps, table3_refits)
from .polarization import (POLARIZED_PARAMETERS, SUPERCONDUCTORS, PosteriorSample, Profile, Superconductor,
                           ZExtrapolation, extrapolate_polarization, fit_contact, profile_likelihood,
                           sample_posterior, superconductor, synthetic_contacts)
from .series import SeriesFit, fit_series
from .temperature import GapTemperatureFit, fit_gap_temperature, gap_bcs

__all__ = [
    # model
    "K_B_MEV_PER_K", "Gap", "conductance", "conductance_multi", "intrinsic_conductance",
    "conductance_reference", "btk_coefficients", "btk_amplitudes", "dynes_dos", "energy_grid_step",
    "smearing_grid", "check_gaps", "DwaveOrientation", "dwave_orientation",
    "DELTA_MAX", "GAMMA_MAX", "Z_MAX", "T_MAX", "MAX_GRID", "trajectory_conductance", "smear_thermally",
    "RS_MAX", "MODELS", "H_MAX", "ZETA_MAX", "LOCKIN_MAX", "spin_split_dos", "lockin_nodes",
    # normalization
    "normalize", "NormalizedSpectrum",
    # fitting
    "fit", "BTKFit", "initial_guess", "multistart", "parameter_names", "gaps_from_values",
    "correlation_matrix", "MAX_STARTS", "Z_FIT_MAX", "background_start",
    # series
    "fit_series", "SeriesFit",
    # temperature
    "gap_bcs", "fit_gap_temperature", "GapTemperatureFit",
    # paper
    "TABLE3", "NB_CALIBRATION", "table3_gaps", "Table3Refits", "table3_refits", "table3_gap_temperature",
    "NbCalibration", "nb_calibration_spectra",
    # io
    "read_spectrum", "Spectrum", "SpectrumFileError", "BIAS_UNITS", "MIN_PLAUSIBLE_MV",
    # estimates
    "coherence_length_from_hc2", "mean_free_path", "sharvin_radius", "sharvin_resistance",
    # polarization
    "Superconductor", "SUPERCONDUCTORS", "superconductor", "fit_contact", "Profile", "profile_likelihood",
    "ZExtrapolation", "extrapolate_polarization", "synthetic_contacts", "PosteriorSample", "sample_posterior",
    "POLARIZED_PARAMETERS",
]
