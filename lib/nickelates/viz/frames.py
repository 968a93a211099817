"""Precomputed interactive frames for the static HTML book.

In the online book no kernel runs, so ipywidgets sliders cannot redraw. The
same exploration is offered as a set of figures rendered in advance, with an
HTML range slider that swaps them in the browser. The output is plain HTML + a
few lines of inline JavaScript: no CDN, works offline, and degrades to the
first frame when JavaScript is off.

Where the frames go:

* in a notebook (Jupyter, the course export) they are embedded PNGs (base64);
* while the HTML book is built (``make book`` sets ``NICKELATES_STATIC_BOOK=1``,
  see :func:`nickelates.viz.explorer.static_book`) each frame is a PNG file in
  ``.cache/book-static/frames/`` (content-addressed names; Sphinx copies the
  folder to ``_static/frames/``), drawn at least :data:`BOOK_DPI` dpi and
  :data:`BOOK_MIN_WIDTH_PX` pixels wide, and only the first frame is loaded
  when the page opens: the others are fetched when the slider reaches them.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import io
import uuid

import matplotlib.pyplot as plt

__all__ = ["FrameSlider", "FrameSlider2D", "slider_frames", "slider_frames_2d", "BOOK_DPI", "BOOK_MIN_WIDTH_PX",
           "BOOK_FRAMES_URL"]

#: least resolution (dots per inch) of the frames of the HTML book
BOOK_DPI = 110
#: least width (pixels) of a frame of the HTML book
BOOK_MIN_WIDTH_PX = 720
#: URL of the frames folder as seen from a chapter page (chapters live in ``book/``)
BOOK_FRAMES_URL = "../_static/frames/"


def _frames_dir():
    from .. import paths

    return paths.repo_root() / ".cache" / "book-static" / "frames"


def _src(image: str) -> str:
    """The ``src`` of a frame: a URL/path as is (static book), else a base64 PNG as a data URI."""
    return image if image.endswith(".png") else f"data:image/png;base64,{image}"


def _img(cls_index: str, alt: str, image: str, shown: bool) -> str:
    """One frame: the first one shown gets ``src``, the others ``data-src`` (loaded when reached)."""
    attr = "src" if shown else "data-src"
    return (f'<img class="fs-frame" data-i="{cls_index}" alt="{alt}" {attr}="{_src(image)}" '
            f'style="max-width:100%;display:{"block" if shown else "none"}"/>')


#: JavaScript that shows frame k of the frames f (loading it first if needed)
_SHOW_JS = ('function fsShow(f,k){for(var i=0;i<f.length;i++){var e=f[i];'
            'if(i===k&&!e.getAttribute("src")){e.setAttribute("src",e.dataset.src);}'
            'e.style.display=(i===k)?"block":"none";}}')


class FrameSlider:
    """HTML slider over pre-rendered frames; displays itself in Jupyter.

    Parameters
    ----------
    images : list of str
        One per frame: a base64-encoded PNG, or the URL of a PNG file (ending in ``.png``).
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
        imgs = "".join(_img(str(i), f"{html.escape(self.title)}: {html.escape(lab)}", img, i == 0)
                       for i, (img, lab) in enumerate(zip(self.images, self.labels)))
        labels = "[" + ",".join('"' + html.escape(l).replace('"', "&quot;") + '"' for l in self.labels) + "]"
        return (
            f'<div class="frame-slider" id="{uid}">'
            f'<div style="font-weight:600">{html.escape(self.title)}</div>'
            f'<input type="range" min="0" max="{n - 1}" value="0" step="1" style="width:60%" '
            f'aria-label="{html.escape(self.title)}"/> '
            f'<span class="fs-label">{html.escape(self.labels[0])}</span>'
            f"{imgs}"
            "<script>(function(){" + _SHOW_JS +
            f'var r=document.getElementById("{uid}");var L={labels};'
            'var s=r.querySelector("input");var lab=r.querySelector(".fs-label");'
            'var f=r.querySelectorAll(".fs-frame");'
            's.addEventListener("input",function(){var k=+s.value;fsShow(f,k);'
            "lab.innerHTML=L[k];});})();</script></div>"
        )


