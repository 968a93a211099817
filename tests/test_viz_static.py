"""The static HTML book's side of the explorers and frame sliders (issue 26).

While the book is built (``NICKELATES_STATIC_BOOK=1``) an explorer shows a
one-line note instead of its widgets, and frame sliders write their frames as
PNG files (content-addressed, at least BOOK_DPI and BOOK_MIN_WIDTH_PX) that
the page loads only when the slider reaches them.
"""
from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest

from nickelates.viz import explorer as E
from nickelates.viz import frames as F


def _render(a, b=0.0):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [b, a])
    return fig


@pytest.fixture
def static(monkeypatch, tmp_path):
    monkeypatch.setenv(E.STATIC_BOOK_ENV, "1")
    monkeypatch.setattr(F, "_frames_dir", lambda: tmp_path / "frames")
    return tmp_path / "frames"


def test_not_static_by_default(monkeypatch):
    monkeypatch.delenv(E.STATIC_BOOK_ENV, raising=False)
    assert not E.static_book()
    fs = F.slider_frames(_render, [1, 2], dpi=30)
    assert not fs.images[0].endswith(".png")            # base64 in a notebook
    assert "data:image/png;base64," in fs._repr_html_()


def test_frames_are_files_loaded_on_demand(static):
    fs = F.slider_frames(_render, [1, 2, 2], label="a = {}", dpi=30)
    assert all(u.startswith(F.BOOK_FRAMES_URL) and u.endswith(".png") for u in fs.images)
    assert fs.images[1] == fs.images[2]                   # same figure, same file
    files = sorted(static.glob("*.png"))
    assert len(files) == 2 and not list(static.glob(".*"))
    from PIL import Image

    width = Image.open(files[0]).size[0]
    assert width >= F.BOOK_MIN_WIDTH_PX, width
    html = fs._repr_html_()
    assert "base64" not in html
    assert len(re.findall(r'\ssrc="', html)) == 1 and len(re.findall(r'data-src="', html)) == 2


def test_2d_frames_first_only(static):
    fs = F.slider_frames_2d(_render, [1, 2], [0, 1], dpi=30)
    html = fs._repr_html_()
    assert len(re.findall(r'\ssrc="', html)) == 1 and len(re.findall(r'data-src="', html)) == 3


def test_explorer_shows_a_note_in_the_static_book(static, monkeypatch):
    import ipywidgets as W

    class Square(E.Explorer):
        def __init__(self):
            self.sliders = {"x": W.FloatSlider(value=2.0, min=0, max=5)}
            self._build(self.sliders.values(), lambda status, out: W.VBox([*self.sliders.values(), out]))

        def compute(self):
            return {"y": self.sliders["x"].value ** 2}

        def figure(self, data):
            return _render(data["y"])

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    e = Square()
    e.sliders["x"].value = 3.0
    assert e.data["y"] == 9.0                             # still computes (the chapters check it)
    e._ipython_display_()
    assert len(shown) == 1 and 'class="explorer-note"' in shown[0].data and "make lab" in shown[0].data
