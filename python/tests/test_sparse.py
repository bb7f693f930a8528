"""Sparse coding from Python: codes against scikit-learn's coordinate descent and an objective
computed here with NumPy, certificates, sign constraints, batches, trajectories, the path,
every network, clear errors, the scikit-learn conventions (Pipeline, clone, pickle), Ctrl-C."""

import pickle
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import attractor
from attractor import AttractorError, SparseCoder

METHODS = [("pfcn", True), ("fcn", False), ("lca", False), ("lca", True), ("lca-hard", False)]


def problem(n_atoms=40, n_features=20, n_samples=25, seed=0):
    """A random unit-norm dictionary (atoms as rows) and signals."""
    rng = np.random.default_rng(seed)
    d = rng.standard_normal((n_atoms, n_features))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    return d, rng.standard_normal((n_samples, n_features))


def objective(x, d, codes, alpha):
    """``1/2 ||x - a D||^2 + alpha ||a||_1`` per row, in NumPy."""
    return 0.5 * np.sum((x - codes @ d) ** 2, axis=1) + alpha * np.sum(np.abs(codes), axis=1)


@pytest.mark.parametrize("positive", [False, True])
def test_objective_matches_scikit_learn_lasso_cd(positive):
    sk = pytest.importorskip("sklearn.decomposition")
    d, x = problem()
    alpha = 0.3
    codes, report = attractor.sparse_encode(x, d, alpha=alpha, positive=positive, return_report=True)
    ref = sk.sparse_encode(x, d, algorithm="lasso_cd", alpha=alpha, positive=positive, max_iter=100_000)
    ours, theirs = objective(x, d, codes, alpha), objective(x, d, ref, alpha)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    # the report's objective is the one computed here, and every code is certified
    np.testing.assert_allclose(report["objective"], ours, rtol=1e-10)
    assert np.all(report["certificate"] <= 1e-6)
    assert report["status"] == ["certified"] * len(x)
    np.testing.assert_array_equal(report["support"], np.count_nonzero(codes, axis=1))
    assert np.all(report["duality_gap"] <= 1e-6 * report["objective"])
    assert codes.shape == (len(x), len(d)) and codes.dtype == np.float64


@pytest.mark.parametrize("method, positive", [("pfcn", True), ("lca", True)])
def test_nonnegative_codes_are_nonnegative(method, positive):
    d, x = problem(seed=1)
    coder = SparseCoder(dictionary=d, alpha=0.1, positive=positive, method=method, tol=1e-8)
    codes = coder.fit_transform(x)
    assert codes.min() >= 0.0
    assert np.count_nonzero(codes) > 0
    assert np.all(coder.report_["certificate"] <= coder.tol)


def test_batched_codes_equal_one_at_a_time():
    d, x = problem(seed=2, n_samples=12)
    coder = SparseCoder(dictionary=d, alpha=0.2, positive=True)
    batch = coder.transform(x)
    single = np.vstack([coder.transform(row[None, :]) for row in x])
    np.testing.assert_allclose(batch, single, atol=1e-9)


@pytest.mark.parametrize("method, positive", [("pfcn", True), ("fcn", False)])
@pytest.mark.parametrize("dt", [1.0, 0.2])
def test_trajectory_objective_never_increases(method, positive, dt):
    d, x = problem(seed=3, n_samples=1)
    coder = SparseCoder(dictionary=d, alpha=0.2, positive=positive, method=method, dt=dt, tol=1e-9)
    tr = coder.trajectory(x[0], every=1)
    obj = tr["objective"]
    assert len(obj) > 10, len(obj)
    assert np.all(np.diff(obj) <= 1e-12 * obj[0]), np.diff(obj).max()
    assert tr["codes"].shape == (len(obj), len(d)) and tr["t"].shape == obj.shape
    np.testing.assert_allclose(obj, objective(np.repeat(x, len(obj), 0), d, tr["codes"], 0.2), rtol=1e-9)
    if positive:
        assert tr["codes"].min() >= 0.0  # the non-negative orthant is forward invariant
    # the last point is the final code, and it is near the certified optimum
    np.testing.assert_array_equal(tr["codes"][-1], tr["code"])
    best = objective(x, d, coder.transform(x), 0.2)[0]
    assert tr["report"]["objective"][0] <= best * (1 + 1e-6)