def _png(fig, dpi) -> str:
    """The frame of ``fig``: base64 PNG in a notebook, a file's URL while the HTML book is built."""
    from .explorer import static_book

    if not static_book():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        plt.close(fig)
        return base64.b64encode(buf.getvalue()).decode("ascii")
    pad = 0.1
    width_in = fig.get_tightbbox(fig.canvas.get_renderer()).width + 2 * pad    # what "tight" keeps
    dpi = max(dpi, BOOK_DPI, (BOOK_MIN_WIDTH_PX + 1) / width_in)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=pad,
                metadata={"Software": None})          # no version string: same figure, same bytes
    plt.close(fig)
    data = buf.getvalue()
    name = hashlib.sha256(data).hexdigest()[:20] + ".png"
    folder = _frames_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.exists():                 # content-addressed: an existing file is this frame
        from .. import _atomic

        with contextlib.suppress(FileExistsError):      # written meanwhile by another kernel: the same bytes
            _atomic.write_bytes(target, data, force=False)
    return BOOK_FRAMES_URL + name


def _strings(**named):
    """Every argument is a str (``TypeError`` naming it otherwise)."""
    for name, value in named.items():
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__} {value!r:.40}")


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
        Resolution of the embedded PNGs of a notebook in dots per inch (72 keeps
        notebooks small); the HTML book draws at least :data:`BOOK_DPI` and
        :data:`BOOK_MIN_WIDTH_PX`.

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
    _strings(label=label, title=title)
    values = list(values)
    if not values:
        raise ValueError("values must contain at least one parameter value")
    images = [_png(render(v), dpi) for v in values]
    return FrameSlider(images, [label.format(v) for v in values], title)


class FrameSlider2D:
    """Two HTML sliders over a 2D grid of pre-rendered frames; displays itself in Jupyter.

    Parameters
    ----------
    images : list of list of str
        Base64-encoded PNG images or URLs of PNG files, ``images[i][j]`` for ``xs[i]``, ``ys[j]``.
    x_labels, y_labels : list of str
        Slider labels of the grid's rows and columns.
    title : str
        Heading shown above the sliders.
    x_name, y_name : str
        Names of the two sliders (their accessible labels).

    Raises
    ------
    ValueError
        If the grid is empty, ragged, or the labels do not match its shape.

    Examples
    --------
    >>> fs = FrameSlider2D([["iVBORw0KGgo=", "iVBORw0KGgo="]], ["a = 1"], ["b = 1", "b = 2"], "demo")
    >>> html = fs._repr_html_()
    >>> html.count('type="range"'), "frame-slider-2d" in html
    (2, True)
    """

    def __init__(self, images, x_labels, y_labels, title: str, x_name: str = "x", y_name: str = "y"):
        if not images or any(len(row) != len(y_labels) for row in images) or len(images) != len(x_labels) \
                or not y_labels:
            raise ValueError(f"images must be a non-empty {len(x_labels)} x {len(y_labels)} grid matching "
                             f"x_labels and y_labels, got {len(images)} rows")
        self.images, self.x_labels, self.y_labels = images, list(x_labels), list(y_labels)
        self.title, self.x_name, self.y_name = title, x_name, y_name

    def _repr_html_(self) -> str:
        uid = "fs" + uuid.uuid4().hex[:10]
        nx, ny = len(self.x_labels), len(self.y_labels)
        esc = html.escape
        imgs = "".join(_img(str(i * ny + j), f"{esc(self.title)}: {esc(xl)}, {esc(yl)}", self.images[i][j],
                            i == j == 0)
                       for i, xl in enumerate(self.x_labels) for j, yl in enumerate(self.y_labels))

        def js_list(labels):
            return "[" + ",".join('"' + esc(l).replace('"', "&quot;") + '"' for l in labels) + "]"

        def slider(axis, n, name, label):
            return (f'<div><input type="range" class="fs-{axis}" min="0" max="{n - 1}" value="0" step="1" '
                    f'style="width:50%" aria-label="{esc(self.title)}: {esc(name)}"/> '
                    f'<span class="fs-label fs-label-{axis}">{esc(label)}</span></div>')

        return (
            f'<div class="frame-slider frame-slider-2d" id="{uid}">'
            f'<div style="font-weight:600">{esc(self.title)}</div>'
            + slider("x", nx, self.x_name, self.x_labels[0]) + slider("y", ny, self.y_name, self.y_labels[0])
            + imgs
            + "<script>(function(){" + _SHOW_JS +
            f'var r=document.getElementById("{uid}");var LX={js_list(self.x_labels)};'
            f'var LY={js_list(self.y_labels)};var ny={ny};'
            'var sx=r.querySelector(".fs-x"),sy=r.querySelector(".fs-y");'
            'var lx=r.querySelector(".fs-label-x"),ly=r.querySelector(".fs-label-y");'
            'var f=r.querySelectorAll(".fs-frame");'
            'function show(){var k=(+sx.value)*ny+(+sy.value);fsShow(f,k);'
            'lx.innerHTML=LX[+sx.value];ly.innerHTML=LY[+sy.value];}'
            'sx.addEventListener("input",show);sy.addEventListener("input",show);})();</script></div>'
        )


