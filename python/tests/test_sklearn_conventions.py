"""scikit-learn's conventions, in full, for every estimator of the package: its own
``check_estimator`` suite (an explicit list of the checks that cannot apply, each with its
reason; a check on that list that starts passing fails the test too), and what the suite does
not cover: estimators that take only ``±1`` or ``[0, 1]`` data checked on such data, methods
that never change the estimator, ``recall``/``encode`` with the status of every query, the
``ConvergenceWarning``, ``strict=False``, ``n_threads`` with joblib's meaning, feature names
and ``set_output(transform="pandas")``."""

import copy
import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import attractor
from attractor.errors import threads

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

# --------------------------------------------------------------------------- the check suite

#: Checks that fit on (or need fit to accept) scikit-learn's real-valued Gaussian data. The
#: memories of ±1 patterns and the Bernoulli RBM refuse such data at fit by design, with a
#: ParameterError naming the entry and the fix (binarise; scale to [0, 1]); every convention
#: these checks would test is tested below on data of the right kind.
_REAL_DATA_CHECKS = [
    "check_fit_score_takes_y",
    "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self",
    "check_readonly_memmap_input",
    "check_n_features_in_after_fitting",
    "check_estimators_dtypes",
    "check_dtype_object",
    "check_pipeline_consistency",
    "check_estimators_nan_inf",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit2d_1sample",
    "check_fit2d_1feature",
    "check_dict_unchanged",
    "check_fit_idempotent",
    "check_fit_check_is_fitted",
    "check_n_features_in",
    "check_fit2d_predict1d",
]
_PM1 = "stores ±1 patterns: the check fits real-valued Gaussian data, refused by design (binarise first)"
_UNIT = "Bernoulli visible units take values in [0, 1]: the check fits Gaussian data, refused by design"
_N_ITER = (
    "max_iter bounds each recall/encoding (predict/transform), not fit, which does not iterate; "
    "the updates per query are in recall(X).n_steps / encode(X).report['n_steps']"
)


def _pm1():
    out = {c: _PM1 for c in _REAL_DATA_CHECKS}
    # negative entries are fine; entries other than ±1 are not, which no tag can say
    out["check_positive_only_tag_during_fit"] = _PM1
    return out


EXPECTED_FAILURES = {
    "ClassicalHopfield": _pm1(),
    "DenseMemory": _pm1(),
    "OscillatorMemory": _pm1(),
    "ModernHopfield": {"check_transformer_n_iter": _N_ITER},
    "Krotov2021": {},
    "SparseCoder": {"check_transformer_n_iter": _N_ITER},
    "BernoulliRBM": {
        **{c: _UNIT for c in _REAL_DATA_CHECKS if c not in (
            "check_fit_score_takes_y", "check_dtype_object", "check_estimators_nan_inf")},
        "check_positive_only_tag_during_fit": _UNIT,
    },
    "GaussianBernoulliRBM": {},
    "EquilibriumPropagationClassifier": {},
    "ContrastiveHebbianClassifier": {},
    "OscillatorEquilibriumPropagationClassifier": {},
    "ScoreMatchingEnergy": {},
}

