"""Figures and widgets (never imported by the solvers).

One module per topic (``bands``, ``couplings``, ``pairing``, ``btk``,
``tunneling``, ``mixd``, ``mixd_exact``): figure functions draw results of
the science modules and return a matplotlib ``Figure``; ``explorer(...)``
returns an ipywidgets explorer (a :class:`~nickelates.viz.explorer.Explorer`).
``frames`` renders static slider frames for the HTML book.
"""

__all__: list[str] = []
