"""Result records that hold NumPy arrays (a short ``repr`` and an ``==`` that compares arrays
by value: a dataclass's generated ones print every element and raise on ``r == r``), and
pickling for estimators whose fitted state is a compiled object."""

from dataclasses import fields

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
