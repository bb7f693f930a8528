"""attractor: energy-based dynamical models (Montanari, Bullo, Krotov, Motter,
arXiv:2604.05042) from a Rust core, with NumPy arrays in and out.

- :class:`HopfieldNetwork` -- the continuous-time Hopfield network
  ``tau dx/dt = -D x + W phi(x) + b`` with its energy (a Lyapunov function for symmetric W).
- :class:`FiringRateNetwork` -- ``tau dr/dt = -r + phi(W r + u)``.
- Associative memories as scikit-learn-style estimators (``fit`` stores, ``predict`` recalls):
  :class:`ClassicalHopfield` (Hebbian, Storkey, pseudo-inverse rules), :class:`DenseMemory`
  (polynomial and exponential separation), :class:`ModernHopfield` (inverse temperature beta).
- :class:`OscillatorMemory` -- phase oscillators that recall ``±1`` patterns, with the
  stability threshold ``kappa_c`` of each stored pattern.
- :class:`OscillatorIsingSampler` -- the oscillator Ising machine as a dimod sampler (when dimod
  is installed), and :func:`maxcut` for graphs, edge arrays and G-set files;
  :class:`AnnealingSampler` (simulated annealing, the baseline) and
  :class:`SimulatedBifurcationSampler` as dimod samplers; ``maxcut(..., solver=...)`` picks one.
- Sparse coding by competitive networks (FCN, PFCN, LCA): :class:`SparseCoder` (a
  scikit-learn transformer), :func:`sparse_encode`, :func:`sparse_path`,
  :func:`sparse_trajectory`, with an optimality certificate (duality gap) per code.
- Restricted Boltzmann machines with scikit-learn's ``BernoulliRBM`` face (CD-k/PCD in Rust):
  :class:`BernoulliRBM`, :class:`GaussianBernoulliRBM`, with the exact and AIS partition
  function, log-likelihoods, the exact pseudo-likelihood, sampling and safetensors files.
- Energy-based density models fitted by score matching (exact, denoising, sliced) and sampled
  by annealed Langevin dynamics: :class:`ScoreMatchingEnergy` (a Gaussian, a one-hidden-layer
  energy network or a dense associative memory energy).
- Layered energy networks trained by equilibrium propagation or contrastive Hebbian learning
  as scikit-learn classifiers: :class:`EquilibriumPropagationClassifier`,
  :class:`ContrastiveHebbianClassifier`, and :func:`gradient_check` (EP against the implicit
  gradient).
- Contraction certificates beyond symmetric weights: :func:`certify_contraction` (weighted
  l1 / l-infinity norms in closed form, a diagonally weighted l2 norm from an LMI), with the
  rate and the Lipschitz constant of the input-to-equilibrium map.
- :class:`NeuralSynapticNetwork` -- Hopfield or firing-rate neurons whose synapses learn by
  Hebbian, anti-Hebbian or Oja rules on a slower time scale, with a certified contraction rate.
- Families without an estimator face: :class:`BoltzmannMachine` (energies, the exact law,
  Gibbs sampling, Boltzmann learning), :class:`LangevinSampler` (on a
  :class:`QuadraticEnergy` or a :class:`HopfieldNetwork`), :class:`BoxQP` and :class:`PiPgd`
  (constrained optimisation as network dynamics), :class:`KuramotoRing` (ring memories),
  :func:`qubo_to_ising` / :func:`ising_to_qubo` and the energies of given states
  (:func:`ising_energy`, :func:`qubo_energy`), :func:`time_to_solution` of repeated runs.
- Readers: :func:`read_gset` (G-set or edge list), :func:`read_qubo`, :func:`read_npy`,
  :func:`read_idx`.
- :mod:`attractor.sweep` (imported on its own) -- grid and random parameter sweeps of Max-Cut
  runs, recall and capacity points, RBM training runs or any callable, on local processes or
  a Ray cluster, resumable, with a command line (``python -m attractor.sweep``).

Parallel computations run on one thread pool per process, sized once: by
:func:`set_num_threads` (``n`` threads, ``-1`` every core) called before the first
computation, or by ``ATTRACTOR_NUM_THREADS`` in the environment (a sweep's process workers each
get their share of the cores); :func:`get_num_threads` reports it. Results never depend on it.

Every error the library raises is an :class:`AttractorError` (a ``ValueError``), of a type
named after what went wrong: :class:`ShapeError` (sizes that do not fit together),
:class:`NonFiniteError` (NaN or inf), :class:`ParameterError` (a value out of its range, or
values that cannot be used together), :class:`FileFormatError`, :class:`FileAccessError`,
:class:`NumericalError` and :class:`NotConverged` (a time limit stopped a computation that has
no partial result); a request for
memory that cannot fit (above the memory available, a container's or ``ulimit -v``'s limit, or
the cap of :func:`set_memory_limit` / ``ATTRACTOR_MAX_MEMORY``) is refused before it is made
with a :class:`MemoryLimitError` (an ``AttractorError`` and a ``MemoryError``); a run stopped
by Ctrl-C raises :class:`Interrupted` (a ``KeyboardInterrupt``) whose ``result`` holds the best
state reached. A run that ends on its iteration limit before settling warns with
:class:`ConvergenceWarning` (scikit-learn's, when it is installed) and returns what it reached;
estimators take ``strict=False`` to receive a stopped run's result with its status instead of
an exception.
"""

