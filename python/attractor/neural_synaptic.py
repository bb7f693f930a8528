"""Neural-synaptic networks: learning as a dynamical system (Centorrino, Bullo & Russo,
arXiv:2204.05382). Neurons follow a Hopfield (``tau dx/dt = -c x + W phi(x) + u``) or
firing-rate (``tau dx/dt = -c x + phi(W x + u)``) flow, and the synapses ``W_ij`` on a mask
learn from the activities ``a`` (``phi(x)`` or ``x``) on a slower time scale ``epsilon``:
``dW_ij/dt = epsilon (-gamma W_ij + rho h_ij)`` with ``h = a_i a_j`` (Hebbian), ``-a_i a_j``
(anti-Hebbian) or ``a_i (a_j - a_i W_ij)`` (Oja). The state is integrated as one joint vector
by the Rust run loop; :meth:`NeuralSynapticNetwork.certificate` gives the certified contraction
rate and the norm in which it holds."""

import numpy as np

from . import _attractor
from ._records import Rebuilt
from .errors import Interrupted, as_float_array, check_strict


class NeuralSynapticNetwork(Rebuilt):
    """A network of ``n`` neurons with learning synapses.

    The neurons follow ``tau dx/dt = -c x + W phi(x) + u`` (Hopfield, activities
    ``a = phi(x)``) or ``tau dx/dt = -c x + phi(W x + u)`` (firing rate, ``a = x``), and each
    synapse ``j -> i`` of the mask learns as ``dW_ij/dt = epsilon (-gamma W_ij + rho h_ij)``
    (module docs; Centorrino, Bullo & Russo, arXiv:2204.05382). Pickles and deep-copies (the
    compiled network is rebuilt from these arguments).

    Parameters
    ----------
    n : int
        The number of neurons.
    activation : str, default="tanh"
        The activation ``phi``, as for :class:`HopfieldNetwork`.
    rule : {"hebbian", "anti_hebbian", "oja"}, default="hebbian"
        ``h_ij = a_i a_j``, ``-a_i a_j`` or ``a_i (a_j - a_i W_ij)``.
    form : {"hopfield", "firing_rate"}, default="hopfield"
        The neurons' flow.
    tau : float, default=1.0
        The neural time constant.
    neural_decay : float, default=1.0
        ``c``.
    gain : float, default=0.1
        ``rho``.
    synaptic_decay : float, default=1.0
        ``gamma``.
    epsilon : float, default=0.1
        The synaptic time scale.
    mask : array-like of shape (n, n) or None, default=None
        Nonzero entries ``(i, j)`` are the synapses ``j -> i`` (default: all-to-all without
        self-synapses).
    u : array-like of shape (n,) or None, default=None
        The constant input (default zeros).

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import NeuralSynapticNetwork
    >>> net = NeuralSynapticNetwork(3, rule="hebbian", u=[0.5, -0.2, 0.1])
    >>> net.n_synapses
    6
    >>> cert = net.certificate()
    >>> cert["contracting"], round(cert["rate"], 4)
    (True, 0.0469)
    >>> d = net.simulate(np.zeros(3), np.zeros((3, 3)), t_end=50.0, dt=0.05, every=100)
    >>> d["x"].shape, d["w"].shape
    ((11, 3), (11, 6))
    >>> d["x"][-1].round(3)
    array([ 0.502, -0.205,  0.103])
    """

    def __init__(self, n, activation="tanh", rule="hebbian", form="hopfield", tau=1.0,
                 neural_decay=1.0, gain=0.1, synaptic_decay=1.0, epsilon=0.1, mask=None,
                 u=None):
        if mask is not None:
            mask = as_float_array(mask, "mask", 2)
        if u is not None:
            u = as_float_array(u, "u", 1)
        self._build(
            "_net", "NeuralSynapticNetwork", int(n), activation, rule, form, float(tau),
            float(neural_decay), float(gain), float(synaptic_decay), float(epsilon), mask, u)

    @property
    def n_neurons(self):
        """The number of neurons ``n``."""
        return self._net.n_neurons

    @property
    def n_synapses(self):
        """The number of synapses ``m`` (nonzero entries of the mask)."""
        return self._net.n_synapses

    @property
    def edges(self):
        """The synapses as an ``(m, 2)`` array of ``(post, pre)``, in the order of ``w``."""
        return self._net.edges()

    def weights_on_mask(self, w):
        """The synaptic vector of ``w``, given as a matrix read on the mask or as the vector.

        Parameters
        ----------
        w : array-like of shape (n, n) or (m,)
            A weight matrix, or the vector in mask order.

        Returns
        -------
        w : ndarray of shape (m,)
            The weights in the order of :attr:`edges`.

        Raises
        ------
        attractor.AttractorError
            When a matrix is not ``(n, n)``.
        """
        w = np.asarray(w, dtype=np.float64)
        if w.ndim == 2:
            if w.shape != (self.n_neurons, self.n_neurons):
                raise _attractor.AttractorError(
                    f"w0: expected an ({self.n_neurons}, {self.n_neurons}) matrix or "
                    f"{self.n_synapses} weights, got shape {w.shape}")
            e = self.edges
            return w[e[:, 0], e[:, 1]]
        return w

    def weight_matrix(self, w):
        """The matrix ``W`` of a synaptic vector (zero off the mask).

        Parameters
        ----------
        w : array-like of shape (m,)
            The weights in the order of :attr:`edges`.

        Returns
        -------
        W : ndarray of shape (n, n)
            The weight matrix.
        """
        w = np.asarray(w, dtype=np.float64)
        out = np.zeros((self.n_neurons, self.n_neurons))
        e = self.edges
        out[e[:, 0], e[:, 1]] = w
        return out

    def simulate(self, x0, w0, t_end, dt=0.01, every=1, stepper="rk4", rtol=1e-8,
                 atol=1e-10, strict=True):
        """Integrate the neurons and synapses from ``(x0, w0)`` to ``t_end``.

        Parameters
        ----------
        x0 : array-like of shape (n,)
            The initial neurons.
        w0 : array-like of shape (m,) or (n, n)
            The initial synapses: the vector in mask order or a matrix read on the mask.
        t_end : float
            The end time.
        dt : float, default=0.01
            The (initial) step.
        every : int, default=1
            Keep the state every ``every`` steps.
        stepper : {"rk4", "dopri5"}, default="rk4"
            RK4 with step ``dt``, or adaptive ``"dopri5"`` with ``rtol``/``atol``.
        rtol, atol : float, default=1e-8, 1e-10
            The tolerances of ``"dopri5"``.
        strict : bool, default=True
            Whether Ctrl-C raises; ``strict=False`` returns the dict with status
            ``"interrupted"``.

        Returns
        -------
        trajectory : dict
            ``t`` ``(k,)``, ``x`` ``(k, n)``, ``w`` ``(k, m)`` (the last row is the final
            state), ``status``, ``message`` and ``n_steps``.

        Raises
        ------
        attractor.Interrupted
            On Ctrl-C with ``strict=True``, carrying the dict.
        """
        x0 = as_float_array(x0, "x0", 1)
        w0 = self.weights_on_mask(w0)
        strict = check_strict(strict)
        d = self._net.simulate(x0, w0, float(t_end), float(dt), int(every), stepper,
                               float(rtol), float(atol))
        if d["status"] == "interrupted" and strict:
            raise Interrupted(d)
        return d

    def certificate(self):
        """The contraction certificate of the joint neural-synaptic flow.

        Returns
        -------
        certificate : dict
            ``rate`` (the certified rate ``-alpha(G)``), ``contracting``, ``gains`` (the 2x2
            Metzler matrix ``G``), ``norm_weights`` ``(v_x, v_w)`` of the norm
            ``max(|x|_inf / v_x, |w|_inf / v_w)``, ``activity_bound``, ``weight_bound`` (the
            invariant box), ``max_in_degree``, ``lipschitz`` and ``criterion``.

        Raises
        ------
        attractor.AttractorError
            When the test does not apply (unbounded activation, no synaptic decay).
        """
        return self._net.certificate()

    def distance(self, cert, x1, w1, x2, w2):
        """The distance of two states in the certificate's norm.

        Parameters
        ----------
        cert : dict
            A certificate from :meth:`certificate`.
        x1, w1, x2, w2 : array-like
            The neurons and synaptic vectors of the two states.

        Returns
        -------
        distance : float
            ``max(|x1 - x2|_inf / v_x, |w1 - w2|_inf / v_w)``.
        """
        vx, vw = cert["norm_weights"]
        dx = np.max(np.abs(np.asarray(x1) - np.asarray(x2)), initial=0.0)
        dw = np.max(np.abs(np.asarray(w1) - np.asarray(w2)), initial=0.0)
        return max(dx / vx, dw / vw)
