"""Hyperparameter search for the trainable models through Ray Tune (when it is installed).

:func:`~attractor.sweep.tune.tune_search` fits a scikit-learn-style estimator of this package -- a
:class:`~attractor.BernoulliRBM` scored by its pseudo-likelihood, an
:class:`~attractor.EquilibriumPropagationClassifier` by its accuracy, a
:class:`~attractor.ScoreMatchingEnergy` by its held-out score, or any estimator with
``fit``/``set_params`` -- once per trial of a ``ray.tune.Tuner``, and returns every trial as
one row of a table::

    from sklearn.datasets import load_digits
    from attractor import BernoulliRBM
    from attractor.sweep.tune import tune_search

    X = load_digits().data / 16.0 > 0.5
    res = tune_search(BernoulliRBM(n_iter=5), {"n_components": [16, 32, 64],
                      "learning_rate": {"low": 1e-3, "high": 0.3, "log": True}},
                      X, scoring="pseudo_likelihood", num_samples=8, seed=1, out="rbm.csv")
    res.best_params, res.best_score, res.to_pandas()

- The search space is Ray Tune's (``tune.choice``, ``tune.loguniform``, ``tune.grid_search``,
  ...) or :func:`attractor.sweep.random_search`'s: a list is a choice, a ``(low, high)`` tuple
  a uniform range (integers if both ends are), ``{"low", "high", "log", "int"}`` a range on a
  log or linear scale, anything else fixed.
- Reproducible: the default search algorithm (Tune's random search) is seeded from ``seed``,
  the held-out split is drawn from ``seed``, and every trial's ``random_state`` is a stable
  hash of ``seed`` and the trial's parameters (:func:`attractor.sweep.derive_seed`), so the
  same ``seed`` gives the same table on any cluster and in any trial order. (A search
  algorithm or a scheduler you pass is yours to seed.)
- With ``epochs=k`` a trial trains by ``partial_fit`` one epoch at a time and reports its
  score after each, so that a scheduler (``ASHAScheduler``, ...) can stop poor trials early;
  otherwise a trial is one ``fit`` and one report.
- What is kept: the trials' parameters, seeds, metrics, status and errors in memory
  (:class:`TuneResult`) and, with ``out``, in a ``.csv``, ``.jsonl`` or ``.parquet`` table.
  Ray Tune's own per-trial files are *not* kept: its automatic CSV/JSON/TensorBoard loggers
  are switched off (``TUNE_DISABLE_AUTO_CALLBACK_LOGGERS=1``), checkpoints are not written,
  and its experiment directory is a temporary folder that is deleted when the search ends
  (``storage_path`` keeps it somewhere of yours instead). Ray's own session logs go where
  ``ray.init`` puts them (``/tmp/ray`` by default; ``ray.init(_temp_dir=...)`` moves them).
"""

import json
import logging
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field

__all__ = ["tune_search", "TuneResult", "space_to_tune"]


def _tune():
    try:
        import ray
        from ray import tune
    except ImportError as e:
        raise ImportError(
            "tune_search needs Ray Tune: pip install 'ray[tune]' (or 'attractor[sweep]'); "
            "attractor.sweep.run_sweep with random_search(...) searches without it"
        ) from e
    return ray, tune


