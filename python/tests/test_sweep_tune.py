"""attractor.sweep.tune: Ray Tune searches over the trainable models (RBM by pseudo-likelihood,
equilibrium propagation by accuracy, score matching by held-out score) on sklearn's digits;
the same seed gives the same table, every trial is a row (no Tune files left behind), a
failing trial is a row with its error, bad input is refused, and Ray Tune's absence is
said clearly."""

import os
import sys
import tempfile

import numpy as np
import pytest

from attractor.sweep import SweepConfigError
from attractor.sweep.store import read_records

VOLATILE = ("trial_id", "fit_s")  # Ray's random trial ids and the machine's speed


def rows(res):
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in res.records]


@pytest.fixture(scope="module")
def ray_local():
    try:
        import ray
        import ray.tune  # noqa: F401
    except ImportError as e:
        pytest.skip(f"Ray Tune is not installed ({e}); pip install 'ray[tune]'")
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    except Exception as e:  # a sandbox where Ray cannot start its processes
        pytest.skip(f"a local Ray cluster does not start here: {type(e).__name__}: {e}")
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    keep = d.target < 3  # three classes, 537 rows: seconds per trial
    return d.data[keep] / 16.0, d.target[keep]


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """Temporary folders made by the search land in tmp_path (to check that none is left)."""
    d = tmp_path / "tmp"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


def test_rbm_search_is_reproducible_and_leaves_only_the_table(ray_local, digits, own_tmp, tmp_path):
    from attractor import BernoulliRBM
    from attractor.sweep.tune import tune_search

    X = (digits[0][:300] > 0.5).astype(np.float64)
    space = {"n_components": [8, 16], "learning_rate": {"low": 0.01, "high": 0.3, "log": True}}
    est = BernoulliRBM(n_iter=3, batch_size=20)
    a = tune_search(est, space, X, scoring="pseudo_likelihood", num_samples=4, seed=5,
                    out=tmp_path / "rbm.csv")
    b = tune_search(est, space, X, scoring="pseudo_likelihood", num_samples=4, seed=5)
    assert len(a.records) == 4 and a.stats["errors"] == 0
    assert rows(a) == rows(b)  # same seed: same points, same trial seeds, same scores
    scores = [r["score"] for r in a.records]
    assert scores == sorted(scores, reverse=True) and all(s < 0 for s in scores)
    assert a.best_score == scores[0] and set(a.best_params) == {"n_components", "learning_rate"}
    assert all(r["n_components"] in (8, 16) and 0.01 <= r["learning_rate"] <= 0.3 for r in a.records)
    assert len({r["trial_seed"] for r in a.records}) == 4
    # the score is the estimator's, refitted by hand with the trial's parameters and seed
    from attractor.sweep.tune import _split

    Xtr, _, Xv, _ = _split(X, None, 0.25, 5)
    r0 = a.records[0]
    ref = BernoulliRBM(n_iter=3, batch_size=20, n_components=r0["n_components"],
                       learning_rate=r0["learning_rate"], random_state=r0["trial_seed"]).fit(Xtr)
    assert abs(ref.pseudo_likelihood(Xv) - r0["score"]) < 1e-9
    # the table on disk; Tune's experiment folder is gone
    back = read_records(tmp_path / "rbm.csv")
    assert [r["score"] for r in back] == scores
    assert os.listdir(own_tmp) == []
    c = tune_search(est, space, X, scoring="pseudo_likelihood", num_samples=4, seed=6)
    assert rows(c) != rows(a)