from ._attractor import (
    AttractorError,
    FileAccessError,
    FileFormatError,
    MemoryLimitError,
    NonFiniteError,
    NotConverged,
    NumericalError,
    ParameterError,
    ShapeError,
    __version__,
    get_num_threads,
    memory_limit,
    set_memory_limit,
    set_num_threads,
)
from .errors import ConvergenceWarning, Interrupted
from ._records import Recall
from .dynamics import FiringRateNetwork, HopfieldNetwork, Solution
from .memory import ClassicalHopfield, DenseMemory, Krotov2021, ModernHopfield
from .oscillators import MaxCutResult, OscillatorMemory, maxcut, sample_ising_arrays
from .sparse import SparseCoder, SparseCodes, SparseDictionary, sparse_encode, sparse_path, sparse_trajectory
from .rbm import BernoulliRBM, GaussianBernoulliRBM, LikelihoodBracket
from .score_matching import ScoreMatchingEnergy
from .boltzmann import BoltzmannMachine
from .langevin import LangevinSampler, QuadraticEnergy
from .constrained import BoxQP, PiPgd
from .kuramoto import KuramotoRing
from .ising import ising_energy, ising_to_qubo, qubo_energy, qubo_to_ising, time_to_solution
from .eqprop import ContrastiveHebbianClassifier, EquilibriumPropagationClassifier, gradient_check
from .oscillator_eqprop import OscillatorEquilibriumPropagationClassifier
from .neural_synaptic import NeuralSynapticNetwork
from .io import read_gset, read_idx, read_npy, read_qubo
from .contraction import ContractionCertificate, certify_contraction

from .annealing import anneal_ising_arrays, bifurcate_ising_arrays

try:  # the dimod samplers need the optional extra
    from .oscillators import OscillatorIsingSampler  # noqa: F401
    from .annealing import AnnealingSampler, SimulatedBifurcationSampler  # noqa: F401
except ImportError:  # pragma: no cover - exercised only without dimod
    pass

__all__ = [
    "AttractorError",
    "get_num_threads",
    "set_num_threads",
    "FileAccessError",
    "FileFormatError",
    "NonFiniteError",
    "NotConverged",
    "NumericalError",
    "ParameterError",
    "ShapeError",
    "certify_contraction",
    "ContractionCertificate",
    "MemoryLimitError",
    "set_memory_limit",
    "memory_limit",
    "Interrupted",
    "ConvergenceWarning",
    "Recall",
    "SparseCodes",
    "HopfieldNetwork",
    "FiringRateNetwork",
    "Solution",
    "ClassicalHopfield",
    "DenseMemory",
    "ModernHopfield",
    "Krotov2021",
    "OscillatorIsingSampler",
    "AnnealingSampler",
    "SimulatedBifurcationSampler",
    "anneal_ising_arrays",
    "bifurcate_ising_arrays",
    "MaxCutResult",
    "OscillatorMemory",
    "maxcut",
    "sample_ising_arrays",
    "SparseCoder",
    "SparseDictionary",
    "sparse_encode",
    "sparse_path",
    "sparse_trajectory",
    "BernoulliRBM",
    "GaussianBernoulliRBM",
    "LikelihoodBracket",
    "ScoreMatchingEnergy",
    "BoltzmannMachine",
    "LangevinSampler",
    "QuadraticEnergy",
    "BoxQP",
    "PiPgd",
    "KuramotoRing",
    "qubo_to_ising",
    "ising_to_qubo",
    "ising_energy",
    "qubo_energy",
    "time_to_solution",
    "EquilibriumPropagationClassifier",
    "ContrastiveHebbianClassifier",
    "gradient_check",
    "OscillatorEquilibriumPropagationClassifier",
    "NeuralSynapticNetwork",
    "read_gset",
    "read_idx",
    "read_npy",
    "read_qubo",
    "__version__",
]
