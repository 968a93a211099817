"""Exceptions shared by every solver of the package."""

__all__ = ["ConvergenceError"]


class ConvergenceError(RuntimeError):
    """A self-consistent or iterative solver did not converge.

    The message states what the solver reached (iterations, residual, last
    iterate) so that a caller can judge whether to retry with other settings.
    The attributes carry the same information for programmatic use.

    Parameters
    ----------
    message : str
        What did not converge and what was reached.
    iterations : int, optional
        Iterations (or sweeps, evaluations) done.
    residual : float, optional
        Last residual, in the units of the solver's tolerance.
    last : object, optional
        Last iterate (e.g. the gap array reached).

    Examples
    --------
    >>> err = ConvergenceError("gap equation: 200 iterations, residual 1e-3", iterations=200, residual=1e-3)
    >>> err.iterations, err.residual
    (200, 0.001)
    """

    def __init__(self, message, *, iterations=None, residual=None, last=None):
        super().__init__(message)
        self.iterations = iterations
        self.residual = residual
        self.last = last