def test_trajectory_keeps_at_most_max_points():
    d, x = problem(seed=3, n_samples=1)
    tr = attractor.sparse_trajectory(x[0], d, alpha=0.05, dt=0.05, tol=1e-10, max_points=64)
    assert 2 <= len(tr["t"]) <= 64
    assert np.all(np.diff(tr["t"]) > 0)


def test_path_over_decreasing_alphas_matches_separate_calls():
    d, x = problem(seed=4, n_samples=8)
    alphas = [1.0, 0.5, 0.2, 0.05]
    coder = SparseCoder(dictionary=d, positive=True, tol=1e-9)
    path = coder.path(x, alphas)
    assert path.shape == (len(alphas), len(x), len(d))
    assert len(coder.path_reports_) == len(alphas)
    for a, codes, report in zip(alphas, path, coder.path_reports_):
        alone = attractor.sparse_encode(x, d, alpha=a, positive=True, tol=1e-9)
        np.testing.assert_allclose(objective(x, d, codes, a), objective(x, d, alone, a), rtol=1e-8)
        assert report["alpha"] == a
    # support grows as the weight shrinks
    support = [np.count_nonzero(c) for c in path]
    assert support == sorted(support)
    with pytest.raises(AttractorError, match="decreasing"):
        coder.path(x, [0.1, 0.5])


@pytest.mark.parametrize("method, positive", METHODS)
def test_every_method_works(method, positive):
    d, x = problem(seed=5, n_samples=6)
    codes, report = attractor.sparse_encode(x, d, alpha=0.2, positive=positive, method=method, return_report=True)
    assert report["method"] == method
    assert codes.shape == (6, 40)
    if positive:
        assert codes.min() >= 0.0
    if method == "lca-hard":
        assert np.all(np.isnan(report["duality_gap"]))  # no dual for the l0 cost
        assert np.all(np.isfinite(report["certificate"]))
    else:
        ref = attractor.sparse_encode(x, d, alpha=0.2, positive=positive)
        np.testing.assert_allclose(objective(x, d, codes, 0.2), objective(x, d, ref, 0.2), rtol=1e-6)
        assert report["status"] == ["certified"] * 6


def test_a_bad_method_name_lists_the_valid_ones():
    d, x = problem()
    with pytest.raises(AttractorError) as e:
        attractor.sparse_encode(x, d, method="ista")
    for name in ("ista", "pfcn", "fcn", "lca", "lca-hard"):
        assert name in str(e.value)
    with pytest.raises(AttractorError, match="pfcn.*positive"):
        attractor.sparse_encode(x, d, method="pfcn")  # the PFCN needs positive=True


def _nan_at(a, i, j):
    a = a.copy()
    a[i, j] = np.nan
    return a