def space_to_tune(space):
    """A search space in :func:`~attractor.sweep.random_search`'s format as Ray Tune's.

    Lists become ``tune.choice``, ``(low, high)`` ``tune.uniform`` (``tune.randint`` over
    ``[low, high]`` for integers: both ends included), ``{"low", "high", "log", "int"}``
    ``tune.loguniform`` / ``tune.uniform`` / ``tune.(log)randint``; Tune's own domains and
    fixed values pass through.

    Parameters
    ----------
    space : dict
        Parameters by name.

    Returns
    -------
    space : dict
        The same parameters as Ray Tune's domains.

    Raises
    ------
    attractor.sweep.SweepConfigError
        When ``space`` is empty, a choice is empty or a range is bad.
    ImportError
        When Ray Tune is not installed.
    """
    from . import SweepConfigError

    _, tune = _tune()
    if not isinstance(space, dict) or not space:
        raise SweepConfigError(f"param_space: expected a non-empty dict of parameters, got {space!r}")
    out = {}
    for k, v in space.items():
        if isinstance(v, list):
            if not v:
                raise SweepConfigError(f"param_space: parameter {k!r} has no values")
            out[k] = tune.choice(v)
        elif isinstance(v, tuple) or (isinstance(v, dict) and "low" in v):
            lo, hi = v if isinstance(v, tuple) else (v["low"], v["high"])
            log = isinstance(v, dict) and bool(v.get("log", False))
            as_int = (isinstance(v, dict) and v.get("int", False)) or (
                isinstance(lo, int) and isinstance(hi, int) and not log)
            if not hi >= lo or (log and lo <= 0):
                raise SweepConfigError(
                    f"param_space: parameter {k!r}: bad range {v!r}; give low <= high "
                    "(and low > 0 on a log scale)")
            if as_int:
                # Tune's randint excludes its upper end; ours includes it
                out[k] = (tune.lograndint if log else tune.randint)(int(lo), int(hi) + 1)
            else:
                out[k] = (tune.loguniform if log else tune.uniform)(float(lo), float(hi))
        else:
            out[k] = v
    return out


