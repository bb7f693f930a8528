"""Result records that hold NumPy arrays (a short ``repr`` and an ``==`` that compares arrays
by value: a dataclass's generated ones print every element and raise on ``r == r``), and
pickling for estimators whose fitted state is a compiled object."""

from dataclasses import dataclass, fields

import numpy as np


def _short(v):
    if isinstance(v, np.ndarray):
        return f"<array shape={v.shape} dtype={v.dtype}>"
    if isinstance(v, range):
        return f"range({v.start}, {v.stop})" if v.step == 1 else repr(v)
    if isinstance(v, (list, tuple)) and len(v) > 6:
        return f"<{type(v).__name__} of {len(v)}>"
    if isinstance(v, str) and len(v) > 80:
        return repr(v[:77] + "...")
    return repr(v)


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f" and b.dtype.kind == "f"))
        )
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # NaN fields (an energy not evaluated) compare equal
    return a == b


class ArrayRecord:
    """Mixin for ``@dataclass(eq=False, repr=False)`` results: ``repr`` summarises arrays and
    long sequences; ``==`` compares every field, arrays by value; unhashable (mutable)."""

    __hash__ = None

    def __repr__(self):
        parts = ", ".join(f"{f.name}={_short(getattr(self, f.name))}" for f in fields(self) if f.repr)
        return f"{type(self).__name__}({parts})"

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self))


class Rebuilt:
    """Pickling (and ``copy.deepcopy``) for estimators whose fitted state is a compiled object
    built from the fit's inputs: ``_build`` makes it and remembers how; the pickle holds the
    parameters and those inputs, never the compiled object, which unpickling builds again
    (the same object: any seed was resolved at fit and is among the inputs)."""

    def _build(self, attr, ctor, *args, **kwargs):
        from . import _attractor

        obj = getattr(_attractor, ctor)(*args, **kwargs)
        setattr(self, attr, obj)
        self._rebuild_ = (attr, ctor, args, kwargs)
        return obj

    def __getstate__(self):
        parent = getattr(super(), "__getstate__", None)
        state = dict((parent() if parent else None) or self.__dict__)
        rebuild = state.get("_rebuild_")
        if rebuild:
            state.pop(rebuild[0], None)
        return state

    def __setstate__(self, state):
        parent = getattr(super(), "__setstate__", None)
        if parent:
            parent(state)
        else:
            self.__dict__.update(state)
        rebuild = state.get("_rebuild_")
        if rebuild:
            attr, ctor, args, kwargs = rebuild
            self._build(attr, ctor, *args, **kwargs)


@dataclass(eq=False, repr=False)
class Recall(ArrayRecord):
    """What recalling every row of ``X`` gave (``recall(X)`` of a memory).

    Attributes
    ----------
    states : ndarray of shape (n_queries, n_features)
        The state each query reached: its fixed point when the run converged.
    status : list of str
        One name per query: ``"fixed point"``, ``"two-cycle"``, ``"converged"``, ``"max
        steps"``, ``"end time"``; ``"integrated"`` for the oscillator memory, which runs to
        ``t_end`` without a convergence test; ``"not run"`` for the queries after a Ctrl-C,
        whose rows hold the queries as given.
    n_steps : ndarray of shape (n_queries,)
        Updates or integration steps per query (0 when unknown).
    energy : ndarray of shape (n_queries,)
        Each final state's energy (NaN when not computed).
    interrupted : bool
        Whether Ctrl-C stopped the recall.
    phases : ndarray of shape (n_queries, n_features) or None
        The oscillator memory's final phases, else ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> X = np.array([[1.0, -1.0, 1.0, -1.0, 1.0, -1.0]])
    >>> rec = attractor.ClassicalHopfield(random_state=0).fit(X).recall(X)
    >>> rec.status, rec.converged, rec.n_unconverged
    (['fixed point'], True, 0)
    """

    states: np.ndarray
    status: list
    n_steps: np.ndarray
    energy: np.ndarray
    interrupted: bool = False
    phases: object = None

    #: Statuses of a run that stopped on its iteration or time limit instead of settling.
    UNSETTLED = ("max steps", "end time", "timeout", "diverged")

    @property
    def converged(self):
        """Whether every query settled (no run ended on its iteration or time limit, none was
        left unrun)."""
        return not self.interrupted and not any(s in self.UNSETTLED for s in self.status)

    @property
    def n_unconverged(self):
        """The number of queries whose run ended on its iteration or time limit."""
        return sum(s in self.UNSETTLED for s in self.status)
