"""Ctrl-C: SIGINT to a child process running a long solve stops it within a second, raising
attractor.Interrupted with the best result so far; the interpreter lock is released meanwhile."""

import signal
import subprocess
import sys
import textwrap
import time

import numpy as np

import attractor

CHILD = textwrap.dedent(
    """
    import sys, time, attractor
    print("ready", flush=True)
    t0 = time.time()
    try:
        attractor.maxcut(sys.argv[1], time=60)
        print("finished", flush=True)
    except attractor.Interrupted as e:
        print(f"interrupted {e.result.cut} {time.time() - t0:.2f}", flush=True)
    """
)


def test_sigint_stops_a_long_solve_within_a_second(g1, interrupt_child):
    out, waited = interrupt_child(CHILD, g1, timeout=10)
    assert out.startswith("interrupted"), out
    assert waited < 1.0, f"took {waited:.2f} s to stop"
    cut = float(out.split()[1])
    assert 11000 < cut <= 11624  # a real cut of G1 (best known 11624)


def test_the_interpreter_lock_is_released_while_rust_computes(assert_gil_released):
    # a Python thread keeps counting while a batch of recalls runs in Rust
    rng = np.random.default_rng(0)
    p = np.where(rng.random((200, 400)) < 0.5, -1.0, 1.0)
    mem = attractor.DenseMemory(separation=3).fit(p)
    q = np.where(rng.random((200, 400)) < 0.5, -1.0, 1.0)
    assert_gil_released(lambda: mem.predict(q), "recall")
