"""The function API's conventions: one thread parameter, n_threads, with scikit-learn's meaning
(old spellings warn); strict=True raises on an interrupted, time-limited or non-converged run
and strict=False returns the result with its status; edge arrays of the wrong shape or with
1-based ids are refused with a message saying what to do; the dimod samplers pickle and copy
and show their parameters."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import attractor
from attractor import _attractor
from attractor._calls import n_threads_arg
from attractor.errors import cpu_count as cores

TRIANGLE = np.array([[0, 1], [1, 2], [2, 0]])


def ring(n):
    return np.array([[k, (k + 1) % n] for k in range(n)])


# ---------------------------------------------------------------- n_threads


def test_n_threads_means_what_scikit_learn_means():
    c = cores()
    assert n_threads_arg(None, "f") == 1
    assert n_threads_arg(1, "f") == 1
    assert n_threads_arg(3, "f") == 3
    assert n_threads_arg(-1, "f") == 0  # the compiled functions' "every core"
    assert n_threads_arg(-2, "f") == (max(1, c - 1) if c > 1 else 0)
    assert n_threads_arg(-1000, "f") in (0, 1)  # never below one thread
    with pytest.raises(attractor.AttractorError, match="n_threads = 0: give None or 1 .one thread., k > 1 .k threads., -1 .every core."):
        n_threads_arg(0, "f")
    with pytest.raises(TypeError, match="n_threads: expected None or a whole number of threads, got 1.5"):
        n_threads_arg(1.5, "f")
    with pytest.raises(TypeError, match="n_threads: expected None or a whole number of threads, got True"):
        n_threads_arg(True, "f")


def test_n_threads_reaches_the_compiled_call(monkeypatch):
    seen = []
    real = _attractor.sample_max_cut

    def spy(*a, **kw):
        seen.append(kw["threads"])
        return real(*a, **kw)

    monkeypatch.setattr(_attractor, "sample_max_cut", spy)
    cuts = [attractor.maxcut(ring(20), rounds=1, seed=2, n_threads=k).cut for k in (None, 2, -1)]
    assert seen == [1, 2, 0]
    assert cuts[0] == cuts[1] == cuts[2]  # results do not depend on the thread count
    with pytest.raises(attractor.AttractorError, match="n_threads = 0"):
        attractor.maxcut(ring(20), rounds=1, n_threads=0)


def test_old_thread_spellings_warn_and_keep_their_meaning(monkeypatch):
    seen = []
    real = _attractor.anneal_ising

    def spy(*a, **kw):
        seen.append(kw["threads"])
        return real(*a, **kw)

    monkeypatch.setattr(_attractor, "anneal_ising", spy)
    args = (3, np.zeros(3), [0, 1], [1, 2], [1.0, 1.0])
    with pytest.warns(FutureWarning, match="num_threads= is deprecated.*use n_threads="):
        old = attractor.anneal_ising_arrays(*args, num_threads=0, num_sweeps=10)
    new = attractor.anneal_ising_arrays(*args, n_threads=-1, num_sweeps=10)
    assert seen == [0, 0]  # the old 0 ("every core") is the new -1
    assert old["samples"].tolist() == new["samples"].tolist()
    with pytest.warns(FutureWarning, match="maxcut: threads= is deprecated"):
        attractor.maxcut(TRIANGLE, rounds=1, threads=1)
    with pytest.raises(TypeError, match="give the thread count once, as n_threads"):
        attractor.maxcut(TRIANGLE, rounds=1, threads=1, n_threads=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new spelling is silent
        attractor.maxcut(TRIANGLE, rounds=1, n_threads=1)


# ---------------------------------------------------------------- strict


def test_strict_flow_raises_not_converged_and_lax_returns_the_status():
    rng = np.random.default_rng(0)
    g = rng.standard_normal((20, 20))
    net = attractor.HopfieldNetwork(1.5 * (g + g.T) / np.sqrt(40))
    x0 = rng.standard_normal(20)
    with pytest.raises(attractor.NotConverged, match="max_steps = 5.*raise max_steps.*strict=False") as info:
        net.run(x0, max_steps=5)
    assert info.value.result.status == "max steps" and info.value.result.n_steps == 5
    sol = net.run(x0, max_steps=5, strict=False)
    assert sol.status == "max steps" and np.array_equal(sol.state, info.value.result.state)
    # an end time reached, or no steady state asked for, is not a failure
    assert net.run(x0, t_end=0.1, dt=0.01, stepper="rk4").status == "end time"
    assert net.run(x0, max_steps=5, steady=None).status == "max steps"
    assert net.run(x0).status == "converged"
    with pytest.raises(attractor.NotConverged, match="rows stopped before a steady state"):
        net.run_batch(np.tile(x0, (3, 1)), max_steps=5)
    d = net.run_batch(np.tile(x0, (3, 1)), max_steps=5, strict=False)
    assert list(d["status"]) == ["max steps"] * 3
    fr = attractor.FiringRateNetwork(0.5 * (g + g.T) / np.sqrt(40))
    with pytest.raises(attractor.NotConverged):
        fr.run(np.zeros(20) + 0.3, max_steps=3)
    assert fr.run(np.zeros(20) + 0.3, max_steps=3, strict=False).status == "max steps"


@pytest.mark.parametrize("solver", ["oim", "anneal", "sb"])
def test_strict_time_limit_before_the_first_round(g1, solver):
    with pytest.raises(attractor.NotConverged, match=r"time = 1e-06 s ended before the first round") as info:
        attractor.maxcut(g1, time=1e-6, solver=solver)
    assert info.value.result.status == "timeout"
    r = attractor.maxcut(g1, time=1e-6, solver=solver, strict=False)
    assert r.status == "timeout" and np.isnan(r.cut) and r.partition.size == 0


def test_strict_samplers_and_arrays(g1):
    n, edges = attractor.read_gset(g1)
    i, j, w = edges[:, 0].astype(int), edges[:, 1].astype(int), edges[:, 2]
    for f in (attractor.sample_ising_arrays, attractor.anneal_ising_arrays, attractor.bifurcate_ising_arrays):
        with pytest.raises(attractor.NotConverged, match="time_limit = 1e-06 s ended before the first round"):
            f(n, np.zeros(n), i, j, w, time_limit=1e-6)
        d = f(n, np.zeros(n), i, j, w, time_limit=1e-6, strict=False)
        assert d["status"] == "timeout"
    h, J = {}, {(int(a), int(b)): float(c) for a, b, c in edges}
    for s in (attractor.OscillatorIsingSampler(), attractor.AnnealingSampler(),
              attractor.SimulatedBifurcationSampler()):
        with pytest.raises(attractor.NotConverged):
            s.sample_ising(h, J, time_limit=1e-6)
        ss = s.sample_ising(h, J, time_limit=1e-6, strict=False)
        assert ss.info["status"] == "timeout" and len(ss) == 0
        ok = s.sample_ising({0: 0.5}, {(0, 1): -1.0, (1, 2): 1.0}, seed=1, num_rounds=1)
        assert ok.info["status"] != "timeout" and len(ok) >= 1


CHILD = """
import sys, attractor
print("ready", flush=True)
r = attractor.maxcut(sys.argv[1], time=60, solver=sys.argv[2], strict=False)
print("returned", r.status, r.cut, flush=True)
"""


@pytest.mark.parametrize("solver", ["oim", "sb"])
def test_lax_interrupt_returns_the_best_so_far(g1, interrupt_child, solver):
    out, waited = interrupt_child(CHILD, g1, solver, timeout=10)
    status, cut = out.split()[1], float(out.split()[2])
    assert out.startswith("returned") and status == "interrupted", out
    assert 10000 < cut <= 11624 and waited < 2.0


# ---------------------------------------------------------------- edge arrays


def test_edge_arrays_of_the_wrong_shape_are_refused():
    e = np.array([[0, 1, 1.0], [1, 2, 2.0], [2, 3, 1.0], [3, 0, 1.0]])
    with pytest.raises(attractor.ShapeError, match=r"shape \(3, 4\) looks transposed.*pass graph.T"):
        attractor.maxcut(e.T, rounds=1)
    with pytest.raises(attractor.ShapeError, match=r"shape \(2, 5\) looks transposed"):
        attractor.maxcut(ring(5).T, rounds=1)
    with pytest.raises(attractor.ShapeError, match=r"a 1-D array of length 6.*reshape\(-1, 2\)"):
        attractor.maxcut(np.array([0, 1, 1, 2, 2, 0]), rounds=1)
    with pytest.raises(attractor.ShapeError, match=r"shape \(4, 4\); give \(m, 2\) pairs"):
        attractor.maxcut(np.column_stack([e, np.ones(4)]), rounds=1)
    with pytest.raises(attractor.AttractorError, match="node ids must be whole numbers"):
        attractor.maxcut(np.array([[0, 1.5], [1, 2]]), rounds=1)
    with pytest.raises(attractor.ShapeError, match=r"i: expected a 1-D array of ids, got shape \(2, 1\)"):
        attractor.anneal_ising_arrays(3, np.zeros(3), [[0], [1]], [1, 2], [1.0, 1.0])
    with pytest.raises(attractor.ShapeError, match="i and j differ in length: 2 and 1"):
        attractor.sample_ising_arrays(3, np.zeros(3), [0, 1], [1], [1.0, 1.0])
    # the right shapes work: (m, 2), (m, 3), and a 3 x 3 array is three weighted edges
    assert attractor.maxcut(e, rounds=1).cut == 5.0
    assert attractor.maxcut(TRIANGLE, rounds=1).cut == 2.0
    assert attractor.maxcut(np.array([[0, 1, 1.0], [1, 2, 1.0], [2, 0, 1.0]]), rounds=1).cut == 2.0


def test_one_based_ids_are_refused_with_what_to_do():
    one_based = ring(5) + 1  # nodes 1..5
    with pytest.raises(attractor.AttractorError,
                       match=r"no edge touches node 0 \(ids run 1..5\).*1-based; subtract 1.*or pass n = 6"):
        attractor.maxcut(one_based, rounds=1)
    with pytest.raises(attractor.AttractorError, match=r"an id equals n = 5, but ids are 0-based \(0..4\).*subtract 1"):
        attractor.maxcut(one_based, rounds=1, n=5)
    # fixed as the messages say
    a = attractor.maxcut(one_based - 1, rounds=1, seed=3)
    b = attractor.maxcut(one_based, rounds=1, seed=3, n=6)  # node 0 isolated, said explicitly
    assert a.cut == b.cut == 4.0 and len(b.partition) == 6 and len(a.partition) == 5
    with pytest.raises(attractor.AttractorError, match=r"ids must lie in 0..4 \(0-based, n = 5\), got 7"):
        attractor.maxcut(np.array([[0, 7]]), rounds=1, n=5)
    with pytest.raises(attractor.AttractorError, match="an id equals n = 3.*subtract 1"):
        attractor.sample_ising_arrays(3, np.zeros(3), [1, 2], [2, 3], [1.0, 1.0])
    with pytest.raises(attractor.AttractorError, match="an id equals n = 3"):
        attractor.bifurcate_ising_arrays(3, np.zeros(3), [1, 2], [2, 3], [1.0, 1.0])
    with pytest.raises(attractor.AttractorError, match="n: a G-set file states its number of nodes"):
        attractor.maxcut("no-such.txt", n=3)


# ---------------------------------------------------------------- samplers


@pytest.mark.parametrize("cls", ["OscillatorIsingSampler", "AnnealingSampler", "SimulatedBifurcationSampler"])
def test_samplers_pickle_copy_and_show_their_parameters(cls):
    import inspect

    s = getattr(attractor, cls)()
    h, J = {0: 0.3, 1: -0.2}, {(0, 1): -1.0, (1, 2): 0.5, (2, 3): -0.7}
    ref = s.sample_ising(h, J, seed=4, num_rounds=1)
    for t in (pickle.loads(pickle.dumps(s)), copy.deepcopy(s), copy.copy(s)):
        assert type(t) is type(s) and t == s
        again = t.sample_ising(h, J, seed=4, num_rounds=1)
        assert again.record.sample.tolist() == ref.record.sample.tolist()
        assert again.record.energy.tolist() == ref.record.energy.tolist()
    # dimod's conventions: every keyword of sample_ising, but the deprecated spelling
    sig = inspect.signature(type(s).sample_ising).parameters
    keywords = {k for k in sig if k not in ("self", "h", "J", "kwargs", "num_threads")}
    assert set(s.parameters) == keywords and {"n_threads", "strict", "seed"} <= keywords
    assert all(v == [] for v in s.parameters.values())
    assert s.properties["version"] == attractor.__version__ and "attractor" in s.properties["description"]
    assert repr(s) == f"{cls}()"