D0, X0 = problem()


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(X=X0[:, :10]), "the signals have 10 features but the dictionary's atoms have 20"),
        (dict(alpha=-1.0), "lambda = -1"),
        (dict(alpha=float("inf")), "lambda = inf"),
        (dict(X=_nan_at(X0, 1, 3)), "signals (signal 1, entry 3) contains a non-finite value (NaN)"),
        (dict(dictionary=_nan_at(D0, 2, 5)), "dictionary (atom 2, entry 5) contains a non-finite value (NaN)"),
        (dict(init=_nan_at(np.zeros((25, 40)), 4, 7)), "initial codes (signal 4, entry 7)"),
        (dict(dictionary=np.zeros((0, 20))), "0 atoms x 20 features"),
        (dict(dictionary=np.zeros((3, 20))), "all atoms zero"),
        (dict(dictionary=D0[0]), "dictionary: expected a 2-D array (n_atoms, n_features), got an array of shape (20,)"),
        (dict(X=X0[0]), "signals: expected a 2-D array (n_signals, n_features), got an array of shape (20,)"),
        (dict(X=np.zeros((0, 20))), "0 signals"),
        (dict(init=np.zeros((25, 5))), "initial codes are 25 x 5"),
        (dict(init=-np.ones((25, 40)), positive=True), "initial codes = -1"),
        (dict(max_iter=0), "max_iter = 0"),
        (dict(max_iter=-3), "max_iter = -3"),
        (dict(dt=2.0), "dt = 2"),
        (dict(gamma=0.0), "gamma = 0"),
        (dict(n_threads=0), "n_threads = 0"),
    ],
)
def test_bad_input_raises_an_error_naming_the_value(kwargs, needle):
    args = dict(X=X0, dictionary=D0)
    args.update(kwargs)
    with pytest.raises(AttractorError) as e:
        attractor.sparse_encode(**args)
    assert needle in str(e.value)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="complex"):
        attractor.sparse_encode(X0.astype(complex), D0)
    with pytest.raises(TypeError, match="dictionary"):
        attractor.sparse_encode(X0, np.array([["a", "b"]]))


def test_estimator_refuses_bad_parameters_at_fit():
    with pytest.raises(AttractorError, match="lambda = -2"):
        SparseCoder(alpha=-2).fit(D0)
    with pytest.raises(AttractorError, match="no dictionary"):
        SparseCoder().fit()
    with pytest.raises(ValueError, match="no dictionary yet"):  # NotFittedError is a ValueError
        SparseCoder().transform(X0)
    coder = SparseCoder(dictionary=D0)
    with pytest.raises(AttractorError, match="10 features"):
        coder.transform(X0[:, :10])


def test_malformed_npy_dictionary(tmp_path):
    bad = tmp_path / "dictionary.npy"
    bad.write_bytes(b"\x93NUMPY\x01\x00garbage")
    with pytest.raises(AttractorError) as e:
        attractor.read_npy(bad)
    assert "dictionary.npy" in str(e.value) and "not a valid .npy" in str(e.value)
    # a well-formed one round-trips into the coder
    good = tmp_path / "good.npy"
    np.save(good, D0)
    np.testing.assert_array_equal(SparseCoder().fit(attractor.read_npy(good)).components_, D0)


def test_dtypes_layouts_and_a_shared_dictionary_give_the_same_codes():
    d, x = problem(seed=6, n_samples=5)
    ref = attractor.sparse_encode(x, d, alpha=0.2)
    same = [
        attractor.sparse_encode(np.asfortranarray(x), np.asfortranarray(d), alpha=0.2),
        attractor.sparse_encode(x[:, ::-1][:, ::-1], d, alpha=0.2),
        attractor.sparse_encode(x.tolist(), d.tolist(), alpha=0.2),
        attractor.sparse_encode(x, attractor.SparseDictionary(d), alpha=0.2),
    ]
    for c in same:
        np.testing.assert_array_equal(c, ref)
    c32 = attractor.sparse_encode(x.astype(np.float32), d.astype(np.float32), alpha=0.2)
    np.testing.assert_allclose(c32, ref, atol=1e-5)
    sd = attractor.SparseDictionary(d)
    assert (sd.n_atoms, sd.n_features) == d.shape
    np.testing.assert_array_equal(sd.atoms(), d)
    rho, lip = sd.spectrum()
    ev = np.linalg.eigvalsh(d @ d.T)
    assert rho == pytest.approx(max(ev[0], 0.0), abs=1e-9) and lip == pytest.approx(ev[-1], rel=1e-9)
    assert ev[-1] <= sd.lipschitz <= 1.05 * ev[-1]


def test_fit_without_a_dictionary_takes_X_and_reconstructs():
    d, x = problem(n_atoms=10, seed=7)
    coder = SparseCoder(alpha=1e-3).fit(d)
    assert coder.n_components_ == 10 and coder.n_features_in_ == 20
    np.testing.assert_array_equal(coder.components_, d)
    # signals in the span of 10 independent atoms are reconstructed almost exactly
    truth = np.random.default_rng(8).standard_normal((4, 10))
    y = truth @ d
    rec = coder.inverse_transform(coder.transform(y))
    assert np.max(np.abs(rec - y)) < 1e-2
    assert coder.gamma_ == pytest.approx(coder.encode(y).report["gamma"])


