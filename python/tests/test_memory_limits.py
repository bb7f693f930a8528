"""The memory policy, the input checks and divergence from Python: each reproduction of issue
19 runs in a child process under an address-space limit (``resource.setrlimit(RLIMIT_AS)``)
and must raise ``attractor.MemoryLimitError`` (an ``AttractorError`` and a ``MemoryError``)
with a clear message, never a ``PanicException`` or an abort."""

import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import attractor

# 4 GiB: the matrix backend reserves about 1 GiB of address space per thread
PRELUDE = textwrap.dedent(
    """
    import resource, sys
    cap = 4 << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import numpy as np, attractor
    try:
        {call}
        print("no error")
    except attractor.MemoryLimitError as e:
        assert isinstance(e, MemoryError) and isinstance(e, attractor.AttractorError)
        print("MemoryLimitError:", e)
    except attractor.AttractorError as e:
        print("AttractorError:", e)
    """
)


def capped(call):
    """Run ``call`` in a child under the cap: ``(returncode, stdout + stderr)``."""
    env = {k: v for k, v in os.environ.items() if k != "ATTRACTOR_MAX_MEMORY"}
    child = subprocess.run(
        [sys.executable, "-c", PRELUDE.format(call=call)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    return child.returncode, child.stdout + child.stderr


@pytest.mark.parametrize(
    "call, needles",
    [
        ("attractor.SparseDictionary(np.full((30000, 1), 0.5))", ["Gram matrix", "30000 x 30000"]),
        (
            "attractor.BernoulliRBM(n_components=10**7, n_iter=1).fit(np.ones((50, 12)))",
            ["10000000"],
        ),
        (
            "attractor.BernoulliRBM(n_components=2, n_iter=1).fit(np.ones((50, 12))).sample(10**12)",
            ["1000000000000"],
        ),
    ],
)
def test_derived_sizes_are_refused_with_a_memory_limit_error(call, needles):
    code, out = capped(call)
    assert code == 0, out
    assert "MemoryLimitError:" in out, out
    assert "PanicException" not in out
    for n in needles:
        assert n in out, out


def test_maxcut_of_a_huge_node_id_does_not_build_a_list_of_every_node():
    code, out = capped("attractor.maxcut(np.array([[0, 2**26]]), rounds=1)")
    assert code == 0, out
    assert "Error:" in out and "PanicException" not in out, out


def test_sparse_trajectory_with_huge_max_points_is_bounded():
    code, out = capped(
        "attractor.sparse_trajectory(np.ones(2), np.eye(2), alpha=0.1, max_points=2**62)"
    )
    assert code == 0 and "PanicException" not in out, out


def test_set_memory_limit_caps_allocations():
    try:
        attractor.set_memory_limit("16M")
        assert attractor.memory_limit() == 16 << 20
        with pytest.raises(attractor.MemoryLimitError, match="set_memory_limit"):
            attractor.SparseDictionary(np.full((3000, 1), 0.5))
        with pytest.raises(MemoryError):
            attractor.SparseDictionary(np.full((3000, 1), 0.5))
    finally:
        attractor.set_memory_limit(None)
    assert attractor.memory_limit() is None
    with pytest.raises(attractor.AttractorError, match="limit"):
        attractor.set_memory_limit("lots")


def test_a_dictionary_of_no_features_is_refused_at_once():
    d = np.empty((10**18, 0))
    for call in (
        lambda: attractor.SparseDictionary(d),
        lambda: attractor.sparse_encode(np.ones((1, 0)), d, alpha=0.1),
    ):
        t0 = time.perf_counter()
        with pytest.raises(attractor.AttractorError, match="0 features"):
            call()
        assert time.perf_counter() - t0 < 1.0


def test_devices_and_fifos_are_refused(tmp_path):
    with pytest.raises(attractor.AttractorError, match="character device"):
        attractor.read_npy("/dev/zero")
    with pytest.raises(attractor.AttractorError, match="character device"):
        attractor.read_gset("/dev/zero")
    with pytest.raises(attractor.AttractorError, match="character device"):
        attractor.BernoulliRBM.load("/dev/zero")
    fifo = tmp_path / "x.npy"
    os.mkfifo(fifo)
    t0 = time.perf_counter()
    with pytest.raises(attractor.AttractorError, match="FIFO"):
        attractor.read_npy(fifo)
    assert time.perf_counter() - t0 < 1.0


def test_diverged_codes_are_an_error_unless_the_status_is_asked_for():
    rng = np.random.default_rng(0)
    d = rng.normal(size=(8, 5))
    x = rng.normal(size=(3, 5))
    kw = dict(alpha=0.01, equilibrium_solve=False, gamma=100.0, max_iter=2000)
    with pytest.raises(attractor.AttractorError, match="diverged"):
        attractor.sparse_encode(x, d, **kw)
    codes, report = attractor.sparse_encode(x, d, return_report=True, **kw)
    assert "diverged" in report["status"]


def test_log_partition_of_huge_weights_is_an_error_not_nan():
    rbm = attractor.BernoulliRBM(n_components=3, n_iter=1).fit(np.eye(4))
    rbm._model().set_parameters(np.full((3, 4), 1e308), np.zeros(4), np.zeros(3))
    with pytest.raises(attractor.AttractorError, match="overflow"):
        rbm.log_partition()
