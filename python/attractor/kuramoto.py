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
    """A Kuramoto ring memory of ``n >= 3`` oscillators.

    The ring ``dtheta_i/dt = sin(theta_{i+1} - theta_i) + sin(theta_{i-1} - theta_i)`` of
    Guo et al. (arXiv:2504.03102; module docs), whose twisted states of winding number ``q``
    are stable exactly when ``4 |q| < n``.

    Parameters
    ----------
    n : int
        The number of oscillators.

    Raises
    ------
    attractor.ParameterError
        When ``n < 3``.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import KuramotoRing
    >>> KuramotoRing(10).stable_twists()
    [-2, -1, 0, 1, 2]
    >>> ring = KuramotoRing(8)
    >>> theta0 = ring.twisted_state(1) + 0.1 * np.sin(np.arange(8))
    >>> sol = ring.run(theta0)
    >>> sol.status, ring.winding_number(sol.state)
    ('converged', 1)
    """

    def __init__(self, n):
        self.n = n
        self._net = _attractor.KuramotoRing(int(n))

    def __getstate__(self):
        return {"n": self.n}

    def __setstate__(self, state):
        self.__init__(state["n"])

    def twists(self):
        """Every winding number ``q`` in ``(-n/2, n/2]``.

        Returns
        -------
        twists : list of int
            The winding numbers.
        """
        return self._net.twists()

    def stable_twists(self):
        """The winding numbers of the stable twisted states (``4 |q| < n``).

        Returns
        -------
        twists : list of int
            ``2 ceil(n/4) - 1`` winding numbers.
        """
        return self._net.stable_twists()

    def twisted_state(self, q):
        """The twisted state of winding number ``q``.

        Parameters
        ----------
        q : int
            The winding number.

        Returns
        -------
        theta : ndarray of shape (n,)
            The phases ``2 pi q i / n``.
        """
        return self._net.twisted_state(int(q))

    def twisted_eigenvalues(self, q):
        """The Jacobian's eigenvalues at twist ``q``.

        Parameters
        ----------
        q : int
            The winding number.

        Returns
        -------
        eigenvalues : ndarray of shape (n,)
            ``-2 cos(2 pi q/n) (1 - cos(2 pi k/n))`` for ``k = 0, ..., n - 1`` (``k = 0``:
            the zero of the rotation symmetry).
        """
        return self._net.twisted_eigenvalues(int(q))

    def is_stable_twist(self, q):
        """Whether the twisted state ``q`` is stable (``4 |q| < n``).

        Parameters
        ----------
        q : int
            The winding number.

        Returns
        -------
        stable : bool
            Whether it is stable.
        """
        return self._net.is_stable_twist(int(q))

    @staticmethod
    def winding_number(theta):
        """The winding number of a phase vector.

        Parameters
        ----------
        theta : array-like of shape (n,)
            The phases.

        Returns
        -------
        q : int
            The sum of the neighbour differences wrapped into ``[-pi, pi)``, over ``2 pi``.
        """
        return _attractor.KuramotoRing.winding_number(as_float_array(theta, "theta", 1))

    def kkt_residual(self, x):  # not an optimisation problem
        raise AttributeError("KuramotoRing has no KKT residual; use field() for dtheta/dt")

    def run(self, theta0, strict=True, **options):
        """Integrate from ``theta0`` with the options of :meth:`HopfieldNetwork.run`.

        Parameters
        ----------
        theta0 : array-like of shape (n,)
            The initial phases.
        strict : bool, default=True
            As for :meth:`HopfieldNetwork.run`.
        **options
            The other options of :meth:`HopfieldNetwork.run`.

        Returns
        -------
        solution : attractor.Solution
            The run's result.
        """
        return _run(self._net, theta0, "theta0", strict, options)
