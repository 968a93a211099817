"""Precomputed interactive frames for the static HTML book.

In the online book no kernel runs, so ipywidgets sliders cannot redraw. The
same exploration is offered as a set of figures rendered in advance, embedded
as PNG images, with an HTML range slider that swaps them in the browser.
The output is plain HTML + a few lines of inline JavaScript: no CDN, works
offline, and degrades to the first frame when JavaScript is off.
"""
from __future__ import annotations

import base64
import html
import io
import uuid

import matplotlib.pyplot as plt

__all__ = ["FrameSlider", "slider_frames"]


class FrameSlider:
    """HTML slider over pre-rendered frames; displays itself in Jupyter.

    Parameters
    ----------
    images : list of str
        Base64-encoded PNG images, one per frame.
    labels : list of str
        Slider label of each frame (as many as ``images``).
    title : str
        Heading shown above the slider.

    Raises
    ------
    ValueError
        If ``images`` is empty or ``labels`` has a different length.

    Examples
    --------
    >>> fs = FrameSlider(["iVBORw0KGgo="], ["x = 1"], "demo")
    >>> "frame-slider" in fs._repr_html_()
    True
    """

    def __init__(self, images: list[str], labels: list[str], title: str):
        if not images or len(images) != len(labels):
            raise ValueError(f"images and labels must be non-empty and of equal length, "
                             f"got {len(images)} images and {len(labels)} labels")
        self.images = images
        self.labels = labels
        self.title = title

    def _repr_html_(self) -> str:
        uid = "fs" + uuid.uuid4().hex[:10]
        n = len(self.images)
        imgs = "".join(
            f'<img class="fs-frame" data-i="{i}" alt="{html.escape(self.title)}: {html.escape(lab)}" '
            f'src="data:image/png;base64,{img}" style="max-width:100%;display:{"block" if i == 0 else "none"}"/>'
            for i, (img, lab) in enumerate(zip(self.images, self.labels))
        )
        labels = "[" + ",".join('"' + html.escape(l).replace('"', "&quot;") + '"' for l in self.labels) + "]"
        return (
            f'<div class="frame-slider" id="{uid}">'
            f'<div style="font-weight:600">{html.escape(self.title)}</div>'
            f'<input type="range" min="0" max="{n - 1}" value="0" step="1" style="width:60%" '
            f'aria-label="{html.escape(self.title)}"/> '
            f'<span class="fs-label">{html.escape(self.labels[0])}</span>'
            f"{imgs}"
            "<script>(function(){"
            f'var r=document.getElementById("{uid}");var L={labels};'
            'var s=r.querySelector("input");var lab=r.querySelector(".fs-label");'
            'var f=r.querySelectorAll(".fs-frame");'
            's.addEventListener("input",function(){var k=+s.value;'
            'for(var i=0;i<f.length;i++){f[i].style.display=(i===k)?"block":"none";}'
            "lab.innerHTML=L[k];});})();</script></div>"
        )


def _png(fig, dpi) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def slider_frames(render, values, *, label="{}", title="", dpi=72) -> FrameSlider:
    """Render ``render(value) -> matplotlib Figure`` for each value.

    Parameters
    ----------
    render : callable
        Returns a new matplotlib figure for one parameter value.
    values : sequence
        Parameter values, one frame each (keep it to ~10-20 frames).
    label : str
        Format string for the slider label, e.g. ``"n_c = {:.2f}"``.
    title : str
        Heading shown above the slider.
    dpi : int
        Resolution of the embedded PNGs in dots per inch (72 keeps pages small).

    Returns
    -------
    FrameSlider
        Displays as HTML with a range slider that swaps the frames.

    Raises
    ------
    TypeError
        If ``render`` is not callable or ``dpi`` is not an integer.
    ValueError
        If ``values`` is empty or ``dpi`` is outside [10, 600].

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> def render(a):
    ...     fig, ax = plt.subplots()
    ...     ax.plot([0, 1], [0, a])
    ...     return fig
    >>> fs = slider_frames(render, [1, 2], label="a = {}", title="slope")
    >>> fs.labels
    ['a = 1', 'a = 2']
    """
    from .. import _validate as check

    if not callable(render):
        raise TypeError(f"render must be callable, got {type(render).__name__}")
    dpi = check.integer("dpi", dpi, 10, 600)
    values = list(values)
    if not values:
        raise ValueError("values must contain at least one parameter value")
    images = [_png(render(v), dpi) for v in values]
    return FrameSlider(images, [label.format(v) for v in values], title)
