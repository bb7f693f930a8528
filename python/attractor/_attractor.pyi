"""Type stubs of the compiled module (the public faces are in the pure-Python modules)."""

from os import PathLike
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

class AttractorError(ValueError): ...
class MemoryLimitError(AttractorError, MemoryError): ...
class ShapeError(AttractorError): ...
class NonFiniteError(AttractorError): ...
class ParameterError(AttractorError): ...
class FileFormatError(AttractorError): ...
class NumericalError(AttractorError): ...
class NotConverged(AttractorError): ...
class FileAccessError(AttractorError): ...

def set_memory_limit(limit: Union[int, str, None]) -> None: ...
def memory_limit() -> Optional[int]: ...
def set_num_threads(n: int) -> int: ...
def get_num_threads() -> int: ...

class HopfieldNetwork:
    def __init__(
        self,
        weights: npt.NDArray[np.float64],
        activation: str = "tanh",
        tau: float = 1.0,
        decay: Optional[npt.NDArray[np.float64]] = None,
        bias: Optional[npt.NDArray[np.float64]] = None,
    ) -> None: ...
    @property
    def dim(self) -> int: ...
    def energy(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
    def run(self, x0: npt.NDArray[np.float64], **options: Any) -> dict: ...
    def field(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
    def run_batch(
        self,
        x0: npt.NDArray[np.float64],
        stepper: str = "rk4",
        dt: float = 0.01,
        max_steps: int = 100_000,
        steady: Optional[Tuple[float, float]] = (1e-8, 1e-10),
    ) -> dict: ...

class FiringRateNetwork:
    def __init__(
        self,
        weights: npt.NDArray[np.float64],
        activation: str = "tanh",
        tau: float = 1.0,
        input: Optional[npt.NDArray[np.float64]] = None,
    ) -> None: ...
    @property
    def dim(self) -> int: ...
    def run(self, r0: npt.NDArray[np.float64], **options: Any) -> dict: ...
    def field(self, r: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...

class NeuralSynapticNetwork:
    def __init__(
        self,
        n: int,
        activation: str = "tanh",
        rule: str = "hebbian",
        form: str = "hopfield",
        tau: float = 1.0,
        neural_decay: float = 1.0,
        gain: float = 0.1,
        synaptic_decay: float = 1.0,
        epsilon: float = 0.1,
        mask: Optional[npt.NDArray[np.float64]] = None,
        u: Optional[npt.NDArray[np.float64]] = None,
    ) -> None: ...
    @property
    def n_neurons(self) -> int: ...
    @property
    def n_synapses(self) -> int: ...
    def edges(self) -> npt.NDArray[np.int64]: ...
    def certificate(self) -> Dict[str, Any]: ...
    def simulate(
        self,
        x0: npt.NDArray[np.float64],
        w0: npt.NDArray[np.float64],
        t_end: float,
        dt: float = 0.01,
        every: int = 1,
        stepper: str = "rk4",
        rtol: float = 1e-8,
        atol: float = 1e-10,
    ) -> Dict[str, Any]: ...

class OscillatorMemory:
    def __init__(self, patterns: npt.NDArray[np.float64], kappa: float, scale: str = "n") -> None: ...
    def critical_kappa(self, pattern: npt.NDArray[np.float64]) -> float: ...
    def recall(
        self,
        queries: npt.NDArray[np.float64],
        t_end: float = 120.0,
        dt: float = 0.05,
        jitter: float = 0.0,
        seed: int = 0,
    ) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...

class Memory:
    def __init__(
        self,
        model: str,
        patterns: npt.NDArray[np.float64],
        separation: str = "3",
        beta: float = 1.0,
        synchronous: bool = False,
        seed: int = 0,
        max_sweeps: int = 100,
    ) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def dim(self) -> int: ...
    @property
    def n_patterns(self) -> int: ...
    def energy(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
    def recall(
        self, queries: npt.NDArray[np.float64]
    ) -> Tuple[npt.NDArray[np.float64], list, npt.NDArray[np.uint64], npt.NDArray[np.float64], bool]: ...

def sample_ising(
    n: int,
    linear: npt.NDArray[np.float64],
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    b: npt.NDArray[np.float64],
    offset: float = 0.0,
    seed: int = 0,
    replicas: int = 16,
    rounds: int = 1,
    time: Optional[float] = None,
    threads: int = 1,
    steps: Optional[int] = None,
    progress: Optional[object] = None,
    params: Optional[Dict[str, Any]] = None,
) -> dict: ...
def anneal_ising(
    n: int,
    linear: npt.NDArray[np.float64],
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    b: npt.NDArray[np.float64],
    offset: float = 0.0,
    seed: int = 0,
    num_reads: int = 16,
    num_sweeps: int = 1000,
    beta_range: Optional[Tuple[float, float]] = None,
    rounds: int = 1,
    time: Optional[float] = None,
    threads: int = 1,
) -> dict: ...
def bifurcate_ising(
    n: int,
    linear: npt.NDArray[np.float64],
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    b: npt.NDArray[np.float64],
    offset: float = 0.0,
    seed: int = 0,
    agents: int = 64,
    steps: int = 10000,
    variant: str = "discrete",
    dt: Optional[float] = None,
    c0: Optional[float] = None,
    rounds: int = 1,
    time: Optional[float] = None,
    threads: int = 1,
    heating: float = 0.0,
    steps_first: Optional[int] = 1000,
) -> dict: ...
def sample_max_cut(
    n: int,
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    w: npt.NDArray[np.float64],
    seed: int = 0,
    replicas: int = 16,
    rounds: int = 1,
    time: Optional[float] = None,
    threads: int = 1,
    steps: Optional[int] = None,
    progress: Optional[object] = None,
    params: Optional[Dict[str, Any]] = None,
) -> dict: ...
def time_to_solution(
    energies: Sequence[float],
    seconds: Sequence[float],
    reached: Sequence[bool],
    probability: float = 0.99,
    resamples: int = 1000,
    seed: int = 0,
) -> dict: ...
def qubo_to_ising(
    n: int,
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    q: npt.NDArray[np.float64],
    offset: float = 0.0,
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], float]: ...
def ising_to_qubo(
    n: int,
    linear: npt.NDArray[np.float64],
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    b: npt.NDArray[np.float64],
    offset: float = 0.0,
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], float]: ...
def ising_energies(
    n: int,
    linear: npt.NDArray[np.float64],
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    b: npt.NDArray[np.float64],
    offset: float,
    states: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]: ...
def qubo_values(
    n: int,
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    q: npt.NDArray[np.float64],
    offset: float,
    states: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]: ...
def read_graph(
    path: "str | PathLike[str]", format: str = "rudy"
) -> Tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
def read_qubo(
    path: "str | PathLike[str]",
) -> Tuple[Tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]], float]: ...
def read_npy(path: "str | PathLike[str]") -> Tuple[list, npt.NDArray[np.float64]]: ...
def read_idx(path: "str | PathLike[str]") -> Tuple[list, npt.NDArray[np.uint8]]: ...