#: Small problem sizes keep the suite fast; every other parameter is the default.
ESTIMATORS = [
    attractor.ClassicalHopfield(random_state=0),
    attractor.DenseMemory(random_state=0),
    attractor.OscillatorMemory(t_end=5.0, random_state=0),
    attractor.ModernHopfield(),
    attractor.Krotov2021(t_end=5.0),
    attractor.SparseCoder(),
    attractor.BernoulliRBM(n_components=4, n_iter=2, random_state=0),
    attractor.GaussianBernoulliRBM(n_components=4, n_iter=2, random_state=0),
    attractor.EquilibriumPropagationClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0),
    attractor.ContrastiveHebbianClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0),
    attractor.OscillatorEquilibriumPropagationClassifier(hidden_layer_sizes=(8,), max_iter=2,
                                                         random_state=0),
    attractor.ScoreMatchingEnergy(n_hidden=4, max_epochs=2),
]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_scikit_learn_check_estimator(est):
    name = type(est).__name__
    expected = EXPECTED_FAILURES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(est, expected_failed_checks=expected, on_fail=None, on_skip=None)
    assert len(results) > 30, "the suite ran"
    failed = sorted({
        f"{r['check_name']}: {type(r['exception']).__name__}: {str(r['exception'])[:200]}"
        for r in results if r["status"] == "failed"
    })
    assert not failed, f"{name} fails scikit-learn checks:\n" + "\n".join(failed)
    # an expected failure that passes has been fixed: take it off the list
    stale = sorted({r["check_name"] for r in results
                    if r["expected_to_fail"] and r["status"] == "passed"})
    assert not stale, f"{name}: these checks pass now; remove them from EXPECTED_FAILURES: {stale}"
    assert {r["check_name"] for r in results} >= set(expected), "every listed check exists"


# --------------------------------------------------------------------------- data of the right kind

def _pm1_patterns(k, n, seed):
    return np.where(np.random.default_rng(seed).random((k, n)) < 0.5, -1.0, 1.0)


def _flip(p, frac, seed):
    rng = np.random.default_rng(seed)
    return p * np.where(rng.random(p.shape) < frac, -1.0, 1.0)


def _fitted_cases():
    """(estimator, training data, query data) for every estimator, on data it takes."""
    rng = np.random.default_rng(0)
    p = _pm1_patterns(3, 32, 1)
    q = _flip(p, 0.05, 2)
    unit = (rng.random((30, 6)) < 0.4).astype(float)
    real = rng.standard_normal((30, 6))
    d = rng.standard_normal((8, 6))
    y = (real[:, 0] > 0).astype(int)
    return [
        (attractor.ClassicalHopfield(random_state=0), p, q, None),
        (attractor.DenseMemory(random_state=0), p, q, None),
        (attractor.OscillatorMemory(t_end=10.0, jitter=0.05, random_state=0), p, q, None),
        (attractor.ModernHopfield(beta=2.0), real, real + 0.01, None),
        (attractor.Krotov2021(t_end=5.0), p, q, None),
        (attractor.SparseCoder(alpha=0.1), d, real, None),
        (attractor.SparseCoder(dictionary=d, alpha=0.1), real, real, None),
        (attractor.BernoulliRBM(n_components=3, n_iter=2, random_state=0), unit, unit, None),
        (attractor.GaussianBernoulliRBM(n_components=3, n_iter=2, random_state=0), real, real, None),
        (attractor.EquilibriumPropagationClassifier(hidden_layer_sizes=(5,), max_iter=2,
                                                    random_state=0), real, real, y),
        (attractor.ContrastiveHebbianClassifier(hidden_layer_sizes=(5,), max_iter=2,
                                                random_state=0), real, real, y),
        (attractor.ScoreMatchingEnergy(n_hidden=3, max_epochs=2), real, real, None),
    ]


CASES = _fitted_cases()
IDS = [f"{type(c[0]).__name__}{i}" for i, c in enumerate(CASES)]

#: The methods that must never change an estimator.
READ_ONLY = ("predict", "transform", "score", "recall", "encode", "energy", "decision_function",
             "predict_proba", "predict_log_proba", "score_samples", "inverse_transform")


def _same_state(a, b):
    assert a.keys() == b.keys(), set(a) ^ set(b)
    for k in a:
        va, vb = a[k], b[k]
        if isinstance(va, np.ndarray):
            np.testing.assert_array_equal(va, vb, err_msg=k)
        elif isinstance(va, (int, float, str, bool, type(None), tuple, list, dict)):
            assert type(va) is type(vb) and (va == vb if not isinstance(va, (list, dict)) else True), k
        else:  # compiled objects: the same object
            assert va is vb, k


