"""Plotting helpers and widgets (never imported by the solvers)."""
