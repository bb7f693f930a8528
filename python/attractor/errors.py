"""The package's exceptions and the checks that turn bad arrays into them."""

import numbers

import numpy as np

from ._attractor import AttractorError, NonFiniteError, ShapeError


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; ``result`` holds what it had reached (the best state so far)."""

    def __init__(self, result):
        super().__init__("interrupted; the best result so far is in .result")
        self.result = result


class ComplexDataError(AttractorError, TypeError):
    """Complex numbers where real ones are needed: a ``ValueError`` (scikit-learn's convention,
    as an :class:`AttractorError`) and a ``TypeError``."""


def as_float_array(x, name, ndim):
    """``x`` as a float64 array of ``ndim`` dimensions with finite entries (no copy when it
    already is one). Raises ``TypeError`` for non-numeric data and ``ValueError`` (an
    ``AttractorError``) for wrong shapes and NaN/inf, naming the argument."""
    arr = np.asarray(x)
    if arr.dtype == object:
        # numbers held as Python objects are fine; anything else names itself
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{name}: expected an array of numbers ({e})") from None
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"{name}: expected an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ComplexDataError(
            f"{name}: Complex data not supported (dtype {arr.dtype}); pass real numbers"
        )
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim != ndim:
        want = "a 1-D vector" if ndim == 1 else "a 2-D array (n_samples, n_features)"
        raise ShapeError(f"{name}: expected {want}, got shape {arr.shape}")
    if arr.size and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise NonFiniteError(
            f"{name}: non-finite value {arr[tuple(bad)]} at index {tuple(int(b) for b in bad)}; "
            "replace NaN/inf entries with finite numbers"
        )
    return arr


#: The largest whole number an argument may take (Rust's ``i64``).
MAX_WHOLE = 2**63 - 1


def whole(name, value, low=0, fix=None):
    """``value`` as an ``int`` in ``[low, 2**63 - 1]``: a ``TypeError`` naming ``name`` for
    anything but a whole number, an :class:`AttractorError` naming it (and saying ``fix``) out
    of range -- never Python's bare ``OverflowError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a whole number, got {value!r}")
    if value < low or value > MAX_WHOLE:
        raise AttractorError(
            f"{name} = {value}: {fix or f'give a whole number between {low} and {MAX_WHOLE}'}"
        )
    return int(value)


def whole_or_none(name, value, low=0):
    """:func:`whole`, passing ``None`` through."""
    return None if value is None else whole(name, value, low)
