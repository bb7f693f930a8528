"""Kuramoto ring memories (Guo, Ogranovich, ..., Bullo & Pasqualetti, arXiv:2504.03102): a ring
of ``n`` identical phase oscillators with nearest-neighbour coupling::

    dtheta_i/dt = sin(theta_{i+1} - theta_i) + sin(theta_{i-1} - theta_i),

whose twisted states ``theta_i = 2 pi q i / n`` (winding number ``q``) are equilibria, stable
exactly when ``4 |q| < n``: ``2 ceil(n/4) - 1`` memories per ring. The energy
``-sum_i cos(theta_{i+1} - theta_i)`` never increases along the flow."""

from . import _attractor
from .constrained import _Flow, _run
from .errors import as_float_array


class KuramotoRing(_Flow):
    """A ring of ``n >= 3`` oscillators.

    Examples
    --------
    >>> from attractor import KuramotoRing
    >>> KuramotoRing(10).stable_twists()
    [-2, -1, 0, 1, 2]
    """

    def __init__(self, n):
        self.n = n
        self._net = _attractor.KuramotoRing(int(n))

    def __getstate__(self):
        return {"n": self.n}

    def __setstate__(self, state):
        self.__init__(state["n"])

    def twists(self):
        """Every winding number ``q`` in ``(-n/2, n/2]``."""
        return self._net.twists()

    def stable_twists(self):
        """The winding numbers of the stable twisted states."""
        return self._net.stable_twists()

    def twisted_state(self, q):
        """The phases ``2 pi q i / n``."""
        return self._net.twisted_state(int(q))

    def twisted_eigenvalues(self, q):
        """The Jacobian's eigenvalues at twist ``q``: ``-2 cos(2 pi q/n)(1 - cos(2 pi k/n))``."""
        return self._net.twisted_eigenvalues(int(q))

    def is_stable_twist(self, q):
        return self._net.is_stable_twist(int(q))

    @staticmethod
    def winding_number(theta):
        """The winding number of a phase vector (differences wrapped into ``[-pi, pi)``)."""
        return _attractor.KuramotoRing.winding_number(as_float_array(theta, "theta", 1))

    def kkt_residual(self, x):  # not an optimisation problem
        raise AttributeError("KuramotoRing has no KKT residual; use field() for dtheta/dt")

    def run(self, theta0, strict=True, **options):
        """Integrate from ``theta0`` with the options of :meth:`HopfieldNetwork.run`."""
        return _run(self._net, theta0, "theta0", strict, options)
