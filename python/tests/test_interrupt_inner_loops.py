"""Ctrl-C reaches inside long inner loops, not only between minibatches or rounds: the Gibbs
sweeps of one CD step (``cd_k`` = 10**9), a sample of 10**15 sweeps, and the exact enumeration
of ``log Z`` over 2**24 hidden states of a wide model. Each child sets its SIGINT handler
explicitly (a shell running the suite as a background job starts children with SIGINT
ignored), and every test kills its child whatever happens."""

import sys
import textwrap

import pytest

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("POSIX signals", allow_module_level=True)

PRELUDE = """
import time, numpy as np, attractor
"""


def test_ctrl_c_stops_the_gibbs_sweeps_of_one_cd_step(interrupt_child):
    out, waited = interrupt_child(
        PRELUDE
        + textwrap.dedent(
            """
        x = (np.random.default_rng(0).random((40, 50)) < 0.3).astype(float)
        est = attractor.BernoulliRBM(n_components=40, n_iter=5, batch_size=40, cd_k=10**9)
        print("ready", flush=True)
        try:
            est.fit(x)
            print("finished", flush=True)
        except attractor.Interrupted as e:
            r = e.report
            print(f"interrupted {r['n_updates']} {bool(np.all(np.isfinite(est.components_)))}", flush=True)
        """
        ),
        wait=1.0,
    )
    assert out.split() == ["interrupted", "0", "True"], out
    assert waited < 2.0, f"took {waited:.2f} s to stop"


def test_ctrl_c_stops_a_long_sample_with_the_states_reached(interrupt_child):
    out, waited = interrupt_child(
        PRELUDE
        + textwrap.dedent(
            """
        x = (np.random.default_rng(0).random((40, 30)) < 0.3).astype(float)
        est = attractor.BernoulliRBM(n_components=20, n_iter=1, random_state=0).fit(x)
        print("ready", flush=True)
        try:
            est.sample(1, n_steps=10**15)
            print("finished", flush=True)
        except attractor.Interrupted as e:
            s = e.result
            print(f"interrupted {s.shape[0]} {s.shape[1]} {bool(np.isin(s, (0.0, 1.0)).all())}", flush=True)
        """
        ),
        wait=1.0,
    )
    assert out.split() == ["interrupted", "1", "30", "True"], out
    assert waited < 2.0, f"took {waited:.2f} s to stop"


def test_ctrl_c_stops_the_exact_enumeration_of_log_z(interrupt_child):
    out, waited = interrupt_child(
        PRELUDE
        + textwrap.dedent(
            """
        rng = np.random.default_rng(1)
        est = attractor.BernoulliRBM.from_parameters(
            0.01 * rng.standard_normal((24, 20000)), np.zeros(24), np.zeros(20000)
        )
        print("ready", flush=True)
        try:
            est.log_partition("exact")
            print("finished", flush=True)
        except KeyboardInterrupt as e:
            print("interrupted", "exact enumeration" in str(e), flush=True)
        """
        ),
        wait=1.0,
    )
    assert out.split() == ["interrupted", "True"], out
    assert waited < 2.0, f"took {waited:.2f} s to stop"
