"""attractor.sweep: local and Ray backends give the same table, resume runs only the missing
tasks, a task that raises is recorded, a killed worker loses no result, bad configurations
are refused with a clear message."""

import os
import sys
import time

import pytest

from attractor.sweep import Sweep, SweepConfigError, grid, load_config, random_search, run_sweep
from attractor.sweep.__main__ import main as cli_main
from attractor.sweep.store import read_records

HERE = os.path.dirname(os.path.abspath(__file__))
TIMING = ("wall_s", "elapsed")  # columns that depend on the machine's speed


def table(res):
    return [{k: v for k, v in r.items() if k not in TIMING} for r in res.records]


# tasks (module level: the worker processes import them from this file)
CALLS = []
INTERRUPT_AT = [None]


def square(x, offset=0, seed=0):
    CALLS.append(x)
    if INTERRUPT_AT[0] is not None and x == INTERRUPT_AT[0]:
        raise KeyboardInterrupt
    return {"y": x * x + offset, "seed_mod": seed % 1000}


def sometimes_raises(x, seed=0):
    print(f"x is {x}")
    if x == 2:
        raise ValueError(f"x = {x} is not allowed")
    return x + 0.5


def dies_once(x, marker, seed=0):
    """Kills its worker process the first time it sees x == 3 (a marker file remembers)."""
    if x == 3 and not os.path.exists(marker):
        with open(marker, "w") as f:
            f.write("died")
        os._exit(1)
    return {"y": 10 * x}


RECALL = Sweep("recall", grid(n=[40, 64], k=[2, 6], noise=[0.05, 0.2]), seed=7, repeats=2)


def test_grid_and_seeds():
    pts = grid(n=[1, 2], m=[3, 4, 5], fixed="a")
    assert len(pts) == 6 and all(p["fixed"] == "a" for p in pts)
    items = RECALL.items()
    assert len(items) == 16
    assert len({it["seed"] for it in items}) == 16
    # seeds do not depend on the order of the points, nor on the process (no hash())
    rev = Sweep("recall", list(reversed(RECALL.params)), seed=7, repeats=2).items()
    assert {it["task_id"]: it["seed"] for it in rev} == {it["task_id"]: it["seed"] for it in items}
    other = Sweep("recall", RECALL.params, seed=8, repeats=2).items()
    assert all(a["seed"] != b["seed"] for a, b in zip(items, other))
    r1 = random_search({"a": [1, 2, 3], "b": (0.0, 1.0), "c": {"low": 1e-3, "high": 1.0, "log": True}}, 5, seed=3)
    r2 = random_search({"a": [1, 2, 3], "b": (0.0, 1.0), "c": {"low": 1e-3, "high": 1.0, "log": True}}, 5, seed=3)
    assert r1 == r2 and len(r1) == 5 and all(1e-3 <= p["c"] <= 1.0 for p in r1)
    small = random_search({"a": [1, 2], "b": ["x", "y"]}, 10, seed=1)
    assert sorted((p["a"], p["b"]) for p in small) == [(1, "x"), (1, "y"), (2, "x"), (2, "y")]


def test_local_backends_identical(tmp_path):
    seq = run_sweep(RECALL, backend="sequential")
    proc = run_sweep(RECALL, backend="processes", workers=2, chunk_size=3, out=tmp_path / "r.csv")
    assert table(seq) == table(proc)
    assert all(r["status"] == "ok" and 0.0 <= r["recall"] <= 1.0 for r in seq.records)
    # the file holds the same records (parameters and results read back)
    back = {r["task_id"]: r for r in read_records(tmp_path / "r.csv")}
    for r in seq.records:
        b = back[r["task_id"]]
        assert b["recall"] == r["recall"] and b["seed"] == r["seed"] and b["n"] == r["n"]
    rec = seq.records[0]
    for k in ("task", "n", "k", "noise", "repeat", "seed", "status", "error", "wall_s",
              "attractor_version", "python_version", "recall", "overlap"):
        assert k in rec
    assert seq.stats["tasks_run"] == 16 and 0.0 <= proc.stats["overhead"] <= 1.0


def test_resume_runs_only_missing(tmp_path):
    s = Sweep(square, grid(x=list(range(10)), offset=[0, 1]), seed=1)
    out = tmp_path / "r.jsonl"
    CALLS.clear()
    INTERRUPT_AT[0] = 5
    try:
        with pytest.raises(KeyboardInterrupt):
            run_sweep(s, backend="sequential", chunk_size=1, out=out)
    finally:
        INTERRUPT_AT[0] = None
    done = len(read_records(out))
    assert 0 < done < 20
    CALLS.clear()
    res = run_sweep(s, backend="sequential", out=out)
    assert len(CALLS) == 20 - done
    assert res.stats["tasks_skipped"] == done
    full = run_sweep(s, backend="sequential")
    assert table(res) == table(full)
    CALLS.clear()
    again = run_sweep(s, backend="sequential", out=out)
    assert CALLS == [] and table(again) == table(full)


