"""Common machinery of the chapters' ipywidgets explorers.

Every explorer of the book has the same life cycle: build some controls, an
``Output`` (and optionally a status line), observe the controls, and on every
change recompute the numbers, store them in ``.data``, and redraw a figure
into the ``Output``. :class:`Explorer` holds that cycle; a subclass supplies

* ``compute() -> dict``: the numbers of the current control values (stored in
  ``.data``; a test sets slider values and reads them);
* ``figure(data) -> matplotlib.figure.Figure``: the figure of those numbers;
* optionally ``status_html(data) -> str`` (shown under the controls when the
  explorer was built with ``status=True``) and ``errors``, a tuple of exception
  types that are reported in the status line (``.data = {"error": message}``)
  instead of raised.

and calls :meth:`Explorer._build` at the end of its ``__init__``. Figures are
displayed into the ``Output`` only under IPython (in a plain Python process
they are built, to catch errors, and closed).

In the static HTML book no kernel runs, so a live explorer could only show a
dead copy of itself (and cost every page the widget manager). While the book
is built (:func:`static_book`), an explorer displays one line pointing to the
live version instead, and draws no figure; the chapters' precomputed frame
sliders (:mod:`nickelates.viz.frames`) carry the interaction there.
"""
from __future__ import annotations

import os

import matplotlib.pyplot as plt

__all__ = ["Explorer", "in_ipython", "static_book", "STATIC_BOOK_ENV", "STATIC_NOTE"]

#: environment variable set (to ``1``) by ``make book`` while the HTML book's chapters execute
STATIC_BOOK_ENV = "NICKELATES_STATIC_BOOK"
#: what an explorer shows in the static HTML book instead of its dead widgets
STATIC_NOTE = ("Live explorer: open this chapter in Jupyter (<code>make lab</code>) to move its sliders; "
               "on this page the precomputed frame sliders show the same exploration.")


def static_book() -> bool:
    """Tell whether the code runs while the static HTML book is built.

    Returns
    -------
    bool
        True when the environment variable :data:`STATIC_BOOK_ENV` is ``1``
        (``make book`` sets it): explorers then show :data:`STATIC_NOTE` and
        frame sliders write their frames as files.

    Examples
    --------
    >>> import os
    >>> os.environ.pop(STATIC_BOOK_ENV, None) and None
    >>> static_book()
    False
    """
    return os.environ.get(STATIC_BOOK_ENV, "") == "1"


def in_ipython() -> bool:
    """Tell whether the code runs inside an IPython shell or Jupyter kernel.

    Returns
    -------
    bool
        True under IPython (figures are then displayed into the explorers' outputs).

    Examples
    --------
    >>> in_ipython()
    False
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    return get_ipython() is not None


class Explorer:
    """Base class of the chapters' explorers: controls -> ``compute()`` -> ``figure()``.

    A subclass sets ``self.sliders`` (dict name -> ipywidget), implements
    :meth:`compute` and :meth:`figure` and calls :meth:`_build`; afterwards
    ``data`` holds the numbers of the last redraw, ``widget`` the layout and
    ``out`` the figure output.

    Examples
    --------
    >>> import ipywidgets as W
    >>> import matplotlib.pyplot as plt
    >>> class Square(Explorer):
    ...     def __init__(self):
    ...         self.sliders = {"x": W.FloatSlider(value=2.0, min=0, max=5)}
    ...         self._build(self.sliders.values(), lambda status, out: W.VBox([*self.sliders.values(), out]))
    ...     def compute(self):
    ...         return {"y": self.sliders["x"].value ** 2}
    ...     def figure(self, data):
    ...         fig, ax = plt.subplots()
    ...         ax.axhline(data["y"])
    ...         return fig
    >>> e = Square()
    >>> e.sliders["x"].value = 3.0
    >>> e.data["y"]
    9.0
    """

    #: exception types shown in the status line instead of raised (needs ``status=True``)
    errors: tuple = ()

    def _build(self, controls, layout, status: bool = False):
        """Observe ``controls``, create ``out`` (and ``status``), set ``widget``, draw once.

        ``widget = layout(status, out)``.

        controls : iterable of widgets whose ``value`` changes trigger :meth:`redraw`.
        layout : callable ``(status_widget_or_None, out) -> widget`` arranging the controls.
        """
        import ipywidgets as W

        self.status = W.HTML() if status else None
        self.out = W.Output()
        self.data = {}
        for c in controls:
            c.observe(self._on_change, names="value")
        self.widget = layout(self.status, self.out)
        self.redraw()

    def values(self) -> dict:
        """Return the current slider values.

        Returns
        -------
        dict
            Slider name -> value.
        """
        return {k: s.value for k, s in self.sliders.items()}

    def compute(self) -> dict:  # pragma: no cover - abstract
        """Return the numbers for the current control values (implemented by subclasses).

        Returns
        -------
        dict
            Stored in ``data`` and passed to :meth:`figure`.
        """
        raise NotImplementedError

    def figure(self, data):  # pragma: no cover - abstract
        """Return the figure of ``data`` (implemented by subclasses).

        Parameters
        ----------
        data : dict
            What :meth:`compute` returned.

        Returns
        -------
        matplotlib.figure.Figure
            A new figure (closed after display).
        """
        raise NotImplementedError

    def status_html(self, data) -> str:
        """Return the status line for ``data`` (HTML; empty by default).

        Parameters
        ----------
        data : dict
            What :meth:`compute` returned.

        Returns
        -------
        str
            HTML shown under the controls when built with ``status=True``.
        """
        return ""

    def _on_change(self, _change):
        self.redraw()

    def update(self) -> None:
        """Recompute and redraw (the same as :meth:`redraw`; kept for old notebooks)."""
        self.redraw()

    def redraw(self) -> None:
        """Recompute ``data`` and redraw the figure (errors in ``errors`` go to the status line)."""
        try:
            data = self.compute()
        except self.errors as exc:
            if self.status is not None:
                self.status.value = f"<span style='color:#b00'>{exc}</span>"
            self.data = {"error": str(exc)}
            return
        self.data = data
        if self.status is not None:
            self.status.value = self.status_html(data)
        self._show(self.figure(data))

    def _show(self, fig):
        """Display ``fig`` in the Output (only under IPython, not in the static book) and close it."""
        if in_ipython() and not static_book():
            from IPython.display import display

            self.out.clear_output(wait=True)
            with self.out:
                display(fig)
        plt.close(fig)

    def _ipython_display_(self):
        from IPython.display import HTML, display

        if static_book():
            display(HTML(f'<p class="explorer-note">{STATIC_NOTE}</p>'))
        else:
            display(self.widget)