def _score(est, scoring, X, y):
    """The validation score of a fitted estimator: its ``score`` method (``scoring=None``), a
    method of its own by name (``"pseudo_likelihood"``), a scikit-learn scorer name
    (``"accuracy"``) or a callable ``scoring(est, X, y)``."""
    if scoring is None:
        return float(est.score(X, y) if y is not None else est.score(X))
    if callable(scoring):
        return float(scoring(est, X, y))
    method = getattr(est, scoring, None)
    if callable(method):
        import inspect

        try:
            takes_y = len([p for p in inspect.signature(method).parameters.values()
                           if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) >= 2
        except (TypeError, ValueError):
            takes_y = False
        v = method(X, y) if takes_y else method(X)
        import numpy as np

        return float(np.mean(v))
    from sklearn.metrics import get_scorer

    return float(get_scorer(scoring)(est, X, y))


def _one_epoch(est, X, y, classes, rng):
    """One pass over the training rows by ``partial_fit``: in one call where ``partial_fit``
    takes ``classes`` (a classifier that minibatches itself, as ``MLPClassifier``), else in
    shuffled minibatches of the estimator's ``batch_size``."""
    import inspect

    pf = est.partial_fit
    if "classes" in inspect.signature(pf).parameters:
        order = rng.permutation(len(X))
        pf(X[order], y[order], classes=classes)
        return
    bs = int(getattr(est, "batch_size", None) or len(X))
    order = rng.permutation(len(X))
    for s in range(0, len(X), bs):
        b = order[s:s + bs]
        if y is None:
            pf(X[b])
        else:
            pf(X[b], y[b])


def _trial(config, *, estimator, data, scoring, metric, epochs, seed, seed_param, name):
    """The body of one trial, run by Ray Tune in a worker: clone, set the trial's parameters
    and seed, fit (or train ``epochs`` epochs by ``partial_fit``), report the score."""
    import numpy as np
    from ray import tune
    from sklearn.base import clone

    from . import derive_seed

    X, y, Xv, yv = data
    params = dict(config)
    trial_seed = derive_seed(seed, name, params, 0)
    est = clone(estimator).set_params(**params)
    if seed_param and seed_param in est.get_params():
        est.set_params(**{seed_param: trial_seed % (2**32)})
    t0 = time.perf_counter()
    if epochs is None:
        est.fit(X) if y is None else est.fit(X, y)
        value = _score(est, scoring, Xv, yv)
        tune.report({metric: value, "fit_s": time.perf_counter() - t0, "epoch": 1,
                     "trial_seed": trial_seed % (2**32)})
        return
    rng = np.random.default_rng(trial_seed)
    classes = None if y is None else np.unique(np.concatenate([y, yv]) if yv is not None else y)
    for ep in range(1, int(epochs) + 1):
        _one_epoch(est, X, y, classes, rng)
        value = _score(est, scoring, Xv, yv)
        tune.report({metric: value, "fit_s": time.perf_counter() - t0, "epoch": ep,
                     "trial_seed": trial_seed % (2**32)})


@dataclass
class TuneResult:
    """Every trial of a :func:`~attractor.sweep.tune.tune_search`, best first.

    Attributes
    ----------
    records : list of dict
        One record per trial: ``trial_id``, the parameters, the metric, ``epoch`` (epochs
        trained when it last reported), ``fit_s``, ``trial_seed``, ``status``, ``error``.
    metric : str
        The name of the metric.
    mode : str
        ``"max"`` or ``"min"``.
    best_params : dict
        The parameters of the best trial.
    best_score : float
        Its metric.
    history : list of dict
        Every report of every trial (``trial_id``, parameters, metric, ``epoch``,
        ``fit_s``) in the order they came.
    stats : dict
        ``wall_s``, ``trials``, ``errors``.
    """

    records: list
    metric: str
    mode: str
    best_params: dict = None
    best_score: float = None
    history: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    def to_pandas(self):
        """The records as a pandas DataFrame (needs pandas).

        Returns
        -------
        table : pandas.DataFrame
            One row per trial.
        """
        import pandas as pd

        return pd.DataFrame.from_records(self.records)

    def write(self, path):
        """Write the records to ``path`` (see :func:`attractor.sweep.write_table`).

        Parameters
        ----------
        path : str or path-like
            A ``.csv``, ``.jsonl`` or ``.parquet`` file.
        """
        from .store import write_table

        write_table(self.records, path)

    @property
    def errors(self):
        """The records of the trials that failed (``status != "ok"``)."""
        return [r for r in self.records if r["status"] != "ok"]


def _split(X, y, validation, seed):
    import numpy as np

    if isinstance(validation, tuple):
        if len(validation) != 2:
            raise ValueError(f"validation: expected (X_val, y_val) or a fraction, got a tuple of {len(validation)}")
        Xv, yv = validation
        return X, y, np.asarray(Xv), None if yv is None else np.asarray(yv)
    f = float(validation)
    if not 0.0 < f < 1.0:
        raise ValueError(f"validation = {validation!r}: give a fraction in (0, 1) of the rows to hold out, "
                         "or a tuple (X_val, y_val)")
    n = len(X)
    k = int(round(f * n))
    if k < 1 or k >= n:
        raise ValueError(f"validation = {validation!r} of {n} rows holds out {k}; give more rows or another fraction")
    order = np.random.default_rng(np.random.SeedSequence([int(seed) % (2**63), 0x7475])).permutation(n)
    tr, va = order[k:], order[:k]
    return X[tr], None if y is None else y[tr], X[va], None if y is None else y[va]


def tune_search(estimator, param_space, X, y=None, *, scoring=None, metric="score", mode="max",
                num_samples=8, validation=0.25, epochs=None, search_alg=None, scheduler=None,
                seed=0, seed_param="random_state", max_concurrent_trials=None,
                resources_per_trial=None, time_budget_s=None, out=None, storage_path=None,
                address=None, verbose=0):
    """Search the parameters of an estimator that score best on held-out rows, with Ray Tune.

    Uses the running Ray (``ray.init``) or starts one (at ``address``).

    Parameters
    ----------
    estimator : object
        An unfitted scikit-learn-style estimator (``get_params``/``set_params``/``fit``).
    param_space : dict
        The search space, in :func:`~attractor.sweep.random_search`'s format or with Tune's
        own domains (:func:`space_to_tune`).
    X : array-like of shape (n_samples, n_features)
        The data.
    y : array-like of shape (n_samples,) or None, default=None
        The targets (``None`` for unsupervised models).
    scoring : str, callable or None, default=None
        ``None`` (the estimator's ``score``), the name of a method of the estimator
        (``"pseudo_likelihood"``), a scikit-learn scorer name (``"accuracy"``) or a
        callable ``scoring(est, X_val, y_val)``.
    metric : str, default="score"
        The name the value is reported as.
    mode : {"max", "min"}, default="max"
        Whether the metric is maximised or minimised.
    num_samples : int, default=8
        Trials (per grid point of a ``tune.grid_search``).
    validation : float or tuple, default=0.25
        The fraction of rows held out (drawn from ``seed``) or a tuple ``(X_val, y_val)``.
    epochs : int or None, default=None
        Train by ``partial_fit`` and report after every epoch (for ``scheduler``, e.g.
        ``ASHAScheduler``); ``None``: one ``fit`` per trial.
    search_alg : object or None, default=None
        A Tune searcher (default: random search seeded from ``seed``).
    scheduler : object or None, default=None
        A Tune trial scheduler.
    seed : int, default=0
        The seed of the split, the search and the trials' seeds.
    seed_param : str or None, default="random_state"
        The estimator's parameter that takes each trial's derived seed (``None``: leave
        it).
    max_concurrent_trials : int or None, default=None
        Tune's limit of trials at once.
    resources_per_trial : dict or None, default=None
        E.g. ``{"cpu": 1}`` (the default).
    time_budget_s : float or None, default=None
        Tune's time budget of the search.
    out : str, path-like or None, default=None
        A ``.csv``/``.jsonl``/``.parquet`` file for the table.
    storage_path : str or None, default=None
        Keep Ray Tune's experiment folder there (default: a temporary one, deleted at the
        end).
    address : str or None, default=None
        The Ray cluster to start or join when Ray is not running.
    verbose : int, default=0
        Tune's verbosity.

    Returns
    -------
    result : attractor.sweep.tune.TuneResult
        Every trial, best first.

    Raises
    ------
    ImportError
        When Ray Tune is not installed.
    attractor.sweep.SweepConfigError
        When ``param_space`` names a parameter the estimator does not take, or its seed
        parameter.
    ValueError
        When ``mode``, ``num_samples``, ``epochs`` or ``validation`` is invalid.
    TypeError
        When ``estimator`` is not a scikit-learn-style estimator.
    """
    import numpy as np

    from . import SweepConfigError, _task_name

    ray, tune = _tune()
    if mode not in ("max", "min"):
        raise ValueError(f"mode = {mode!r}: use 'max' (a score) or 'min' (a loss)")
    if int(num_samples) < 1:
        raise ValueError(f"num_samples = {num_samples}: run at least one trial")
    if epochs is not None and (int(epochs) < 1 or not hasattr(estimator, "partial_fit")):
        raise ValueError(f"epochs = {epochs!r}: give a number >= 1 of epochs, for an estimator "
                         "with partial_fit (or epochs=None: one fit per trial)")
    if not (hasattr(estimator, "get_params") and hasattr(estimator, "set_params")):
        raise TypeError(f"estimator: expected a scikit-learn-style estimator (get_params/set_params/fit), "
                        f"got {type(estimator).__name__}")
    if isinstance(param_space, dict):
        bad = sorted(k for k in param_space if k not in estimator.get_params())
        if bad:
            raise SweepConfigError(f"unknown parameter(s) {bad} for {type(estimator).__name__}; "
                                   f"it takes {sorted(estimator.get_params())}")
        if seed_param in param_space:
            raise SweepConfigError(f"parameter {seed_param!r} is set per trial from seed; "
                                   "drop it from param_space (or pass seed_param=None)")
    space = space_to_tune(param_space)
    X = np.asarray(X)
    y = None if y is None else np.asarray(y)
    data = _split(X, y, validation, seed)
    name = _task_name(type(estimator))

    own = False
    if not ray.is_initialized():
        kw = {"address": address} if address else {}
        ray.init(include_dashboard=False, log_to_driver=False, **kw)
        own = True
    # Tune's automatic per-trial CSV/JSON/TensorBoard files: off (read in this process)
    old_env = os.environ.get("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS")
    os.environ["TUNE_DISABLE_AUTO_CALLBACK_LOGGERS"] = "1"
    tmp = None
    if storage_path is None:
        tmp = tempfile.mkdtemp(prefix="attractor-tune-")
    t0 = time.perf_counter()
    history = []
    # Tune's result grid looks for the per-trial files switched off above and says so
    quiet = logging.getLogger("ray.tune.analysis.experiment_analysis")
    old_level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        from ray.tune.search.basic_variant import BasicVariantGenerator

        class _Keep(tune.Callback):
            """Every report of every trial, kept in memory (instead of Tune's files)."""

            def on_trial_result(self, iteration, trials, trial, result, **info):
                history.append({"trial_id": trial.trial_id, **dict(trial.config),
                                metric: result.get(metric), "epoch": result.get("epoch"),
                                "fit_s": result.get("fit_s")})

        trainable = tune.with_parameters(
            _trial, estimator=estimator, data=data, scoring=scoring, metric=metric,
            epochs=None if epochs is None else int(epochs), seed=seed, seed_param=seed_param, name=name)
        trainable = tune.with_resources(trainable, resources_per_trial or {"cpu": 1})
        if search_alg is None:
            search_alg = BasicVariantGenerator(random_state=int(seed) % (2**32))
        tuner = tune.Tuner(
            trainable,
            param_space=space,
            tune_config=tune.TuneConfig(
                metric=metric, mode=mode, num_samples=int(num_samples), search_alg=search_alg,
                scheduler=scheduler, max_concurrent_trials=max_concurrent_trials,
                time_budget_s=time_budget_s, reuse_actors=True),
            run_config=tune.RunConfig(
                name="attractor-tune", storage_path=os.path.abspath(storage_path or tmp),
                verbose=int(verbose), log_to_file=False, callbacks=[_Keep()],
                failure_config=tune.FailureConfig(max_failures=0, fail_fast=False),
                checkpoint_config=tune.CheckpointConfig(num_to_keep=None, checkpoint_at_end=False)),
        )
        grid = tuner.fit()
        wall = time.perf_counter() - t0
        records, pkeys = [], []
        for r in grid:
            cfg = dict(r.config or {})
            pkeys += [k for k in cfg if k not in pkeys]
            m = dict(r.metrics or {})
            rec = {"trial_id": m.get("trial_id"), **cfg}
            value = m.get(metric)
            rec[metric] = None if value is None else float(value)
            rec["epoch"] = m.get("epoch")
            rec["fit_s"] = m.get("fit_s")
            rec["trial_seed"] = m.get("trial_seed")
            rec["status"] = "ok" if r.error is None and value is not None else "error"
            rec["error"] = None if r.error is None else f"{type(r.error).__name__}: {_short(r.error)}"
            records.append(rec)
    finally:
        quiet.setLevel(old_level)
        if old_env is None:
            os.environ.pop("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", None)
        else:
            os.environ["TUNE_DISABLE_AUTO_CALLBACK_LOGGERS"] = old_env
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if own:
            ray.shutdown()

    sign = -1.0 if mode == "max" else 1.0

    def key(r):
        v = r[metric]
        bad = r["status"] != "ok" or v is None or (isinstance(v, float) and math.isnan(v))
        # ties (and failed trials) in the order of their parameters: a stable table
        return (bad, 0.0 if bad else sign * v, json.dumps({k: r.get(k) for k in pkeys}, sort_keys=True, default=str))

    records.sort(key=key)
    ok = [r for r in records if r["status"] == "ok"]
    best = ok[0] if ok else None
    res = TuneResult(records, metric, mode,
                     best_params=None if best is None else {k: best[k] for k in pkeys if k in best},
                     best_score=None if best is None else best[metric],
                     history=history,
                     stats={"wall_s": wall, "trials": len(records), "errors": len(records) - len(ok)})
    if out is not None:
        res.write(out)
    return res


def _short(err):
    s = str(err).strip().splitlines()
    # Ray wraps the trial's exception: its last line names it
    return s[-1] if s else ""