def test_resume_from_csv(tmp_path):
    out = tmp_path / "r.csv"
    s = Sweep(square, grid(x=list(range(6))), seed=2)
    first = run_sweep(Sweep(square, grid(x=list(range(3))), seed=2), backend="sequential", out=out)
    assert len(first.records) == 3
    CALLS.clear()
    res = run_sweep(s, backend="sequential", out=out)
    assert sorted(CALLS) == [3, 4, 5]
    assert table(res) == table(run_sweep(s, backend="sequential"))


def test_raising_task_recorded(tmp_path):
    s = Sweep(sometimes_raises, grid(x=[0, 1, 2, 3]))
    res = run_sweep(s, backend="sequential", out=tmp_path / "r.csv")
    assert [r["status"] for r in res.records] == ["ok", "ok", "error", "ok"]
    bad = res.records[2]
    assert bad["error"] == "ValueError: x = 2 is not allowed"
    assert res.records[3]["value"] == 3.5 and res.stats["errors"] == 1
    assert res.records[1]["output"] == "x is 1\n" and "ValueError" in bad["traceback"]
    assert read_records(tmp_path / "r.csv")[2]["error"] == "ValueError: x = 2 is not allowed"


def test_killed_worker_loses_nothing(tmp_path):
    marker = str(tmp_path / "died")
    s = Sweep(dies_once, grid(x=list(range(8)), marker=marker))
    res = run_sweep(s, backend="processes", workers=2, chunk_size=2, out=tmp_path / "r.jsonl")
    assert os.path.exists(marker)  # a worker did die
    assert [r["status"] for r in res.records] == ["ok"] * 8
    assert [r["y"] for r in res.records] == [10 * x for x in range(8)]
    assert len(read_records(tmp_path / "r.jsonl")) == 8


def test_builtin_tasks():
    from attractor.sweep.tasks import maxcut

    s = Sweep("train_rbm", grid(n_hidden=[4], n_iter=[3], samples=[100]), seed=1, repeats=2)
    res = run_sweep(s, backend="sequential")
    assert all(r["status"] == "ok" and r["log_likelihood"] < 0 for r in res.records)
    assert table(res) == table(run_sweep(s, backend="sequential"))
    a, b = (maxcut(n=30, p=0.2, solver="sb", rounds=1, steps=200, seed=3) for _ in range(2))
    assert a["cut"] > 0 and a["n"] == 30
    a.pop("elapsed"), b.pop("elapsed")
    assert a == b  # a fixed number of rounds is reproducible


def test_bad_configurations():
    with pytest.raises(SweepConfigError, match="unknown parameter 'nn' for task 'recall'"):
        Sweep("recall", grid(nn=[10]))
    with pytest.raises(SweepConfigError, match="empty grid: parameter 'n' has no values"):
        Sweep("recall", grid(n=[]))
    with pytest.raises(SweepConfigError, match="empty sweep"):
        Sweep("recall", [])
    with pytest.raises(SweepConfigError, match="unknown task 'maxcutt'"):
        Sweep("maxcutt", grid(n=[10]))
    with pytest.raises(SweepConfigError, match="cannot import module"):
        Sweep("no_such_module_xyz:f", grid(n=[10]))
    with pytest.raises(SweepConfigError, match="'seed' is set by the sweep"):
        Sweep("recall", grid(seed=[1, 2]))
    with pytest.raises(SweepConfigError, match=r"unknown key\(s\) \['gird'\]"):
        load_config({"task": "recall", "gird": {"n": [1]}})
    with pytest.raises(SweepConfigError, match="empty grid"):
        load_config({"task": "recall", "grid": {}})
    with pytest.raises(ValueError, match="backend = 'cluster'"):
        run_sweep(Sweep("recall", grid(n=[10])), backend="cluster")