def test_contraction_rate_against_the_spectrum():
    d, _ = problem(n_atoms=10, seed=9)
    coder = SparseCoder(alpha=0.1).fit(d)
    ev = np.linalg.eigvalsh(d @ d.T)
    g = coder.gamma_
    want = 1 - max(abs(1 - g * ev[0]), abs(1 - g * ev[-1]))
    assert coder.contraction_rate_ == pytest.approx(want, rel=1e-9)
    assert 0 < coder.contraction_rate_ <= 1
    # more atoms than features: not strongly convex; the hard threshold: not convex
    assert SparseCoder(dictionary=D0).contraction_rate_ is None
    assert SparseCoder(dictionary=d, method="lca-hard").contraction_rate_ is None


def test_pipeline_with_logistic_regression():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    # two classes, each a sparse non-negative combination of its own half of the atoms
    rng = np.random.default_rng(10)
    d = np.abs(rng.standard_normal((16, 30)))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    y = rng.integers(0, 2, 80)
    w = np.abs(rng.standard_normal((80, 8)))
    a = np.zeros((80, 16))
    a[y == 0, :8] = w[y == 0]
    a[y == 1, 8:] = w[y == 1]
    x = a @ d + 0.01 * rng.standard_normal((80, 30))
    pipe = Pipeline([("code", SparseCoder(dictionary=d, alpha=0.05, positive=True)),
                     ("clf", LogisticRegression())])
    pipe.fit(x[:60], y[:60])
    assert pipe.score(x[60:], y[60:]) >= 0.9
    assert pipe.named_steps["code"].encode(x[60:]).status == ["certified"] * 20
    pipe.set_params(code__alpha=0.1)
    assert pipe.named_steps["code"].alpha == 0.1


def test_clone_pickle_and_parameter_conventions():
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.utils import estimator_checks

    d, x = problem(seed=11, n_samples=5)
    est = SparseCoder(dictionary=d, alpha=0.2, positive=True, tol=1e-8)
    for e in (est, SparseCoder()):
        name = type(e).__name__
        estimator_checks.check_get_params_invariance(name, e)
        estimator_checks.check_set_params(name, e)
        estimator_checks.check_no_attributes_set_in_init(name, e)
        estimator_checks.check_parameters_default_constructible(name, e)
    c = clone(est)
    assert c is not est and c.alpha == 0.2 and c.positive and not hasattr(c, "components_")
    np.testing.assert_array_equal(c.dictionary, d)
    codes = est.fit_transform(x)
    np.testing.assert_array_equal(clone(est).fit_transform(x), codes)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(back.components_, d)
    np.testing.assert_array_equal(back.transform(x), codes)
    assert "_compiled" not in back.__getstate__()


def test_the_interpreter_lock_is_released_while_encoding(assert_gil_released):
    d, x = problem(n_atoms=200, n_features=100, n_samples=400, seed=12)
    assert_gil_released(lambda: attractor.sparse_encode(
            x, d, alpha=0.01, method="lca", dt=0.1, equilibrium_solve=False, tol=1e-7, max_iter=300
        ), "encode")


CHILD = textwrap.dedent(
    """
    import time, numpy as np, attractor
    rng = np.random.default_rng(0)
    d = rng.standard_normal((300, 150))
    x = rng.standard_normal((2000, 150))
    print("ready", flush=True)
    t0 = time.time()
    try:
        attractor.sparse_encode(x, d, alpha=1e-3, method="lca", dt=0.01, tol=0.0,
                                equilibrium_solve=False, max_iter=10**9, return_report=True)
        print("finished", flush=True)
    except attractor.Interrupted as e:
        codes, report = e.result
        print(f"interrupted {codes.shape[0]} {codes.shape[1]} {report['status'][0]} "
              f"{int(report['n_steps'].max())} {time.time() - t0:.2f}", flush=True)
    """
)