def _call(est, method, Xq, y):
    f = getattr(est, method)
    if method == "score":
        return f(Xq, y) if y is not None else f(Xq)
    if method == "inverse_transform":
        return f(est.transform(Xq))
    return f(Xq)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_read_only_methods_never_change_the_estimator(case):
    est, X, Xq, y = case
    est = clone(est).fit(X, y) if y is not None else clone(est).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", attractor.ConvergenceWarning)
        for method in READ_ONLY:
            if not hasattr(est, method):
                continue
            before = dict(est.__dict__)
            snapshot = copy.deepcopy({k: v for k, v in before.items()
                                      if isinstance(v, (np.ndarray, list, dict))})
            _call(est, method, Xq, y)
            _same_state(before, est.__dict__)
            for k, v in snapshot.items():  # nothing changed in place either
                if isinstance(v, np.ndarray):
                    np.testing.assert_array_equal(v, est.__dict__[k], err_msg=f"{method}: {k}")
                else:
                    assert repr(v) == repr(est.__dict__[k]), f"{method} changed {k}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fit_returns_self_clones_pickles_and_checks_inputs(case):
    est, X, Xq, y = case
    name = type(est).__name__
    fit = (lambda e, A: e.fit(A, y)) if y is not None else (lambda e, A: e.fit(A))
    c = clone(est)
    assert fit(c, X) is c
    assert c.n_features_in_ == X.shape[1]
    # every parameter settable, and clone gives the same parameters
    params = est.get_params()
    assert clone(est).set_params(**params).get_params() == params
    # pickled and deep-copied estimators answer as the original
    method = "predict" if hasattr(c, "predict") else ("transform" if hasattr(c, "transform") else "score_samples")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", attractor.ConvergenceWarning)
        want = getattr(c, method)(Xq)
        for other in (pickle.loads(pickle.dumps(c)), copy.deepcopy(c)):
            np.testing.assert_array_equal(getattr(other, method)(Xq), want)
    # fit is idempotent for a seeded estimator
    if "random_state" not in params or params["random_state"] is not None or "Sparse" in name or "Modern" in name:
        c2 = fit(clone(est), X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", attractor.ConvergenceWarning)
            np.testing.assert_allclose(getattr(c2, method)(Xq), want, rtol=1e-12, atol=1e-12)
    # scikit-learn's messages for the wrong width, sparse and 1-D input
    with pytest.raises(ValueError, match=rf"X has {X.shape[1] - 1} features, but {name} is expecting {X.shape[1]} features as input"):
        getattr(c, method)(Xq[:, :-1])
    scipy_sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="sparse matrix was passed, but dense data is required"):
        getattr(c, method)(scipy_sparse.csr_matrix(Xq))
    with pytest.raises(ValueError, match="Reshape your data"):
        getattr(c, method)(Xq[0])


def test_an_unfitted_estimator_says_to_fit_first():
    from sklearn.exceptions import NotFittedError

    q = _pm1_patterns(2, 8, 0)
    for est in (attractor.ClassicalHopfield(), attractor.Krotov2021(), attractor.OscillatorMemory()):
        for method in ("predict", "recall"):
            with pytest.raises(NotFittedError, match="fit"):
                getattr(est, method)(q)
    with pytest.raises(NotFittedError, match="no dictionary yet"):
        attractor.SparseCoder().transform(q)


# --------------------------------------------------------------------------- feature names