def test_ray_missing_is_clear(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(ImportError, match="backend='ray' needs Ray"):
        run_sweep(Sweep("recall", grid(n=[10])), backend="ray")


def test_cli(tmp_path, capsys):
    cfg = tmp_path / "s.toml"
    cfg.write_text('task = "capacity"\nseed = 3\nrepeats = 2\n[grid]\nn = [32, 48]\n'
                   'alpha = [0.05, 0.3]\n[run]\nbackend = "sequential"\n')
    out = tmp_path / "out.csv"
    assert cli_main([str(cfg), "--out", str(out), "--no-progress"]) == 0
    recs = read_records(out)
    assert len(recs) == 8 and all(r["status"] == "ok" for r in recs)
    assert "8 records" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('task = "capacity"\n[grid]\nm = [1]\n')
    assert cli_main([str(bad), "--out", str(out)]) == 2
    assert "unknown parameter 'm'" in capsys.readouterr().err


def where(x, pause=0.0, seed=0):
    """A task that says which Ray node ran it (None outside Ray)."""
    time.sleep(pause)
    node = None
    try:
        import ray

        if ray.is_initialized():
            node = ray.get_runtime_context().get_node_id()
    except ImportError:
        pass
    return {"y": x * x, "node": node}


@pytest.fixture
def two_node_cluster():
    """A head and one worker node (1 CPU each) on this machine, from Ray's own test utility
    ``ray.cluster_utils.Cluster``; the workers import this file's tasks through PYTHONPATH."""
    ray = pytest.importorskip("ray", reason="the multi-node test needs Ray (pip install 'attractor[sweep]')")
    try:
        from ray.cluster_utils import Cluster
    except ImportError as e:
        pytest.skip(f"Ray's test utility ray.cluster_utils.Cluster is not available: {e}")
    if ray.is_initialized():
        pytest.skip("Ray is already initialised in this process; run this test first or alone")
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([HERE] + [p for p in (old or "").split(os.pathsep) if p])
    cluster = None
    try:
        try:
            cluster = Cluster(initialize_head=True,
                              head_node_args={"num_cpus": 1, "include_dashboard": False})
            cluster.add_node(num_cpus=1)
            cluster.wait_for_nodes()
            ray.init(address=cluster.address, log_to_driver=False)
        except Exception as e:  # a sandbox where Ray cannot start its processes
            pytest.skip(f"a simulated two-node Ray cluster does not start here: {type(e).__name__}: {e}")
        yield ray
    finally:
        ray.shutdown()
        if cluster is not None:
            cluster.shutdown()
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def test_two_node_cluster_matches_local(two_node_cluster, tmp_path):
    ray = two_node_cluster
    assert len([n for n in ray.nodes() if n["Alive"]]) == 2
    local = run_sweep(RECALL, backend="processes", workers=2, chunk_size=3)
    on_cluster = run_sweep(RECALL, backend="ray", chunk_size=3, out=tmp_path / "r.jsonl")
    assert on_cluster.stats["workers"] == 2
    assert table(local) == table(on_cluster)
    assert len(read_records(tmp_path / "r.jsonl")) == 16
    # both nodes ran tasks (each holds one CPU, and every task waits a little)
    spread = run_sweep(Sweep(where, grid(x=list(range(8)), pause=0.2)), backend="ray", chunk_size=1)
    assert [r["y"] for r in spread.records] == [x * x for x in range(8)]
    assert len({r["node"] for r in spread.records}) == 2


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray", reason="the Ray backend's tests need Ray (pip install 'attractor[sweep]')")
    # the workers import this file's tasks: they inherit PYTHONPATH from the driver
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([HERE] + [p for p in (old or "").split(os.pathsep) if p])
    t0 = time.perf_counter()
    try:
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        except Exception as e:  # a sandbox where Ray cannot start its processes
            pytest.skip(f"a local Ray cluster does not start here: {type(e).__name__}: {e}")
        print(f"ray start {time.perf_counter() - t0:.1f} s")
        yield ray
    finally:
        ray.shutdown()
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def test_ray_matches_local(ray_cluster, tmp_path):
    local = run_sweep(RECALL, backend="sequential")
    on_ray = run_sweep(RECALL, backend="ray", chunk_size=3, out=tmp_path / "r.csv")
    assert on_ray.stats["workers"] == 2
    assert table(local) == table(on_ray)
    assert len(read_records(tmp_path / "r.csv")) == 16


def test_ray_killed_worker_and_errors(ray_cluster, tmp_path):
    marker = str(tmp_path / "died")
    s = Sweep(dies_once, grid(x=list(range(8)), marker=marker))
    res = run_sweep(s, backend="ray", chunk_size=2, max_retries=2)
    assert os.path.exists(marker)
    assert [r["y"] for r in res.records] == [10 * x for x in range(8)]
    bad = run_sweep(Sweep(sometimes_raises, grid(x=[0, 1, 2, 3])), backend="ray")
    assert [r["status"] for r in bad.records] == ["ok", "ok", "error", "ok"]
    assert bad.records[2]["error"] == "ValueError: x = 2 is not allowed"
