"""Bad arguments of the figure functions and explorers (issue 25 item 4; fuzz findings F-02, F-41..F-123).

Each public function of ``nickelates.viz`` that the fuzz found drawing with an unchecked argument
(an ``ax`` that is a number, a dict of results without its keys, a slider start value that is a
string) gets one wrong-type case (``TypeError`` naming the argument) and, where it has a value to
check, one wrong-value case (``ValueError`` naming the argument and what is allowed), instead of an
``AttributeError``/``KeyError``/``IndexError``/``TraitError`` from inside matplotlib, xarray or
ipywidgets. The inputs are small hand-made objects; no solver runs.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

from nickelates import bands as B
from nickelates import btk
from nickelates import couplings
from nickelates.book import md_table
from nickelates.viz import _check
from nickelates.viz import bands as vb
from nickelates.viz import btk as vbtk
from nickelates.viz import couplings as vc
from nickelates.viz import eliashberg as ve
from nickelates.viz import gapmap as vg
from nickelates.viz import mixd as vm
from nickelates.viz import mixd_exact as vmx
from nickelates.viz import pairing as vp
from nickelates.viz import tunneling as vt


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _grid_maps():
    """A 1 x 2 pixel grid (y, x, bias) and maps with delta1 and ok: enough for the checks."""
    bias = np.linspace(-5.0, 5.0, 11)
    grid = xr.DataArray(np.ones((1, 2, bias.size)), dims=("y", "x", "bias"), coords={"bias": bias})
    maps = xr.Dataset({"delta1": (("y", "x"), np.array([[0.9, 1.1]])), "ok": (("y", "x"), np.ones((1, 2), bool))})
    return grid, maps


def _sheet():
    return [dict(theta=[0, 45], bcs=[1.5, 1.0], eliashberg=[1.3, 1.0])]


def _contact():
    prof = {"values": [0.3, 0.4, 0.5], "delta_chi2": [4.0, 0.0, 4.0], "others": {"gamma1": [1, 2, 3]}}
    return {"file": "x.csv", "profiles": {"free:P": prof}, "mcmc": {"free": {"samples": {"P": [0.4, 0.41]}}}}


BIAS = np.linspace(-40.0, 40.0, 21)

# name -> (call with a wrong type, the argument named in the message)
WRONG_TYPE = {
    "bands.plot_bands": (lambda: vb.plot_bands(B.PAPER_V3, ax=0.5), "ax"),
    "bands.plot_fermi_surfaces": (lambda: vb.plot_fermi_surfaces(B.PAPER_V3, ax="abc"), "ax"),
    "bands.plot_dos_ratio": (lambda: vb.plot_dos_ratio(B.dos_vs_filling([0.4, 0.5]), ax=object()), "ax"),
    "bands.plot_weighted_dos": (lambda: vb.plot_weighted_dos(B.dos_vs_filling([0.4, 0.5]), ax=1e300), "ax"),
    "bands.BandExplorer": (lambda: vb.BandExplorer(n_c="abc"), "n_c"),
    "btk.plot_spectrum": (lambda: vbtk.plot_spectrum(BIAS, btk.table3_gaps(3.0), 3.0, ax={}), "ax"),
    "btk.BTKExplorer": (lambda: vbtk.BTKExplorer(bias=BIAS, delta1="abc"), "delta1"),
    "btk.figure_model_comparison": (lambda: vbtk.figure_model_comparison([1, 2]), "mc"),
    "btk.figure_polarization_contact": (lambda: vbtk.figure_polarization_contact(_contact(), "ab"),
                                        "literature_P"),
    "btk.figure_z_extrapolation": (lambda: vbtk.figure_z_extrapolation("abc"), "synthetic"),
    "couplings.figure_chain": (lambda: vc.figure_chain(couplings.from_band_shifts(0.4), summary=[1]), "summary"),
    "couplings.figure_error_scaling": (lambda: vc.figure_error_scaling([1]), "data"),
    "couplings.CouplingsExplorer": (lambda: vc.CouplingsExplorer(U={}), "U"),
    "eliashberg.figure_tc_comparison": (lambda: ve.figure_tc_comparison([0.3, 0.4], [100, 300], 2.0),
                                        "tc_eliashberg"),
    "eliashberg.figure_gap_functions": (lambda: ve.figure_gap_functions(0.5), "state"),
    "eliashberg.figure_stm": (lambda: ve.figure_stm({}, BIAS, np.ones(21)), "state"),
    "eliashberg.figure_gap_vs_T": (lambda: ve.figure_gap_vs_T([10, 50], None, 70.0), "gaps_meV"),
    "eliashberg.figure_anisotropy": (lambda: ve.figure_anisotropy([0, 0.75], [300, 600], [70, 140], "abc"),
                                     "sheets"),
    "eliashberg.figure_state": (lambda: ve.figure_state(None, BIAS, np.ones(21)), "state"),
    "eliashberg.EliashbergExplorer": (lambda: ve.EliashbergExplorer(lam=np.zeros(2)), "lam"),
    "gapmap.map_figure": (lambda: vg.map_figure(_grid_maps()[1], name=1.0), "name"),
    "gapmap.pixel_figure": (lambda: vg.pixel_figure(*_grid_maps(), "abc", 0), "iy"),
    "gapmap.pixel_frames": (lambda: vg.pixel_frames(*_grid_maps(), "abc"), "pixels"),
    "gapmap.figure_gap_recovery": (lambda: vg.figure_gap_recovery(object()), "cases"),
    "gapmap.PixelExplorer": (lambda: vg.PixelExplorer(_grid_maps()[0], {}), "maps"),
    "mixd.figure_phase_map_2d": (lambda: vm.figure_phase_map_2d(np.zeros((2, 2))), "dmap"),
    "mixd_exact.plot_profiles": (lambda: vmx.plot_profiles([0.1, 0.2], [0.3, 0.4], ax="abc"), "ax"),
    "mixd_exact.render_profile_frame": (lambda: vmx.render_profile_frame([1]), "point"),
    "pairing.plot_ratio_vs_dos": (lambda: vp.plot_ratio_vs_dos(ax=-1.0), "ax"),
    "pairing.figure_fig4_right": (lambda: vp.figure_fig4_right("abc"), "comparisons"),
    "pairing.figure_fig4": (lambda: vp.figure_fig4(B.dos_vs_filling([0.4, 0.5]), {}), "comparisons"),
    "pairing.PairingExplorer": (lambda: vp.PairingExplorer(kappa_a="abc"), "kappa_a"),
    "tunneling.figure_kappa_scan": (lambda: vt.figure_kappa_scan([0.5]), "scans"),
    "tunneling.SpectraExplorer": (lambda: vt.SpectraExplorer(r=object()), "r"),
    "book.md_table": (lambda: md_table(["a"], [[1.5]], fmt=np.zeros((1, 1))), "fmt"),
}

# name -> (call with a wrong value, the argument named in the message)
WRONG_VALUE = {
    "bands.BandExplorer": (lambda: vb.BandExplorer(n_c=7.0), "n_c"),
    "btk.BTKExplorer": (lambda: vbtk.BTKExplorer(bias=BIAS, Z=-1.0), "Z"),
    "btk.figure_model_comparison": (lambda: vbtk.figure_model_comparison({"G": [1.0]}), "mc"),
    "btk.figure_polarization_contact": (lambda: vbtk.figure_polarization_contact(_contact(), (0.1, 0.2, 0.3)),
                                        "literature_P"),
    "btk.figure_z_extrapolation": (lambda: vbtk.figure_z_extrapolation({}), "synthetic"),
    "couplings.figure_chain": (lambda: vc.figure_chain(couplings.from_band_shifts(0.4), summary={}), "summary"),
    "couplings.figure_error_scaling": (lambda: vc.figure_error_scaling({"t": [1.0]}), "data"),
    "couplings.CouplingsExplorer": (lambda: vc.CouplingsExplorer(E_a=float("nan")), "E_a"),
    "eliashberg.figure_tc_comparison": (lambda: ve.figure_tc_comparison([0.3, 0.4], [100, 300], {"a": [1.0]}),
                                        "tc_eliashberg"),
    "eliashberg.figure_gap_vs_T": (lambda: ve.figure_gap_vs_T([10, 50], [[10, 5], [6, 3]], -70.0), "Tc_K"),
    "eliashberg.figure_anisotropy": (lambda: ve.figure_anisotropy([0, 0.75], [300, 600], [70, 140], []),
                                     "sheets"),
    "eliashberg.EliashbergExplorer": (lambda: ve.EliashbergExplorer(omega_t_meV=1e4), "omega_t_meV"),
    "gapmap.map_figure": (lambda: vg.map_figure(_grid_maps()[1], name="delta9"), "name"),
    "gapmap.pixel_figure": (lambda: vg.pixel_figure(*_grid_maps(), 0, 5), "ix"),
    "gapmap.pixel_frames": (lambda: vg.pixel_frames(*_grid_maps(), []), "pixels"),
    "gapmap.figure_gap_recovery": (lambda: vg.figure_gap_recovery({}), "cases"),
    "gapmap.PixelExplorer": (lambda: vg.PixelExplorer(*_grid_maps(), name="nope"), "name"),
    "mixd.figure_phase_map_2d": (lambda: vm.figure_phase_map_2d({"J_values": [1.0]}), "dmap"),
    "mixd_exact.plot_profiles": (lambda: vmx.plot_profiles([0.1], [0.3, 0.4]), "cc"),
    "mixd_exact.render_profile_frame": (lambda: vmx.render_profile_frame({"L": 4}), "point"),
    "pairing.figure_fig4_right": (lambda: vp.figure_fig4_right([]), "comparisons"),
    "pairing.PairingExplorer": (lambda: vp.PairingExplorer(lam=5.0), "lam"),
    "tunneling.figure_kappa_scan": (lambda: vt.figure_kappa_scan([]), "scans"),
    "tunneling.SpectraExplorer": (lambda: vt.SpectraExplorer(kappa=-0.5), "kappa"),
    "book.md_table": (lambda: md_table(["a"], [[1.5]], fmt=["{:d}"]), "fmt"),
}


@pytest.mark.parametrize("name", sorted(WRONG_TYPE))
def test_wrong_type_is_a_type_error_naming_the_argument(name):
    call, arg = WRONG_TYPE[name]
    with pytest.raises(TypeError, match=arg):
        call()


@pytest.mark.parametrize("name", sorted(WRONG_VALUE))
def test_wrong_value_is_a_value_error_naming_the_argument(name):
    call, arg = WRONG_VALUE[name]
    with pytest.raises(ValueError, match=arg):
        call()


def test_start_value_error_states_the_slider_range():
    with pytest.raises(ValueError, match=r"lam must lie in \[0\.15, 0\.7\], got 5\.0"):
        vp.PairingExplorer(lam=5.0)


def test_axes_sequence_needs_one_axes_per_comparison():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="axs must hold at least 2"):
        _check.axes_sequence("axs", [ax], 2)
    with pytest.raises(TypeError, match="axs"):
        _check.axes_sequence("axs", [ax, 0.5], 2)


def test_valid_calls_still_draw():
    """The checks let the documented inputs through: same panels and lines as before."""
    grid, maps = _grid_maps()
    fig = vg.map_figure(maps, pixel=(0, 1))
    assert len(fig.axes) == 3                              # map, colorbar, histogram
    assert len(fig.axes[0].lines) == 1                     # the pixel marker
    assert md_table(["a", "b"], [[1, 2.5]], ["{:d}", "{:.1f}"]).data.splitlines()[-1] == "| 1 | 2.5 |"
    ax = vmx.plot_profiles([0.1, 0.2], [0.3, 0.4])
    assert len(ax.lines) == 2