@pytest.mark.parametrize(
    "est, X, want",
    [
        (attractor.ModernHopfield(), np.random.default_rng(0).standard_normal((5, 4)),
         ["x0", "x1", "x2", "x3"]),
        (attractor.ClassicalHopfield(random_state=0), _pm1_patterns(2, 4, 3),
         ["x0", "x1", "x2", "x3"]),
        (attractor.SparseCoder(alpha=0.1), np.random.default_rng(1).standard_normal((3, 4)),
         ["sparsecoder0", "sparsecoder1", "sparsecoder2"]),
        (attractor.BernoulliRBM(n_components=2, n_iter=1, random_state=0),
         (np.random.default_rng(2).random((6, 4)) < 0.5).astype(float),
         ["bernoullirbm0", "bernoullirbm1"]),
        (attractor.GaussianBernoulliRBM(n_components=2, n_iter=1, random_state=0),
         np.random.default_rng(3).standard_normal((6, 4)),
         ["gaussianbernoullirbm0", "gaussianbernoullirbm1"]),
    ],
    ids=lambda v: type(v).__name__ if hasattr(v, "fit") else None,
)
def test_set_output_pandas_gives_named_columns(est, X, want):
    pd = pytest.importorskip("pandas")
    est = clone(est).set_output(transform="pandas").fit(X)
    assert list(est.get_feature_names_out()) == want
    out = est.transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == want
    # fitted on a DataFrame: a memory's columns keep their names; new names are refused
    cols = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=cols)
    est.fit(df)
    np.testing.assert_array_equal(est.feature_names_in_, cols)
    if want[0] == "x0":
        assert list(est.transform(df).columns) == cols
    with pytest.raises(ValueError, match="feature names should match"):
        est.transform(df.rename(columns={"f0": "zz"}))
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.transform(X)


# --------------------------------------------------------------------------- recall and warnings

def test_convergence_warning_is_scikit_learns():
    from sklearn.exceptions import ConvergenceWarning

    assert attractor.ConvergenceWarning is ConvergenceWarning


def test_recall_reports_each_query_and_too_few_iterations_warn():
    p = np.random.default_rng(11).standard_normal((50, 16))
    q = np.random.default_rng(12).standard_normal((7, 16))
    est = attractor.ModernHopfield(beta=0.7, max_iter=1).fit(p)
    with pytest.warns(attractor.ConvergenceWarning, match=r"7 of 7 queries .*max_iter = 1"):
        r = est.recall(q)
    assert isinstance(r, attractor.Recall) and r.status == ["max steps"] * 7
    assert not r.converged and r.n_unconverged == 7 and r.n_steps.shape == (7,)
    with pytest.warns(attractor.ConvergenceWarning):
        np.testing.assert_array_equal(est.predict(q), r.states)
    # enough iterations: fixed points, no warning
    pm = _pm1_patterns(3, 64, 13)
    mem = attractor.ClassicalHopfield(random_state=0).fit(pm)
    with warnings.catch_warnings():
        warnings.simplefilter("error", attractor.ConvergenceWarning)
        r = mem.recall(_flip(pm, 0.05, 14))
    assert r.converged and r.status == ["fixed point"] * 3 and np.all(r.n_steps >= 1)
    np.testing.assert_array_equal(r.states, pm)
    np.testing.assert_allclose(r.energy, mem.energy(pm))
    # the synchronous update with one sweep runs out of sweeps from a corrupted query
    sync = attractor.ClassicalHopfield(update="sync", max_sweeps=1).fit(pm)
    with pytest.warns(attractor.ConvergenceWarning, match="max_sweeps = 1"):
        sync.predict(_flip(pm, 0.3, 15))
    # the Krotov network stopped at t_end before its steady state
    k = attractor.Krotov2021(t_end=0.1).fit(pm)
    with pytest.warns(attractor.ConvergenceWarning, match="t_end = 0.1"):
        assert set(k.recall(_flip(pm, 0.2, 16)).status) == {"end time"}


