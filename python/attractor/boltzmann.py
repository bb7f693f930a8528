"""The general Boltzmann machine (Ackley, Hinton & Sejnowski, Cognitive Science 9, 1985)::

    E(s) = -1/2 s^T W s - b^T s,    P(s) = exp(-E(s)/T) / Z,

over binary units (``s_i in {0, 1}``) or spins (``s_i in {-1, +1}``): energies, the exact law of
small machines (``n <= 24``), Gibbs sampling and the Boltzmann learning rule
``dtheta = eta (<-dE/dtheta>_data - <-dE/dtheta>_model)``. The restricted machine (RBM) has its
own estimators in :mod:`attractor.rbm`."""

import numpy as np

from . import _attractor
from .errors import AttractorError, Interrupted, as_float_array, whole
from .memory import _seed


class BoltzmannMachine:
    """A general Boltzmann machine with symmetric, zero-diagonal weights.

    The energy and law ``E(s) = -1/2 s^T W s - b^T s``, ``P(s) = exp(-E(s)/T) / Z`` (Ackley,
    Hinton & Sejnowski 1985; module docs).

    Parameters
    ----------
    weights : array-like of shape (n, n)
        ``W``, symmetric with a zero diagonal.
    biases : array-like of shape (n,) or None, default=None
        ``b`` (default zeros).
    units : {"binary", "spin"}, default="binary"
        ``s_i in {0, 1}`` or ``s_i in {-1, +1}``.
    temperature : float, default=1.0
        The temperature ``T``.

    Raises
    ------
    attractor.ShapeError
        When ``weights`` is not square or ``biases`` does not have ``n`` values.
    attractor.ParameterError
        When ``W`` is not symmetric with a zero diagonal, ``units`` is unknown or
        ``temperature <= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import BoltzmannMachine
    >>> bm = BoltzmannMachine(np.array([[0.0, 2.0], [2.0, 0.0]]), [1.0, 0.0])
    >>> float(bm.energy([1, 1]))
    -3.0
    >>> round(bm.log_partition(), 4)
    3.211
    """

    def __init__(self, weights, biases=None, units="binary", temperature=1.0):
        w = as_float_array(weights, "weights", 2)
        b = np.zeros(w.shape[0]) if biases is None else as_float_array(biases, "biases", 1)
        self._bm = _attractor.BoltzmannMachine(w, b, units, float(temperature))

    # pickling and copying: the parameters (a learning rule's persistent chains are not kept)
    def __getstate__(self):
        return dict(weights=self.weights, biases=self.biases, units=self.units,
                    temperature=self.temperature)

    def __setstate__(self, state):
        self.__init__(**state)

    def __repr__(self):
        return (f"BoltzmannMachine(n={self.n}, units={self.units!r}, "
                f"temperature={self.temperature:g})")

    @property
    def n(self):
        """The number of units."""
        return self._bm.n

    @property
    def units(self):
        """``"binary"`` (0/1) or ``"spin"`` (-1/+1)."""
        return self._bm.units

    @property
    def temperature(self):
        """The temperature ``T``."""
        return self._bm.temperature

    @property
    def weights(self):
        """``W`` (a copy)."""
        return self._bm.weights

    @property
    def biases(self):
        """``b`` (a copy)."""
        return self._bm.biases

    def energy(self, states):
        """The energy ``E(s) = -1/2 s^T W s - b^T s`` of one state or of every row.

        Parameters
        ----------
        states : array-like of shape (n,) or (n_states, n)
            One state, or states as rows.

        Returns
        -------
        energy : float or ndarray of shape (n_states,)
            A float for one state, an array for rows.
        """
        arr = np.asarray(states, dtype=np.float64)
        if arr.ndim == 1:
            return float(self._bm.energy(arr[None, :])[0])
        return self._bm.energy(as_float_array(arr, "states", 2))

    def log_partition(self):
        """``log Z`` by enumerating all ``2^n`` states.

        Returns
        -------
        log_z : float
            ``log sum_s exp(-E(s)/T)``.

        Raises
        ------
        attractor.ParameterError
            When ``n > 24``.
        """
        return self._bm.log_partition()

    def exact(self):
        """Every state and its probability (``n <= 24``).

        Returns
        -------
        states : ndarray of shape (2**n, n)
            Every state: row ``k`` has unit ``i`` on when bit ``i`` of ``k`` is set (unit 0
            the least significant bit).
        probabilities : ndarray of shape (2**n,)
            ``P(s)`` of each row.

        Raises
        ------
        attractor.ParameterError
            When ``n > 24``.

        Examples
        --------
        >>> import numpy as np
        >>> from attractor import BoltzmannMachine
        >>> bm = BoltzmannMachine(np.array([[0.0, 2.0], [2.0, 0.0]]), [1.0, 0.0])
        >>> states, p = bm.exact()
        >>> states
        array([[0., 0.],
               [1., 0.],
               [0., 1.],
               [1., 1.]])
        >>> p.round(4)
        array([0.0403, 0.1096, 0.0403, 0.8098])
        """
        return self._bm.exact()

    def log_likelihood(self, X):
        """The mean log-probability of the rows of ``X`` (exact, ``n <= 24``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n)
            States, one per row.

        Returns
        -------
        log_likelihood : float
            ``mean_k log P(X_k)``.
        """
        return self._bm.log_likelihood(as_float_array(X, "X", 2))

    def sample(self, n_samples, n_sweeps=100, random_state=None, scan="sequential",
               time_limit=None, n_threads=None, strict=True, method="gibbs",
               n_temperatures=None, temperatures=None, max_temperature=10.0):
        """Samples, each the end of its own Gibbs (or tempering) chain from a random state.

        The same seed gives the same samples on any number of threads. Ctrl-C or
        ``time_limit`` stop the chains where they are.

        ``method="tempering"``: parallel tempering (replica exchange; Swendsen & Wang 1986,
        Geyer 1991), which crosses the energy barriers between modes that trap Gibbs chains:
        each chain carries one replica per rung ``1 = T_0 < T_1 < ...`` of a ladder, relative to
        the machine's temperature; each of the ``n_sweeps`` rounds is one sweep per rung, then
        swaps of neighbours ``k, k+1`` accepted with probability
        ``min(1, exp((1/T_k - 1/T_{k+1}) (E_k - E_{k+1})))``, so rung ``k`` samples
        ``exp(-E/T_k)`` exactly; the rung at the machine's temperature is returned. Sets
        ``tempering_`` (rung ``temperatures``, per-pair ``swap_rates``, ``swap_attempts``,
        ``swap_accepts``).

        Parameters
        ----------
        n_samples : int
            The number of chains (and samples).
        n_sweeps : int, default=100
            Sweeps (or tempering rounds) per chain.
        random_state : int, numpy.random.Generator or None, default=None
            The seed.
        scan : {"sequential", "random", "block"}, default="sequential"
            The order of the Gibbs updates (``"block"``: bipartite couplings).
        time_limit : float or None, default=None
            Seconds after which the chains stop where they are.
        n_threads : int or None, default=None
            The threads of the chains.
        strict : bool, default=True
            Whether Ctrl-C raises.
        method : {"gibbs", "tempering"}, default="gibbs"
            Gibbs sweeps or parallel tempering.
        n_temperatures : int or None, default=None
            The rungs of the geometric ladder (10 by default).
        temperatures : array-like or None, default=None
            The ladder, strictly increasing from 1 (relative to the machine's temperature).
        max_temperature : float, default=10.0
            The top of the geometric ladder.

        Returns
        -------
        samples : ndarray of shape (n_samples, n)
            The final states, one per row.

        Raises
        ------
        attractor.Interrupted
            On Ctrl-C with ``strict=True`` (the states in ``.result``).
        attractor.ParameterError
            When ``method``, ``scan`` or the ladder is invalid.

        Examples
        --------
        >>> import numpy as np
        >>> from attractor import BoltzmannMachine
        >>> bm = BoltzmannMachine(np.array([[0.0, 2.0], [2.0, 0.0]]), [1.0, 0.0])
        >>> S = bm.sample(2000, n_sweeps=20, random_state=0)
        >>> S.shape, S.mean(axis=0).round(1)  # the exact means are 0.92, 0.85
        ((2000, 2), array([0.9, 0.9]))
        >>> S = bm.sample(500, n_sweeps=20, random_state=0, method="tempering", n_temperatures=4)
        >>> len(bm.tempering_["temperatures"])
        4
        """
        if method not in ("gibbs", "tempering"):
            raise AttractorError(
                f"method = {method!r}: use 'gibbs' (Gibbs sweeps) or 'tempering' "
                "(parallel tempering)")
        if n_temperatures is not None:
            n_temperatures = whole("n_temperatures", n_temperatures, 1)
        if temperatures is not None:
            temperatures = [float(t) for t in np.asarray(temperatures, dtype=float).ravel()]
        d = self._bm.sample(whole("n_samples", n_samples, 1), whole("n_sweeps", n_sweeps, 1),
                            _seed(random_state), scan,
                            None if time_limit is None else float(time_limit), n_threads,
                            method=method, temperatures=temperatures,
                            n_temperatures=n_temperatures,
                            max_temperature=float(max_temperature))
        if "tempering" in d:
            self.tempering_ = d["tempering"]
        if d["status"] == "interrupted" and strict:
            raise Interrupted(d["samples"])
        return d["samples"]

    def fit(self, X, learning_rate=0.1, n_updates=100, statistics="exact", n_chains=100,
            n_sweeps=1, persistent=True, random_state=None, n_threads=None):
        """Train by ``n_updates`` steps of the Boltzmann learning rule on the rows of ``X``.

        The rule ``dtheta = eta (<-dE/dtheta>_data - <-dE/dtheta>_model)``, so
        ``dW_ij = eta (<s_i s_j>_data - <s_i s_j>_model)`` and
        ``db_i = eta (<s_i>_data - <s_i>_model)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n)
            The data (each entry a value of the units).
        learning_rate : float, default=0.1
            ``eta``.
        n_updates : int, default=100
            The number of updates.
        statistics : {"exact", "gibbs"}, default="exact"
            The model statistics: exact (``n <= 24``) or from ``n_chains`` Gibbs chains of
            ``n_sweeps`` sweeps.
        n_chains : int, default=100
            The chains of ``"gibbs"``.
        n_sweeps : int, default=1
            The sweeps per update of ``"gibbs"``.
        persistent : bool, default=True
            Whether the chains persist between updates (each call of ``fit`` starts new
            chains).
        random_state : int, numpy.random.Generator or None, default=None
            The seed of the chains.
        n_threads : int or None, default=None
            The threads of the chains.

        Returns
        -------
        self : object
            The trained machine; ``last_update_`` is the last parameter change (its norm
            says how far from a stationary point).

        Examples
        --------
        >>> import numpy as np
        >>> from attractor import BoltzmannMachine
        >>> X = np.array([[1, 1], [0, 0], [1, 1], [1, 0]], dtype=float)
        >>> bm = BoltzmannMachine(np.zeros((2, 2))).fit(X, learning_rate=0.5, n_updates=500)
        >>> bm.exact()[1].round(2)  # near the data's 1/4, 1/4, 0, 1/2
        array([0.24, 0.25, 0.01, 0.5 ])
        """
        x = as_float_array(X, "X", 2)
        self._bm.reset_learning()
        self.last_update_ = self._bm.learn(
            x, float(learning_rate), whole("n_updates", n_updates, 1), statistics,
            whole("n_chains", n_chains, 1), whole("n_sweeps", n_sweeps, 1), bool(persistent),
            _seed(random_state), n_threads)
        return self