class SparseDictionary:
    def __init__(self, atoms: npt.ArrayLike, n_threads: Optional[int] = None) -> None: ...
    @property
    def n_atoms(self) -> int: ...
    @property
    def n_features(self) -> int: ...
    @property
    def lipschitz(self) -> float: ...
    def spectrum(self) -> Tuple[float, float]: ...
    def atoms(self) -> npt.NDArray[np.float64]: ...

Dictionary = Union[npt.ArrayLike, SparseDictionary]

def sparse_encode(
    signals: npt.ArrayLike,
    dictionary: Dictionary,
    alpha: float = 1.0,
    positive: bool = False,
    method: Optional[str] = None,
    momentum: Optional[str] = None,
    tol: float = 1e-6,
    max_iter: int = 10_000,
    init: Optional[npt.ArrayLike] = None,
    gamma: Optional[float] = None,
    dt: float = 1.0,
    tau: float = 1.0,
    check_every: int = 10,
    equilibrium_solve: bool = True,
    time: Optional[float] = None,
    n_threads: Optional[int] = None,
) -> Tuple[npt.NDArray[np.float64], Dict[str, Any]]: ...
def sparse_path(
    signals: npt.ArrayLike,
    dictionary: Dictionary,
    alphas: npt.ArrayLike,
    positive: bool = False,
    method: Optional[str] = None,
    momentum: Optional[str] = None,
    tol: float = 1e-6,
    max_iter: int = 10_000,
    gamma: Optional[float] = None,
    dt: float = 1.0,
    tau: float = 1.0,
    check_every: int = 10,
    equilibrium_solve: bool = True,
    time: Optional[float] = None,
    n_threads: Optional[int] = None,
) -> List[Tuple[npt.NDArray[np.float64], Dict[str, Any]]]: ...
def sparse_trajectory(
    signal: npt.ArrayLike,
    dictionary: Dictionary,
    alpha: float = 1.0,
    positive: bool = False,
    method: Optional[str] = None,
    momentum: Optional[str] = None,
    tol: float = 1e-6,
    max_iter: int = 10_000,
    init: Optional[npt.ArrayLike] = None,
    gamma: Optional[float] = None,
    dt: float = 1.0,
    tau: float = 1.0,
    check_every: int = 10,
    every: int = 1,
    max_points: int = 4096,
    time: Optional[float] = None,
    n_threads: Optional[int] = None,
) -> Dict[str, Any]: ...
def sparse_gamma(
    dictionary: Dictionary,
    alpha: float = 1.0,
    positive: bool = False,
    method: Optional[str] = None,
    momentum: Optional[str] = None,
    tol: float = 1e-6,
    max_iter: int = 10_000,
    gamma: Optional[float] = None,
    dt: float = 1.0,
    tau: float = 1.0,
    check_every: int = 10,
    n_threads: Optional[int] = None,
) -> float: ...
def certify_contraction(
    w: npt.ArrayLike,
    activation: str = "tanh",
    norm: str = "auto",
    model: str = "firing_rate",
    tau: float = 1.0,
) -> Dict[str, Any]: ...
def sparse_contraction_rate(
    dictionary: Dictionary,
    positive: bool = False,
    method: Optional[str] = None,
    gamma: Optional[float] = None,
    n_threads: Optional[int] = None,
) -> Optional[float]: ...

