"""The shared input checks (nickelates._validate), book setup helpers and paths."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nickelates import _validate as check
from nickelates import book, paths
from nickelates.errors import ConvergenceError


# ---------------------------------------------------------------- scalars
@pytest.mark.parametrize("bad", ["3", 1 + 0j, True, np.bool_(False), None, [1.0]])
def test_finite_rejects_wrong_types_with_typeerror(bad):
    with pytest.raises(TypeError, match="T must be a real number"):
        check.finite("T", bad)


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_finite_rejects_nonfinite_with_valueerror(bad):
    with pytest.raises(ValueError, match="T must be a finite real number"):
        check.finite("T", bad)


def test_finite_accepts_numpy_scalars_and_0d_arrays():
    assert check.finite("x", np.float32(0.5)) == 0.5
    assert check.finite("x", np.int64(3)) == 3.0
    assert check.finite("x", np.array(2.5)) == 2.5


def test_positive_rejects_zero_subnormal_and_above_hi():
    with pytest.raises(ValueError, match=r"gamma must lie in \(0.0, inf\)"):
        check.positive("gamma", 0.0)
    with pytest.raises(ValueError, match="positive normal number"):
        check.positive("gamma", 5e-324)
    with pytest.raises(ValueError, match=r"gamma must lie in \(0.0, 10.0\]"):
        check.positive("gamma", 11.0, hi=10.0)
    assert check.positive("gamma", check.TINY) == check.TINY


def test_nonnegative_rounds_subnormals_to_zero():
    assert check.nonnegative("Z", 1e-320) == 0.0
    assert check.nonnegative("Z", 0.0) == 0.0
    with pytest.raises(ValueError, match=r"Z must lie in \[0.0, inf\)"):
        check.nonnegative("Z", -1e-3)


@given(st.floats(min_value=-1e300, max_value=1e300), st.floats(min_value=-1e300, max_value=1e300))
def test_in_range_accepts_exactly_the_interval(a, b):
    lo, hi = min(a, b), max(a, b)
    mid = lo / 2 + hi / 2
    assert check.in_range("x", mid, lo, hi) == mid
    if hi < 1e300:
        with pytest.raises(ValueError, match="x must lie in"):
            check.in_range("x", hi + abs(hi) + 1.0, lo, hi)


@pytest.mark.parametrize("bad,err", [(4.0, TypeError), (True, TypeError), ("4", TypeError), (0, ValueError)])
def test_integer_and_iterations(bad, err):
    with pytest.raises(err, match="maxiter"):
        check.iterations("maxiter", bad)
    assert check.iterations("maxiter", np.int32(7)) == 7


@pytest.mark.parametrize("bad", [0.0, -1e-8, math.nan, math.inf, 5e-324, 2.0])
def test_tolerance(bad):
    with pytest.raises(ValueError, match="tol"):
        check.tolerance("tol", bad)


# ---------------------------------------------------------------- arrays
@pytest.mark.parametrize("bad,match", [
    (np.array([1 + 2j, 3.0]), "complex"),
    (np.array([True, False]), "boolean"),
    (np.array(["1", "2"]), "dtype <U1"),
    ("1,2,3", "array of real numbers"),
    ([object(), 1.0], "element object"),
    (None, "array of real numbers, got NoneType"),
    ([1.0, None], "element NoneType"),
    ({}, "got dict"),
    ({1.0, 2.0}, "got set"),
])
def test_real_array_rejects_wrong_types(bad, match):
    with pytest.raises(TypeError, match=match):
        check.real_array("bias_mV", bad)


def test_real_array_accepts_object_arrays_of_numbers():
    a = check.real_array("bias_mV", np.array([1, 2.5, np.float32(3)], dtype=object))
    assert a.dtype == float and a.tolist() == [1.0, 2.5, 3.0]


def test_real_array_rejects_bad_values():
    with pytest.raises(ValueError, match="at least 1 entries, got 0"):
        check.real_array("bias_mV", [])
    with pytest.raises(ValueError, match="finite"):
        check.real_array("bias_mV", [0.0, np.nan])
    with pytest.raises(ValueError, match="1-dimensional"):
        check.real_array("bias_mV", [[0.0]], ndim=1)
    with pytest.raises(ValueError, match="more than the 3 allowed"):
        check.real_array("bias_mV", np.zeros(4), max_size=3)
    with pytest.raises(ValueError, match="rectangular"):
        check.real_array("bias_mV", [[1.0], [1.0, 2.0]])


def test_real_array_converts_integers_and_object_numbers():
    a = check.real_array("x", [1, 2, np.float32(3)])
    assert a.dtype == np.float64 and a.tolist() == [1.0, 2.0, 3.0]


def test_same_length_and_size_limit():
    assert check.same_length(bias=[1, 2], G=[3, 4]) == 2
    with pytest.raises(ValueError, match="bias has 2, G has 3"):
        check.same_length(bias=[1, 2], G=[3, 4, 5])
    with pytest.raises(ValueError, match="24 GB"):
        check.size_limit("n_k", 10**12, 10**9, "k points")


def test_choice_instance_boolean():
    assert check.choice("symmetry", "s", ("s", "d")) == "s"
    with pytest.raises(ValueError, match=r"symmetry must be one of \['d', 's'\], got 'p'"):
        check.choice("symmetry", "p", ("s", "d"))
    with pytest.raises(TypeError, match="symmetry must be one of"):
        check.choice("symmetry", 1, ("s", "d"))
    with pytest.raises(TypeError, match="p must be a dict"):
        check.instance("p", 1, dict)
    with pytest.raises(TypeError, match="inline must be True or False"):
        check.boolean("inline", 1)


def test_convergence_error_carries_what_was_reached():
    err = ConvergenceError("not converged", iterations=3, residual=0.5, last=[1.0])
    assert isinstance(err, RuntimeError)
    assert (err.iterations, err.residual, err.last) == (3, 0.5, [1.0])


# ---------------------------------------------------------------- paths and chapter setup
def test_paths_point_into_the_checkout(monkeypatch, tmp_path):
    assert (paths.repo_root() / "book").is_dir()
    assert paths.data_file("mixd_dmrg.json").is_file()
    monkeypatch.setenv("NICKELATES_DATA", str(tmp_path))
    assert paths.data_dir() == tmp_path.resolve()
    for bad in ("", "../x", "/etc/passwd"):
        with pytest.raises(ValueError, match="relative file name"):
            paths.data_file(bad)
    with pytest.raises(TypeError, match="name must be a file name"):
        paths.data_file(3)


def test_md_table_escapes_bars_and_checks_shapes():
    t = book.md_table(["$|\\Delta_\\beta|$ on sheet", "n"], [["a|b", 1]])
    assert t.data.splitlines()[0] == "| $\\|\\Delta_\\beta\\|$ on sheet | n |"
    assert t.data.splitlines()[2] == "| a\\|b | 1 |"
    assert book.md_table(["x"], [["\\|"]]).data.splitlines()[2] == "| \\| |"   # already escaped
    with pytest.raises(ValueError, match=r"rows\[0\] has 1 cells, the header has 2"):
        book.md_table(["a", "b"], [[1]])
    with pytest.raises(ValueError, match="one format per column"):
        book.md_table(["a", "b"], [[1, 2]], ["{}"])


def test_setup_and_best_of():
    import matplotlib.pyplot as plt

    ch = book.setup(font_size=9, inline=False)
    assert plt.rcParams["font.size"] == 9 and plt.rcParams["figure.dpi"] == 90
    assert ch.data == paths.data_dir()
    t, out = book.best_of(lambda: 2 + 2, n=2)
    assert out == 4 and 0 <= t < 1
    with pytest.raises(ValueError, match="n must be an integer in"):
        book.best_of(lambda: 0, n=0)
    with pytest.raises(TypeError, match="fn must be callable"):
        book.best_of(3)
    with pytest.raises(ValueError, match="font_size"):
        book.setup(font_size=0)


def test_not_missing_and_complex_array():
    for bad in (None, "1,2", {}, {1.0}):
        with pytest.raises(TypeError, match="dos must be a sequence"):
            check.not_missing("dos", bad, "a sequence")
    assert check.not_missing("dos", (0.2, 0.7), "a sequence") == (0.2, 0.7)
    assert check.complex_array("z", [1, 2.5, 3j]).tolist() == [1 + 0j, 2.5 + 0j, 3j]
    for bad, match in ((None, "NoneType"), ("1j", "str"), ([True], "boolean"), ([1j, None], "element NoneType"),
                       (np.array(["a"]), "dtype <U1")):
        with pytest.raises(TypeError, match=match):
            check.complex_array("z", bad)
