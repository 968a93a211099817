"""pytest settings for the doctests of the library (``make doctest``).

Each docstring example that draws a figure leaves it open; close them after
every doctest so that matplotlib's "more than 20 figures" warning (an error
under the project's warning filters) never fires.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