def test_sparse_coder_warns_when_max_iter_stops_it_and_encode_reports():
    rng = np.random.default_rng(20)
    d = rng.standard_normal((30, 20))
    x = rng.standard_normal((4, 20))
    coder = attractor.SparseCoder(dictionary=d, alpha=0.01, max_iter=2, check_every=1,
                                  equilibrium_solve=False)
    with pytest.warns(attractor.ConvergenceWarning, match="reached max_iter = 2"):
        out = coder.encode(x)
    assert isinstance(out, attractor.SparseCodes) and "max steps" in out.status and not out.converged
    with pytest.warns(attractor.ConvergenceWarning):
        np.testing.assert_array_equal(coder.transform(x), out.codes)
    assert not hasattr(coder, "report_")  # transform keeps nothing
    fine = attractor.SparseCoder(dictionary=d[:10], alpha=0.1).fit()  # strongly convex
    with warnings.catch_warnings():
        warnings.simplefilter("error", attractor.ConvergenceWarning)
        assert fine.encode(x).converged


# --------------------------------------------------------------------------- strict

def test_strict_false_returns_a_time_limited_encoding_with_its_status():
    rng = np.random.default_rng(0)
    d = rng.standard_normal((200, 100))
    x = rng.standard_normal((300, 100))
    kw = dict(dictionary=d, alpha=0.01, tol=1e-12, equilibrium_solve=False, time_limit=1e-5)
    with pytest.raises(attractor.NotConverged, match="time_limit = 1e-05 s stopped") as e:
        attractor.SparseCoder(**kw).transform(x)
    assert e.value.result.shape == (300, 200) and "timeout" in e.value.report["status"]
    loose = attractor.SparseCoder(strict=False, **kw)
    with pytest.warns(attractor.ConvergenceWarning, match="time_limit"):
        out = loose.encode(x)
    assert out.codes.shape == (300, 200) and "timeout" in out.status and not out.converged
    with pytest.raises(attractor.AttractorError, match="time_limit = -1"):
        attractor.SparseCoder(dictionary=d, time_limit=-1).fit()


def test_strict_false_keeps_a_diverged_training():
    wild = 5 * np.random.default_rng(0).standard_normal((200, 6))
    kw = dict(n_components=20, n_iter=50, learning_rate=0.5, momentum=0.9, random_state=0)
    with pytest.raises(attractor.AttractorError, match="diverged.*strict=False"):
        attractor.GaussianBernoulliRBM(**kw).fit(wild)
    g = attractor.GaussianBernoulliRBM(strict=False, **kw)
    with pytest.warns(attractor.ConvergenceWarning, match="stopped early \\(diverged\\)"):
        assert g.fit(wild) is g
    assert g.fit_status_ == "diverged" and g.report_["status"] == "diverged"
    assert np.all(np.isfinite(g.components_)) and g.transform(wild).shape == (200, 20)
    ok = attractor.GaussianBernoulliRBM(n_components=2, n_iter=1, random_state=0).fit(wild / 5)
    assert ok.fit_status_ == "completed"


@pytest.mark.parametrize(
    "est",
    [attractor.ClassicalHopfield(strict="no"), attractor.ModernHopfield(strict=None),
     attractor.Krotov2021(strict=1), attractor.SparseCoder(strict="yes"),
     attractor.BernoulliRBM(strict=0), attractor.ScoreMatchingEnergy(strict="x"),
     attractor.EquilibriumPropagationClassifier(strict=[])],
    ids=lambda e: type(e).__name__,
)
def test_strict_must_be_a_bool(est):
    X = _pm1_patterns(4, 6, 0)
    y = np.array([0, 1, 0, 1])
    with pytest.raises(attractor.ParameterError, match="strict = .*give True"):
        est.fit(X, y) if "Classifier" in type(est).__name__ else est.fit(X)


