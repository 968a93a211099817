"""Old keyword names kept as aliases (private helper of :mod:`nickelates.btk`)."""
from __future__ import annotations

import functools

__all__ = ["renamed_keywords"]


def renamed_keywords(**old_to_new):
    """Accept the old keyword names ``old_to_new`` as aliases of the new ones.

    ``@renamed_keywords(energy_mV="energy_meV")`` lets ``f(energy_mV=x)`` call
    ``f(energy_meV=x)``; giving both raises :class:`TypeError`. The wrapped
    function keeps its signature (``inspect.signature`` shows the new names).
    """
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{func.__name__}() got both {new!r} and its old name {old!r}")
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)
        return wrapper
    return decorate