def test_eqprop_accuracy_with_epochs_and_a_scheduler(ray_local, digits):
    from ray.tune.schedulers import ASHAScheduler

    from attractor import EquilibriumPropagationClassifier
    from attractor.sweep.tune import tune_search

    X, y = digits
    est = EquilibriumPropagationClassifier(hidden_layer_sizes=(32,), max_iter=1, batch_size=20,
                                           free_steps=10, predict_steps=30)
    res = tune_search(est, {"beta": [0.2, 0.5, 1.0], "learning_rate": [(0.1, 0.05), (0.05, 0.02)]},
                      X, y, scoring="accuracy", metric="accuracy", num_samples=4, epochs=3, seed=2,
                      scheduler=ASHAScheduler(max_t=3, grace_period=1, reduction_factor=2))
    assert len(res.records) == 4 and res.stats["errors"] == 0
    assert all(0.0 <= r["accuracy"] <= 1.0 and 1 <= r["epoch"] <= 3 for r in res.records)
    assert res.best_score > 0.6  # three digits are easy after a few epochs
    # every epoch's report is kept; a trial reports once per epoch it ran
    by = {}
    for h in res.history:
        by.setdefault(h["trial_id"], []).append(h["epoch"])
    assert len(by) == 4 and all(e == list(range(1, len(e) + 1)) for e in by.values())
    assert sum(len(e) for e in by.values()) == len(res.history)


def test_score_matching_held_out_score(ray_local, digits):
    from attractor import ScoreMatchingEnergy
    from attractor.sweep.tune import tune_search

    X = digits[0][:, :8] + 0.05 * np.random.default_rng(0).standard_normal((len(digits[0]), 8))
    res = tune_search(ScoreMatchingEnergy(model="gaussian", max_epochs=20),
                      {"learning_rate": {"low": 1e-3, "high": 0.1, "log": True}}, X,
                      num_samples=3, seed=3, validation=0.3)
    assert len(res.records) == 3 and res.stats["errors"] == 0
    assert all(np.isfinite(r["score"]) for r in res.records)


def test_a_failing_trial_is_a_row(ray_local, digits):
    from attractor import BernoulliRBM
    from attractor.sweep.tune import tune_search

    X = (digits[0][:100] > 0.5).astype(np.float64)
    res = tune_search(BernoulliRBM(n_iter=1, n_components=4), {"batch_size": [10, 0]}, X,
                      scoring="pseudo_likelihood", num_samples=2, seed=1,
                      search_alg=_grid_of(ray_local))
    assert sorted(r["status"] for r in res.records) == ["error", "ok"]
    bad = [r for r in res.records if r["status"] == "error"][0]
    assert bad["batch_size"] == 0 and "batch_size" in bad["error"]
    assert res.records[0]["status"] == "ok" and res.best_params == {"batch_size": 10}


def _grid_of(ray):
    from ray.tune.search.basic_variant import BasicVariantGenerator

    # the two values in turn (constant_grid_search: one variant per point)
    return BasicVariantGenerator(points_to_evaluate=[{"batch_size": 10}, {"batch_size": 0}],
                                 random_state=0)


def test_bad_input_is_refused(ray_local):
    from attractor import BernoulliRBM
    from attractor.sweep.tune import space_to_tune, tune_search

    X = np.zeros((20, 4))
    with pytest.raises(SweepConfigError, match=r"unknown parameter\(s\) \['n_hiden'\] for BernoulliRBM"):
        tune_search(BernoulliRBM(), {"n_hiden": [4]}, X)
    with pytest.raises(SweepConfigError, match="'random_state' is set per trial"):
        tune_search(BernoulliRBM(), {"random_state": [1, 2]}, X)
    with pytest.raises(ValueError, match="mode = 'best'"):
        tune_search(BernoulliRBM(), {"n_components": [4]}, X, mode="best")
    with pytest.raises(ValueError, match=r"validation = 1.5: give a fraction in \(0, 1\)"):
        tune_search(BernoulliRBM(), {"n_components": [4]}, X, validation=1.5)
    with pytest.raises(SweepConfigError, match="'learning_rate': bad range"):
        space_to_tune({"learning_rate": {"low": 0.0, "high": 1.0, "log": True}})
    with pytest.raises(SweepConfigError, match="has no values"):
        space_to_tune({"n_components": []})


def test_missing_ray_tune_is_clear(monkeypatch):
    from attractor import BernoulliRBM
    from attractor.sweep.tune import tune_search

    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(ImportError, match=r"tune_search needs Ray Tune: pip install 'ray\[tune\]'"):
        tune_search(BernoulliRBM(), {"n_components": [4]}, np.zeros((10, 3)))
