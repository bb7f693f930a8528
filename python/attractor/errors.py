"""The package's exceptions and the checks that turn bad arrays into them."""

import numbers
import os

import numpy as np

from ._attractor import AttractorError, NonFiniteError, NotConverged, ParameterError, ShapeError  # noqa: F401


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; ``result`` holds what it had reached (the best state so far).

    A ``KeyboardInterrupt``, raised by the runs, samplers and estimators with ``strict=True``.

    Parameters
    ----------
    result : object
        What the run had reached.

    Attributes
    ----------
    result : object
        What the run had reached (a :class:`~attractor.Solution`, states, codes, a dict,
        ... as the interrupted call returns).
    """

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


# --------------------------------------------------------------------------- conventions
# What every estimator shares: the warning of a run that stopped before converging, input
# checks with scikit-learn's messages, the one thread setting, and the ``strict`` switch.

try:
    from sklearn.exceptions import ConvergenceWarning
except ImportError:  # pragma: no cover - exercised only without scikit-learn

    class ConvergenceWarning(UserWarning):
        """A run stopped before it converged (an iteration limit reached); the result is
        returned as reached. scikit-learn's ``ConvergenceWarning`` when it is installed."""


try:
    from sklearn.exceptions import NotFittedError
except ImportError:  # pragma: no cover - exercised only without scikit-learn

    class NotFittedError(AttractorError, AttributeError):
        """An estimator used before ``fit`` (scikit-learn's ``NotFittedError`` when installed)."""


def not_fitted(est, how="call fit(X) first"):
    """The error of a method called on an unfitted estimator, saying what to do."""
    return NotFittedError(f"this {type(est).__name__} is not fitted yet; {how}")


def as_rows(X, name="X", n_features=None, who=None):
    """``X`` as a float64 ``(n_samples, n_features)`` array of finite numbers, with
    scikit-learn's messages: a sparse matrix is a ``TypeError`` saying to densify it, a 1-D
    array says how to reshape, no features or no samples say so, and ``n_features`` (the
    width fitted, when given) is checked as ``X has k features, but <who> is expecting n
    features as input``."""
    if hasattr(X, "tocsr") or hasattr(X, "todense"):  # a scipy.sparse matrix or array
        raise TypeError(
            f"{name}: a sparse matrix was passed, but dense data is required; pass "
            f"{name}.toarray()"
        )
    arr = np.asarray(X)
    if arr.ndim == 1:
        raise ShapeError(
            f"{name}: expected a 2-D array (n_samples, n_features), got shape {arr.shape}. "
            f"Reshape your data with {name}.reshape(1, -1) for one sample or "
            f"{name}.reshape(-1, 1) for one feature"
        )
    arr = as_float_array(arr, name, 2)
    if arr.shape[1] == 0:
        raise ShapeError(
            f"{name}: 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required; "
            "pass rows of at least one feature"
        )
    if arr.shape[0] == 0:
        raise ShapeError(
            f"{name}: 0 sample(s) (shape={arr.shape}) while a minimum of 1 is required; "
            "pass at least one row"
        )
    if n_features is not None and arr.shape[1] != n_features:
        raise ShapeError(
            f"{name} has {arr.shape[1]} features, but {who or 'the estimator'} is expecting "
            f"{n_features} features as input (the width it was fitted with); pass rows of "
            f"{n_features} features"
        )
    return arr


def cpu_count():
    """The cores this process may run on (its affinity mask where the system has one)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def threads(n_threads, name="n_threads"):
    """``n_threads`` with scikit-learn's (joblib's) meaning, as the compiled functions read
    it (``None`` or 1: sequential, ``-1``: every thread of the pool, ``k > 1``: ``k``
    threads). ``None`` means one thread, ``k > 0`` ``k`` threads, ``-1`` every core, ``-2``
    every core but one (``-k``: all but ``k - 1``, at least one); 0 is refused."""
    if n_threads is None:
        return None
    if isinstance(n_threads, bool) or not isinstance(n_threads, numbers.Integral):
        raise TypeError(f"{name}: expected None or a whole number of threads, got {n_threads!r}")
    n = int(n_threads)
    if n == 0:
        raise ParameterError(
            f"{name} = 0: give None or 1 (one thread), k > 1 (k threads), -1 (every core) or "
            "-2 (every core but one), scikit-learn's meaning"
        )
    if n > 0 or n == -1:
        return n
    return max(cpu_count() + 1 + n, 1)


def check_strict(strict):
    """``strict`` as a bool (``True``: a stopped run raises; ``False``: it returns its result
    with its status)."""
    if not isinstance(strict, (bool, np.bool_)):
        raise ParameterError(f"strict = {strict!r}: give True (raise when a run stops) or False "
                             "(return the result reached with its status)")
    return bool(strict)


def warn_not_converged(message, stacklevel=3):
    """Emit a :class:`ConvergenceWarning`, attributed to the first caller outside the package
    (on Python >= 3.12; ``stacklevel`` frames up before)."""
    import sys
    import warnings

    if sys.version_info >= (3, 12):
        warnings.warn(message, ConvergenceWarning,
                      skip_file_prefixes=(os.path.dirname(os.path.abspath(__file__)) + os.sep,))
    else:  # pragma: no cover - older interpreters
        warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel)