def slider_frames_2d(render, xs, ys, *, x_label="{}", y_label="{}", title="", x_name="x", y_name="y",
                     dpi=60) -> FrameSlider2D:
    """Render ``render(x, y) -> matplotlib Figure`` on a small grid, shown with two sliders.

    Parameters
    ----------
    render : callable
        Returns a new matplotlib figure for one pair of parameter values.
    xs, ys : sequence
        Values of the two parameters; ``len(xs) * len(ys)`` frames (at most 64, to keep
        the page light: each frame is one embedded PNG).
    x_label, y_label : str
        Format strings of the two slider labels, e.g. ``"λ = {:.2f}"``.
    title : str
        Heading shown above the sliders.
    x_name, y_name : str
        Names of the sliders (accessible labels).
    dpi : int
        Resolution of the embedded PNGs of a notebook in dots per inch, in [10, 600]; the
        HTML book draws at least :data:`BOOK_DPI` and :data:`BOOK_MIN_WIDTH_PX`.

    Returns
    -------
    FrameSlider2D
        Displays as HTML with two range sliders that swap the frames.

    Raises
    ------
    TypeError
        If ``render`` is not callable or ``dpi`` is not an integer.
    ValueError
        If ``xs`` or ``ys`` is empty, the grid has more than 64 frames, or ``dpi`` is out of range.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> def render(a, b):
    ...     fig, ax = plt.subplots()
    ...     ax.plot([0, 1], [b, a + b])
    ...     return fig
    >>> fs = slider_frames_2d(render, [1, 2], [0, 1, 2], x_label="a = {}", y_label="b = {}")
    >>> len(fs.images), len(fs.images[0]), fs.y_labels[-1]
    (2, 3, 'b = 2')
    """
    from .. import _validate as check

    if not callable(render):
        raise TypeError(f"render must be callable, got {type(render).__name__}")
    dpi = check.integer("dpi", dpi, 10, 600)
    _strings(x_label=x_label, y_label=y_label, title=title, x_name=x_name, y_name=y_name)
    xs, ys = list(xs), list(ys)
    if not xs or not ys:
        raise ValueError(f"xs and ys must each hold at least one value, got {len(xs)} and {len(ys)}")
    if len(xs) * len(ys) > 64:
        raise ValueError(f"the grid must have at most 64 frames (page size), got {len(xs)} x {len(ys)}")
    images = [[_png(render(x, y), dpi) for y in ys] for x in xs]
    return FrameSlider2D(images, [x_label.format(x) for x in xs], [y_label.format(y) for y in ys], title,
                         x_name, y_name)
