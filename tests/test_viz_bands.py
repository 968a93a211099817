"""The chapter-1 explorer and static frames, driven like a reader would."""
import pytest

from nickelates import bands as B
from nickelates.viz import bands as vb
from nickelates.viz.frames import FrameSlider, slider_frames


def test_explorer_redraws_on_slider_change():
    e = vb.explorer(B.PAPER_V3, n_c=0.45)
    assert abs(sum(e.data["fillings"]) - 0.45) < 1e-9
    e.sliders["n_c"].value = 0.6
    assert abs(sum(e.data["fillings"]) - 0.6) < 1e-9
    mu_before = e.data["params"]["mu"]
    e.sliders["eps_a"].value = 0.6                     # stronger alpha shift at fixed density
    assert abs(sum(e.data["fillings"]) - 0.6) < 1e-9
    assert e.data["params"]["eps_a"] == pytest.approx(0.6)
    assert e.data["params"]["mu"] != mu_before
    xa_X, xb_X = e.data["energies"]["X"]
    assert xa_X - xb_X == pytest.approx(4 * (0.6 - B.PAPER_V3.eps_b))


def test_explorer_mu_mode_and_bad_state():
    e = vb.explorer()
    e.control.value = "mu"
    e.sliders["mu"].value = -0.65
    assert e.data["params"]["mu"] == pytest.approx(-0.65)
    assert sum(e.data["fillings"]) == pytest.approx(sum(B.fillings(B.PAPER_V3)), abs=1e-9)


def test_slider_frames_html():
    import matplotlib.pyplot as plt

    def render(v):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, v])
        return fig

    fs = slider_frames(render, [1, 2, 3], label="v = {}", title="demo")
    assert isinstance(fs, FrameSlider)
    html = fs._repr_html_()
    assert html.count("<img") == 3 and 'type="range"' in html and "v = 2" in html
    with pytest.raises(ValueError, match="values"):
        slider_frames(render, [])