class Rbm:
    def __init__(
        self,
        components: npt.ArrayLike,
        visible_bias: Sequence[float],
        hidden_bias: Sequence[float],
        visible: str = "bernoulli",
        n_threads: Optional[int] = None,
    ) -> None: ...
    @staticmethod
    def random(
        n_visible: int,
        n_hidden: int,
        visible: str = "bernoulli",
        scale: float = 0.01,
        seed: int = 0,
        n_threads: Optional[int] = None,
    ) -> "Rbm": ...
    @staticmethod
    def load(path: Union[str, PathLike], n_threads: Optional[int] = None) -> "Rbm": ...
    @staticmethod
    def from_bytes(data: bytes, name: str = "<bytes>", n_threads: Optional[int] = None) -> "Rbm": ...
    def save(self, path: Union[str, PathLike]) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def n_visible(self) -> int: ...
    @property
    def n_hidden(self) -> int: ...
    @property
    def visible_units(self) -> str: ...
    def components(self) -> npt.NDArray[np.float64]: ...
    def visible_bias(self) -> npt.NDArray[np.float64]: ...
    def hidden_bias(self) -> npt.NDArray[np.float64]: ...
    def set_parameters(
        self, components: npt.ArrayLike, visible_bias: Sequence[float], hidden_bias: Sequence[float]
    ) -> None: ...
    def set_n_threads(self, n_threads: Optional[int] = None) -> None: ...
    def set_trainer(
        self,
        persistent: bool = True,
        k: int = 1,
        learning_rate: float = 0.1,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        batch_size: int = 10,
        shuffle: bool = True,
        seed: int = 0,
        method: Optional[str] = None,
        n_chains: Optional[int] = None,
        learning_rate_schedule: str = "constant",
        momentum_schedule: str = "constant",
        centering: str = "none",
        temperatures: Optional[Sequence[float]] = None,
        n_temperatures: Optional[int] = None,
        max_temperature: float = 10.0,
    ) -> None: ...
    def init_visible_bias(self, x: npt.ArrayLike) -> None: ...
    def swap_rates(self) -> Optional[List[float]]: ...
    @property
    def current_learning_rate(self) -> Optional[float]: ...
    @property
    def has_trainer(self) -> bool: ...
    @property
    def epochs_done(self) -> int: ...
    @property
    def n_updates(self) -> int: ...
    def persistent_chains(self) -> Optional[npt.NDArray[np.float64]]: ...
    def fit_epochs(self, x: npt.ArrayLike, n_epochs: int, monitor: bool = False) -> Dict[str, Any]: ...
    def partial_fit(self, x: npt.ArrayLike) -> None: ...
    def transform(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def reconstruct(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def reconstruction_error(self, x: npt.ArrayLike) -> float: ...
    def free_energies(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def gibbs(self, v: npt.ArrayLike, seed: int = 0, n_steps: int = 1) -> npt.NDArray[np.float64]: ...
    def sample(
        self, n_samples: int, n_steps: int, seed: int = 0
    ) -> tuple[npt.NDArray[np.float64], bool]: ...
    def sample_tempering(
        self,
        n_samples: int,
        n_steps: int,
        seed: int = 0,
        temperatures: Optional[Sequence[float]] = None,
        n_temperatures: Optional[int] = None,
        max_temperature: float = 10.0,
    ) -> tuple[npt.NDArray[np.float64], bool, Dict[str, Any]]: ...
    def log_z_exact(self) -> float: ...
    def ais(
        self,
        n_runs: int = 100,
        n_betas: int = 10_000,
        seed: int = 0,
        data: Optional[npt.ArrayLike] = None,
        base: str = "data",
    ) -> Dict[str, Any]: ...
    def log_likelihood(self, x: npt.ArrayLike, log_z: Optional[float] = None) -> float: ...
    def raise_log_likelihood(
        self,
        x: npt.ArrayLike,
        n_betas: int = 10_000,
        seed: int = 0,
        base_data: Optional[npt.ArrayLike] = None,
        chains_per_sample: int = 1,
    ) -> Dict[str, Any]: ...
    def log_likelihood_bracket(
        self,
        x: npt.ArrayLike,
        n_runs: int = 100,
        n_betas: int = 10_000,
        seed: int = 0,
        base_data: Optional[npt.ArrayLike] = None,
        chains_per_sample: int = 1,
        max_samples: Optional[int] = None,
    ) -> Dict[str, Any]: ...
    def pseudo_likelihood_exact(self, x: npt.ArrayLike) -> float: ...
    def pseudo_likelihood_stochastic(self, x: npt.ArrayLike, seed: int = 0) -> npt.NDArray[np.float64]: ...

class ScoreEnergyModel:
    @staticmethod
    def gaussian(mean: Sequence[float], precision: npt.ArrayLike) -> "ScoreEnergyModel": ...
    @staticmethod
    def standard_gaussian(n_features: int) -> "ScoreEnergyModel": ...
    @staticmethod
    def gaussian_closed_form(x: npt.ArrayLike) -> "ScoreEnergyModel": ...
    @staticmethod
    def network(
        weights: npt.ArrayLike,
        biases: Sequence[float],
        output_weights: Sequence[float],
        scale: float,
    ) -> "ScoreEnergyModel": ...
    @staticmethod
    def random_network(
        n_features: int, n_hidden: int, scale: float, seed: int = 0
    ) -> "ScoreEnergyModel": ...
    @staticmethod
    def dense_memory(patterns: npt.ArrayLike, beta: float, scale: float) -> "ScoreEnergyModel": ...
    @staticmethod
    def dense_memory_from_data(
        x: npt.ArrayLike, n_patterns: int, beta: float, scale: float, seed: int = 0
    ) -> "ScoreEnergyModel": ...
    @property
    def kind(self) -> str: ...
    @property
    def n_features(self) -> int: ...
    def parameters(self) -> Dict[str, Any]: ...
    def set_trainer(
        self,
        objective: str = "denoising",
        noise_levels: Sequence[float] = ...,
        n_projections: int = 1,
        projection: str = "rademacher",
        learning_rate: float = 0.01,
        batch_size: int = 128,
        weight_decay: float = 0.0,
        seed: int = 0,
    ) -> None: ...
    @property
    def has_trainer(self) -> bool: ...
    @property
    def epochs_done(self) -> int: ...
    @property
    def last_loss(self) -> float: ...
    def fit_epochs(
        self, x: npt.ArrayLike, n_epochs: int, monitor_seed: Optional[int] = None
    ) -> Dict[str, Any]: ...
    def partial_fit(self, x: npt.ArrayLike) -> float: ...
    def energies(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def scores(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def objective(
        self,
        x: npt.ArrayLike,
        objective: str = "denoising",
        noise_levels: Sequence[float] = ...,
        n_projections: int = 1,
        projection: str = "rademacher",
        seed: int = 0,
    ) -> float: ...
    def sample(
        self,
        n_samples: int,
        n_steps: int,
        step_size: float = 0.01,
        temperature: float = 1.0,
        anneal_from: float = 1.0,
        seed: int = 0,
        center: Optional[Sequence[float]] = None,
        spread: float = 1.0,
    ) -> Tuple[npt.NDArray[np.float64], bool]: ...

class Krotov2021:
    def __init__(
        self,
        patterns: npt.NDArray[np.float64],
        model: str = "B",
        n: float = 3,
        beta: float = 1.0,
        tau_f: float = 1.0,
        tau_h: float = 1.0,
    ) -> None: ...
    def recall(
        self,
        queries: npt.NDArray[np.float64],
        t_end: float = 50.0,
        dt: float = 0.05,
        steady: Optional[Tuple[float, float]] = (1e-8, 1e-8),
    ) -> Any: ...

class LayeredNet:
    def __init__(
        self, sizes: Sequence[int], activation: str = "hard-sigmoid", seed: int = 0,
        n_threads: Optional[int] = None,
    ) -> None: ...
    @staticmethod
    def from_parameters(
        weights: Sequence[npt.NDArray[np.float64]], biases: Sequence[npt.NDArray[np.float64]],
        activation: str = "hard-sigmoid", n_threads: Optional[int] = None,
    ) -> "LayeredNet": ...
    @staticmethod
    def from_bytes(data: bytes, name: str = "<bytes>", n_threads: Optional[int] = None) -> "LayeredNet": ...
    def to_bytes(self) -> bytes: ...
    @property
    def sizes(self) -> List[int]: ...
    @property
    def activation(self) -> str: ...
    @property
    def weights(self) -> List[npt.NDArray[np.float64]]: ...
    @property
    def biases(self) -> List[npt.NDArray[np.float64]]: ...
    def set_n_threads(self, n_threads: Optional[int] = None) -> None: ...
    def set_trainer(self, rule: str = "ep", beta: float = 0.5, nudging: str = "one-sided",
                    cost: str = "squared-error", epsilon: float = 0.5, free_steps: int = 20,
                    nudge_steps: int = 4, persistent: bool = True,
                    learning_rate: Sequence[float] = (0.1, 0.05), momentum: float = 0.0,
                    batch_size: int = 20, shuffle: bool = True, seed: int = 0) -> None: ...
    def has_trainer(self) -> bool: ...
    def epochs_done(self) -> int: ...
    def n_updates(self) -> int: ...
    def error_counts(self) -> Tuple[int, int]: ...
    def fit_epochs(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                   n_epochs: int) -> Dict[str, Any]: ...
    def partial_fit(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None: ...
    def predict_outputs(self, x: npt.NDArray[np.float64], steps: int = 100,
                        epsilon: float = 0.5) -> npt.NDArray[np.float64]: ...
    def predict_classes(self, x: npt.NDArray[np.float64], steps: int = 100,
                        epsilon: float = 0.5) -> npt.NDArray[np.int64]: ...

class OscillatorNet:
    def __init__(self, sizes: Sequence[int], seed: int = 0, n_threads: Optional[int] = None) -> None: ...
    @staticmethod
    def from_parameters(
        weights: Sequence[npt.NDArray[np.float64]], biases: Sequence[npt.NDArray[np.float64]],
        n_threads: Optional[int] = None,
    ) -> "OscillatorNet": ...
    @staticmethod
    def from_bytes(data: bytes, name: str = "<bytes>", n_threads: Optional[int] = None) -> "OscillatorNet": ...
    def to_bytes(self) -> bytes: ...
    @property
    def sizes(self) -> List[int]: ...
    @property
    def weights(self) -> List[npt.NDArray[np.float64]]: ...
    @property
    def biases(self) -> List[npt.NDArray[np.float64]]: ...
    def set_n_threads(self, n_threads: Optional[int] = None) -> None: ...
    def set_trainer(self, beta: float = 0.5, nudging: str = "symmetric", epsilon: float = 0.3,
                    free_steps: int = 40, nudge_steps: int = 20,
                    learning_rate: Sequence[float] = (0.1, 0.05), momentum: float = 0.0,
                    batch_size: int = 20, shuffle: bool = True, seed: int = 0) -> None: ...
    @property
    def has_trainer(self) -> bool: ...
    @property
    def epochs_done(self) -> int: ...
    @property
    def n_updates(self) -> int: ...
    @property
    def error_counts(self) -> Tuple[int, int]: ...
    def fit_epochs(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                   n_epochs: int) -> Dict[str, Any]: ...
    def partial_fit(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None: ...
    def predict_outputs(self, x: npt.NDArray[np.float64], steps: int = 100,
                        epsilon: float = 0.3) -> npt.NDArray[np.float64]: ...
    def predict_classes(self, x: npt.NDArray[np.float64], steps: int = 100,
                        epsilon: float = 0.3) -> npt.NDArray[np.int64]: ...

def gradient_check(
    net: LayeredNet,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    cost: str = "squared-error",
    betas: Optional[Sequence[float]] = None,
    epsilon: float = 0.2,
    max_steps: int = 20000,
    tol: float = 1e-11,
    bptt_steps: int = 2000,
    fd_step: Optional[float] = 1e-5,
) -> Dict[str, Any]: ...

class BoltzmannMachine:
    def __init__(
        self, weights: npt.ArrayLike, biases: npt.ArrayLike, units: str = "binary", temperature: float = 1.0
    ) -> None: ...
    @property
    def n(self) -> int: ...
    @property
    def temperature(self) -> float: ...
    @property
    def units(self) -> str: ...
    @property
    def weights(self) -> npt.NDArray[np.float64]: ...
    @property
    def biases(self) -> npt.NDArray[np.float64]: ...
    def energy(self, states: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def log_partition(self) -> float: ...
    def exact(self) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    def log_likelihood(self, data: npt.ArrayLike) -> float: ...
    def sample(
        self,
        n_samples: int,
        n_sweeps: int = 100,
        seed: int = 0,
        scan: str = "sequential",
        time: Optional[float] = None,
        n_threads: Optional[int] = None,
        method: str = "gibbs",
        temperatures: Optional[Sequence[float]] = None,
        n_temperatures: Optional[int] = None,
        max_temperature: float = 10.0,
    ) -> dict: ...
    def learn(
        self,
        data: npt.NDArray[np.float64],
        learning_rate: float = 0.1,
        n_updates: int = 1,
        statistics: str = "exact",
        n_chains: int = 100,
        n_sweeps: int = 1,
        persistent: bool = True,
        seed: int = 0,
        n_threads: Optional[int] = None,
    ) -> npt.NDArray[np.float64]: ...
    def reset_learning(self) -> None: ...

def langevin_quadratic(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    n_samples: int,
    n_steps: int = 1000,
    step_size: float = 0.01,
    temperature: float = 1.0,
    final_temperature: Optional[float] = None,
    seed: int = 0,
    center: Optional[npt.ArrayLike] = None,
    spread: float = 1.0,
    time: Optional[float] = None,
    n_threads: Optional[int] = None,
) -> dict: ...
def langevin_hopfield(
    network: HopfieldNetwork,
    n_samples: int,
    n_steps: int = 1000,
    step_size: float = 0.01,
    temperature: float = 1.0,
    final_temperature: Optional[float] = None,
    seed: int = 0,
    center: Optional[npt.ArrayLike] = None,
    spread: float = 1.0,
    time: Optional[float] = None,
    n_threads: Optional[int] = None,
) -> dict: ...

class BoxQP:
    def __init__(
        self,
        weights: npt.ArrayLike,
        linear: npt.ArrayLike,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        gamma: Optional[float] = None,
        tau: float = 1.0,
    ) -> None: ...
    @property
    def dim(self) -> int: ...
    @property
    def gamma(self) -> float: ...
    def contraction_rate(self) -> Optional[float]: ...
    def objective(self, x: npt.ArrayLike) -> float: ...
    def kkt_residual(self, x: npt.ArrayLike) -> float: ...
    def field(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
    def run(self, x0: npt.ArrayLike, **options: Any) -> dict: ...

class PiPgd:
    def __init__(
        self,
        weights: npt.ArrayLike,
        a: npt.ArrayLike,
        b: npt.ArrayLike,
        lam: float = 1.0,
        k_p: float = 20.0,
        k_i: float = 20.0,
        gamma: Optional[float] = None,
    ) -> None: ...
    @property
    def n_vars(self) -> int: ...
    @property
    def n_constraints(self) -> int: ...
    @property
    def dim(self) -> int: ...
    def split(self, z: npt.ArrayLike) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    def constraint_residual(self, z: npt.ArrayLike) -> float: ...
    def kkt_residual(self, z: npt.ArrayLike) -> float: ...
    def objective(self, x: npt.ArrayLike) -> float: ...
    def field(self, z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
    def run(self, z0: npt.ArrayLike, **options: Any) -> dict: ...

class KuramotoRing:
    def __init__(self, n: int) -> None: ...
    @property
    def n(self) -> int: ...
    def twists(self) -> List[int]: ...
    def stable_twists(self) -> List[int]: ...
    def twisted_state(self, q: int) -> npt.NDArray[np.float64]: ...
    def twisted_eigenvalues(self, q: int) -> npt.NDArray[np.float64]: ...
    def is_stable_twist(self, q: int) -> bool: ...
    @staticmethod
    def winding_number(theta: npt.ArrayLike) -> int: ...
    def field(self, theta: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
    def run(self, theta0: npt.ArrayLike, **options: Any) -> dict: ...
