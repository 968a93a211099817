"""Exceptions shared by every solver of the package."""


class ConvergenceError(RuntimeError):
    """A self-consistent or iterative solver did not converge.

    The message states what the solver reached (iterations, residual, last
    iterate) so that a caller can judge whether to retry with other settings.
    The attributes carry the same information for programmatic use.
    """

    def __init__(self, message, *, iterations=None, residual=None, last=None):
        super().__init__(message)
        self.iterations = iterations
        self.residual = residual
        self.last = last