def test_sigint_stops_a_long_encode_with_the_codes_reached(interrupt_child):
    out, waited = interrupt_child(CHILD, timeout=20)
    assert out.startswith("interrupted"), out
    assert waited < 1.0, f"took {waited:.2f} s to stop"
    _, rows, cols, status, steps, _ = out.split()
    assert (int(rows), int(cols), status) == (2000, 300, "interrupted")
    assert int(steps) > 0


def coherent_problem(n_atoms=96, n_features=48, n_samples=8, seed=3):
    """Non-negative, strongly correlated unit-norm atoms (like images) and signals built from
    a few of them: where the first-order networks need thousands of steps."""
    rng = np.random.default_rng(seed)
    d = rng.random((n_atoms, n_features)) ** 2
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    w = np.zeros((n_samples, n_atoms))
    for row in w:
        row[rng.choice(n_atoms, 5, replace=False)] = rng.uniform(0.5, 2.0, 5)
    return d, w @ d + 0.05 * rng.uniform(-1, 1, (n_samples, n_features))


@pytest.mark.parametrize("positive", [True, False])
def test_sparse_momentum_reaches_the_active_set_minimiser_in_fewer_steps(positive):
    d, x = coherent_problem()
    alpha = 0.05
    exact = attractor.sparse_encode(x, d, alpha=alpha, positive=positive, tol=1e-12)
    f_star = objective(x, d, exact, alpha).sum()
    first, r1 = attractor.sparse_encode(x, d, alpha=alpha, positive=positive, equilibrium_solve=False,
                                        max_iter=200_000, return_report=True)
    fast, r2 = attractor.sparse_encode(x, d, alpha=alpha, positive=positive, equilibrium_solve=False,
                                       momentum="nesterov", max_iter=200_000, return_report=True)
    assert r2["status"] == ["certified"] * len(x)
    gap = (objective(x, d, fast, alpha).sum() - f_star) / f_star
    assert -1e-12 <= gap <= 1e-6
    assert max(r1["n_steps"]) >= 5 * max(r2["n_steps"]), (r1["n_steps"], r2["n_steps"])
    if positive:
        assert fast.min() >= 0.0


def test_sparse_momentum_in_the_estimator_and_the_trajectory():
    d, x = coherent_problem(seed=4)
    coder = SparseCoder(dictionary=d, alpha=0.05, positive=True, momentum="heavy-ball:0.05",
                        equilibrium_solve=False, max_iter=100_000)
    codes = coder.fit_transform(x)
    assert coder.get_params()["momentum"] == "heavy-ball:0.05"
    assert coder.report_["status"] == ["certified"] * len(x) and codes.min() >= 0.0
    tr = attractor.sparse_trajectory(x[0], d, alpha=0.05, positive=True, momentum="nesterov", tol=1e-9)
    assert tr["codes"].min() >= 0.0 and tr["report"]["status"] == ["certified"]
    # the restart keeps the objective from rippling: it rises at few recorded steps
    rises = np.count_nonzero(np.diff(tr["objective"]) > 1e-12 * tr["objective"][1:])
    assert rises <= 0.02 * len(tr["objective"]), rises


@pytest.mark.parametrize("momentum, needle", [
    ("heavy-ball:0", "momentum damping"),
    ("heavy-ball:-2", "> 0"),
    ("heavy-ball:fast", "as a number"),
    ("fista", "choose none, nesterov"),
    (0.9, "a string"),
])
def test_sparse_bad_momentum_is_refused_by_name(momentum, needle):
    d, x = problem()
    with pytest.raises(AttractorError, match="momentum") as e:
        attractor.sparse_encode(x, d, alpha=0.1, momentum=momentum)
    assert needle in str(e.value)
    with pytest.raises(AttractorError, match="momentum"):
        SparseCoder(dictionary=d, momentum=momentum).fit()