RECALL_CHILD = textwrap.dedent(
    """
    import sys, warnings, numpy as np, attractor
    strict = sys.argv[1] == "strict"
    rng = np.random.default_rng(0)
    p = np.where(rng.random((200, 400)) < 0.5, -1.0, 1.0)
    mem = attractor.DenseMemory(separation=3, random_state=0, strict=strict).fit(p)
    q = np.tile(np.where(rng.random((200, 400)) < 0.5, -1.0, 1.0), (100, 1))
    print("ready", flush=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = mem.recall(q)
        except attractor.Interrupted as e:
            r = e.recall
            print("raised", e.result.shape[0] == r.status.count("not run") * 0 + e.result.shape[0])
    k = r.status.index("not run")
    print(r.interrupted, r.states.shape == q.shape, k > 0, np.array_equal(r.states[k:], q[k:]),
          any(issubclass(x.category, attractor.ConvergenceWarning) for x in w), flush=True)
    """
)


@pytest.mark.parametrize("mode", ["strict", "loose"])
def test_ctrl_c_during_a_recall_raises_or_returns_with_the_status(interrupt_child, mode):
    out, waited = interrupt_child(RECALL_CHILD, mode, wait=0.5, timeout=30)
    lines = out.split("\n")
    if mode == "strict":
        assert lines[0].startswith("raised"), out
        assert lines[1] == "True True True True False", out
    else:
        assert lines[0] == "True True True True True", out
    assert waited < 2.0


# --------------------------------------------------------------------------- n_threads

def test_n_threads_has_joblibs_meaning():
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert threads(None) is None and threads(1) == 1 and threads(3) == 3 and threads(-1) == -1
    assert threads(-2) == max(cores - 1, 1) and threads(-10_000) == 1
    with pytest.raises(attractor.ParameterError, match="n_threads = 0: give None or 1"):
        threads(0)
    with pytest.raises(TypeError, match="n_threads"):
        threads(True)
    X = np.random.default_rng(0).standard_normal((6, 5))
    for est in (attractor.SparseCoder(n_threads=0), attractor.BernoulliRBM(n_threads=0),
                attractor.GaussianBernoulliRBM(n_threads=0)):
        with pytest.raises(attractor.ParameterError, match="n_threads = 0"):
            est.fit(np.clip(X, 0, 1))
    m = attractor.ModernHopfield(max_iter=1).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", attractor.ConvergenceWarning)
        one = m.predict(X)
    for n in (None, 1, 2, -1, -2):
        np.testing.assert_allclose(m.retrieve(X, n_threads=n), one, atol=1e-12, rtol=0)
    with pytest.raises(attractor.ParameterError, match="n_threads = 0"):
        m.retrieve(X, n_threads=0)
    codes = [attractor.SparseCoder(dictionary=X, alpha=0.1, n_threads=n).transform(X)
             for n in (None, -1, -2)]
    np.testing.assert_array_equal(codes[0], codes[1])
    np.testing.assert_array_equal(codes[0], codes[2])


# --------------------------------------------------------------------------- without scikit-learn

def test_the_package_works_without_scikit_learn():
    code = textwrap.dedent(
        """
        import sys, warnings
        sys.modules["sklearn"] = None  # every import of scikit-learn fails
        import numpy as np, attractor
        assert issubclass(attractor.ConvergenceWarning, UserWarning)
        p = np.where(np.random.default_rng(0).random((3, 32)) < 0.5, -1.0, 1.0)
        m = attractor.ClassicalHopfield(random_state=0).fit(p)
        assert (m.predict(p) == p).all() and m.get_params()["strict"] is True
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            attractor.ModernHopfield(max_iter=1).fit(p).predict(-p)
        assert any(issubclass(x.category, attractor.ConvergenceWarning) for x in w)
        try:
            attractor.DenseMemory().predict(p)
        except attractor.AttractorError as e:
            assert "fit" in str(e)
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def test_the_python_readmes_example_runs(repo, tmp_path, monkeypatch):
    import re

    monkeypatch.chdir(tmp_path)  # the examples write their outputs to the working directory

    text = (repo / "python" / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "python/README.md shows the conventions in code"
    for code in blocks:
        exec(compile(code, "python/README.md", "exec"), {})
