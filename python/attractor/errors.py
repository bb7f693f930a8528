"""The package's exceptions and the checks that turn bad arrays into them."""

import numpy as np

from ._attractor import AttractorError


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
        raise AttractorError(f"{name}: expected {want}, got shape {arr.shape}")
    if arr.size and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise AttractorError(
            f"{name}: non-finite value {arr[tuple(bad)]} at index {tuple(int(b) for b in bad)}; "
            "replace NaN/inf entries with finite numbers"
        )
    return arr
