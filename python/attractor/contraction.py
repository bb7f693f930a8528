"""Contraction certificates of recurrent networks beyond symmetric weights.

A network ``tau x' = -x + phi(W x + u)`` (firing-rate) or ``tau x' = -x + W phi(x) + u``
(Hopfield) with a slope-restricted activation is *contracting* in a norm when the matrix
measure of its Jacobian is at most ``-c`` for every admissible slope: any two trajectories then
approach each other as ``exp(-c t)`` and the equilibrium is unique and globally stable
(Davydov, Jafarpour, Bullo, IEEE TAC 2022, arXiv:2103.12263). The library computes the
certificate in a weighted l1 or l-infinity norm (optimal weights in closed form from the Perron
vectors of the Metzler majorant of W) or a diagonally weighted l2 norm (a sector LMI), in Rust.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _attractor
from ._records import ArrayRecord

__all__ = ["ContractionCertificate", "certify_contraction"]


@dataclass(frozen=True, eq=False, repr=False)
class ContractionCertificate(ArrayRecord):
    """A certified contraction rate and the norm that proves it.

    Attributes
    ----------
    norm : str
        ``"l1w"`` (``sum w_i |x_i|``), ``"linfw"`` (``max w_i |x_i|``), ``"l2w"``
        (``sqrt(sum p_i x_i^2)``) or ``"l2sym"`` (the symmetric-W test; weights not returned).
    weights : numpy.ndarray
        The norm's weights, largest 1.
    rate : float
        ``c`` per unit time: ``||x(t) - y(t)|| <= exp(-c t) ||x(0) - y(0)||``.
    contracting : bool
        ``rate > 0``.
    lipschitz_input : float or None
        When contracting, the Lipschitz constant of the input-to-equilibrium map ``u -> x*(u)``
        in this norm.
    criterion : str
        What was tested.
    """

    norm: str
    weights: np.ndarray
    rate: float
    contracting: bool
    lipschitz_input: Optional[float]
    criterion: str


def certify_contraction(
    W,
    activation: str = "tanh",
    norm: str = "auto",
    model: str = "firing_rate",
    tau: float = 1.0,
) -> ContractionCertificate:
    """Certify contraction of a firing-rate or Hopfield network.

    Parameters
    ----------
    W : array_like, shape (n, n)
        The couplings.
    activation : {"tanh", "logistic", "relu", "satlin", "identity"}
        The activation (its slope bounds enter the certificate).
    norm : {"auto", "l1w", "linfw", "l2w"}
        The norm; ``"auto"`` returns the best certificate (``"l2w"`` only for n <= 400).
    model : {"firing_rate", "hopfield"}
        ``tau x' = -x + phi(W x + u)`` or ``tau x' = -x + W phi(x) + u``.
    tau : float
        The time constant (> 0); the rate is per unit time.

    Returns
    -------
    certificate : attractor.ContractionCertificate
        The best certified rate, its norm and weights.

    Raises
    ------
    AttractorError
        A non-square or non-finite ``W``, a non-positive ``tau``, an unknown name; the message
        says what to change.

    Examples
    --------
    >>> import numpy as np, attractor
    >>> W = np.array([[0.0, 0.0], [3.0, 0.0]])  # ||W||_2 = 3, yet contracting
    >>> c = attractor.certify_contraction(W, norm="linfw")
    >>> c.contracting, round(c.rate, 2)
    (True, 1.0)
    """
    d = _attractor.certify_contraction(W, activation=activation, norm=norm, model=model, tau=float(tau))
    return ContractionCertificate(
        norm=d["norm"],
        weights=np.asarray(d["weights"]),
        rate=float(d["rate"]),
        contracting=bool(d["contracting"]),
        lipschitz_input=d["lipschitz_input"],
        criterion=d["criterion"],
    )
