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

    ``mask`` is an ``(n, n)`` array whose nonzero entries ``(i, j)`` are the synapses
    ``j -> i`` (default: all-to-all without self-synapses); ``u`` the constant input.
    ``rule`` is ``"hebbian"``, ``"anti_hebbian"`` or ``"oja"``; ``form`` ``"hopfield"`` or
    ``"firing_rate"``; ``gain`` is ``rho``, ``synaptic_decay`` is ``gamma``, ``epsilon`` the
    synaptic time scale, ``neural_decay`` is ``c`` and ``tau`` the neural time constant.
    Pickles and deep-copies (the compiled network is rebuilt from these arguments).
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
        """``w`` given as an ``(n, n)`` matrix read on the mask, or as the ``(m,)`` vector."""
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
        """The ``(n, n)`` matrix ``W`` of the ``(m,)`` synaptic vector ``w`` (zero off the
        mask)."""
        w = np.asarray(w, dtype=np.float64)
        out = np.zeros((self.n_neurons, self.n_neurons))
        e = self.edges
        out[e[:, 0], e[:, 1]] = w
        return out

    def simulate(self, x0, w0, t_end, dt=0.01, every=1, stepper="rk4", rtol=1e-8,
                 atol=1e-10, strict=True):
        """Integrate from ``(x0, w0)`` to ``t_end`` (RK4 with step ``dt``, or adaptive
        ``"dopri5"`` with ``rtol``/``atol``), keeping the state every ``every`` steps. ``w0`` is
        the ``(m,)`` vector in mask order or an ``(n, n)`` matrix read on the mask.

        Returns a dict with ``t`` ``(k,)``, ``x`` ``(k, n)``, ``w`` ``(k, m)`` (the trajectory;
        the last row is the final state), ``status``, ``message`` and ``n_steps``. Ctrl-C raises
        :class:`Interrupted` carrying that dict, unless ``strict=False``: then the dict returns
        with status ``"interrupted"``."""
        x0 = as_float_array(x0, "x0", 1)
        w0 = self.weights_on_mask(w0)
        strict = check_strict(strict)
        d = self._net.simulate(x0, w0, float(t_end), float(dt), int(every), stepper,
                               float(rtol), float(atol))
        if d["status"] == "interrupted" and strict:
            raise Interrupted(d)
        return d

    def certificate(self):
        """The contraction certificate: a dict with ``rate`` (the certified rate ``-alpha(G)``),
        ``contracting``, ``gains`` (the 2x2 Metzler matrix ``G``), ``norm_weights``
        ``(v_x, v_w)`` of the norm ``max(|x|_inf / v_x, |w|_inf / v_w)``, ``activity_bound``,
        ``weight_bound`` (the invariant box), ``max_in_degree``, ``lipschitz`` and
        ``criterion``. Raises :class:`AttractorError` when the test does not apply (unbounded
        activation, no synaptic decay)."""
        return self._net.certificate()

    def distance(self, cert, x1, w1, x2, w2):
        """``|z1 - z2|`` in the certificate's norm."""
        vx, vw = cert["norm_weights"]
        dx = np.max(np.abs(np.asarray(x1) - np.asarray(x2)), initial=0.0)
        dw = np.max(np.abs(np.asarray(w1) - np.asarray(w2)), initial=0.0)
        return max(dx / vx, dw / vw)
