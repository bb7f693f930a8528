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
    """A Boltzmann machine with symmetric, zero-diagonal weights ``W`` (``n x n``), biases
    ``b`` (default zeros), ``units`` ``"binary"`` or ``"spin"`` and temperature ``T``.

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
        """``E(s)`` of one state (a float) or of every row of a 2-D array."""
        arr = np.asarray(states, dtype=np.float64)
        if arr.ndim == 1:
            return float(self._bm.energy(arr[None, :])[0])
        return self._bm.energy(as_float_array(arr, "states", 2))

    def log_partition(self):
        """``log Z`` by enumerating all ``2^n`` states (``n <= 24``)."""
        return self._bm.log_partition()

    def exact(self):
        """Every state (rows, in binary order, unit 0 the most significant) and its
        probability: ``(states, probabilities)`` (``n <= 24``)."""
        return self._bm.exact()

    def log_likelihood(self, X):
        """The mean log-probability of the rows of ``X`` (exact, ``n <= 24``)."""
        return self._bm.log_likelihood(as_float_array(X, "X", 2))

    def sample(self, n_samples, n_sweeps=100, random_state=None, scan="sequential",
               time_limit=None, n_threads=None, strict=True, method="gibbs",
               n_temperatures=None, temperatures=None, max_temperature=10.0):
        """``n_samples`` states (rows), each the end of its own Gibbs chain of ``n_sweeps``
        sweeps from a random state; ``scan`` is ``"sequential"``, ``"random"`` or ``"block"``
        (bipartite couplings). The same seed gives the same samples on any number of threads.
        Ctrl-C or ``time_limit`` (seconds) stop the chains where they are: Ctrl-C raises
        :class:`Interrupted` (with the states in ``.result``) unless ``strict=False``.

        ``method="tempering"``: parallel tempering (replica exchange; Swendsen & Wang 1986,
        Geyer 1991), which crosses the energy barriers between modes that trap Gibbs chains:
        each chain carries one replica per rung ``1 = T_0 < T_1 < ...`` of a ladder, relative to
        the machine's temperature (``temperatures``, strictly increasing from 1, or the
        geometric ladder of ``n_temperatures`` rungs, 10 by default, up to
        ``max_temperature``); each of the ``n_sweeps`` rounds is one sweep per rung, then swaps
        of neighbours ``k, k+1`` accepted with probability
        ``min(1, exp((1/T_k - 1/T_{k+1}) (E_k - E_{k+1})))``, so rung ``k`` samples
        ``exp(-E/T_k)`` exactly; the rung at the machine's temperature is returned. Sets
        ``tempering_`` (rung temperatures, per-pair ``swap_rates``, ``swap_attempts``,
        ``swap_accepts``)."""
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
        """``n_updates`` steps of the Boltzmann learning rule on the rows of ``X`` (each entry
        a value of the units), the model statistics exact (``"exact"``, ``n <= 24``) or from
        ``n_chains`` Gibbs chains of ``n_sweeps`` sweeps (``"gibbs"``; ``persistent`` keeps them
        between updates and between calls). Returns ``self``; ``last_update_`` is the last
        parameter change (its norm says how far from a stationary point)."""
        x = as_float_array(X, "X", 2)
        self._bm.reset_learning()
        self.last_update_ = self._bm.learn(
            x, float(learning_rate), whole("n_updates", n_updates, 1), statistics,
            whole("n_chains", n_chains, 1), whole("n_sweeps", n_sweeps, 1), bool(persistent),
            _seed(random_state), n_threads)
        return self
