"""NumPy round trips, dtypes, shapes and non-finite values: clear errors naming the argument."""

import numpy as np
import pytest

import attractor
from attractor import AttractorError


def test_error_hierarchy():
    assert issubclass(AttractorError, ValueError)
    assert issubclass(attractor.Interrupted, KeyboardInterrupt)


def test_hopfield_round_trip_and_layouts():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((20, 20))
    w = 0.5 * (a + a.T) / 2 / np.sqrt(20)  # contracting: one equilibrium
    x0 = rng.standard_normal(20)
    c = attractor.HopfieldNetwork(w).run(x0)
    f = attractor.HopfieldNetwork(np.asfortranarray(w)).run(np.ascontiguousarray(x0))
    assert c.status == "converged"
    np.testing.assert_array_equal(c.state, f.state)
    assert c.state.dtype == np.float64 and c.state.shape == (20,)
    # integer and float32 input are accepted and converted
    assert attractor.HopfieldNetwork(w.astype(np.float32)).dim == 20
    assert attractor.HopfieldNetwork(np.eye(3, dtype=np.int64)).dim == 3


@pytest.mark.parametrize(
    "bad, exc, needle",
    [
        (np.array([["a", "b"], ["c", "d"]]), TypeError, "weights"),
        (np.ones((2, 2), dtype=complex), TypeError, "complex"),
        (np.ones(4), AttractorError, "2-D"),
        (np.array([[0.0, np.nan], [np.nan, 0.0]]), AttractorError, "non-finite"),
        (np.ones((2, 3)), AttractorError, "square"),
    ],
)
def test_bad_weights(bad, exc, needle):
    with pytest.raises(exc, match=needle):
        attractor.HopfieldNetwork(bad)


def test_bad_run_arguments():
    net = attractor.HopfieldNetwork(np.zeros((3, 3)))
    with pytest.raises(AttractorError, match="x0"):
        net.run(np.ones(4))
    with pytest.raises(AttractorError, match="x0"):
        net.run([0.0, np.inf, 0.0])
    with pytest.raises(AttractorError, match="stepper"):
        net.run(np.ones(3), stepper="leapfrog")
    with pytest.raises(AttractorError, match="dt"):
        net.run(np.ones(3), dt=-1.0)
    with pytest.raises(AttractorError, match="activation"):
        attractor.HopfieldNetwork(np.zeros((3, 3)), activation="softsign")


def test_readers(repo, g1):
    n, edges = attractor.read_gset(g1)
    assert n == 800 and edges.shape == (19176, 3)
    imgs = attractor.read_idx(repo / "data" / "mnist" / "train-images-first.idx3-ubyte.gz")
    assert imgs.dtype == np.uint8 and imgs.shape[1:] == (28, 28)
    digits = attractor.read_npy(repo / "data" / "digits" / "digits_X_uint8.npy")
    assert digits.ndim == 2 and digits.shape[1] == 64
    with pytest.raises(AttractorError, match="no/such"):
        attractor.read_gset("/no/such/file")


def test_edge_list_and_qubo_readers(tmp_path):
    e = tmp_path / "g.txt"
    e.write_text("0 1 2.5\n1 2\n")
    n, edges = attractor.read_gset(e, format="edges")
    assert n == 3 and edges.tolist() == [[0, 1, 2.5], [1, 2, 1.0]]
    q = tmp_path / "q.txt"
    q.write_text("3 3\n1 1 -1\n1 2 2\n3 3 0.5\n")
    n, Q, offset = attractor.read_qubo(q)
    assert n == 3 and Q == {(0, 0): -1.0, (0, 1): 2.0, (2, 2): 0.5} and offset == 0.0
    with pytest.raises(AttractorError, match="format"):
        attractor.read_gset(e, format="csv")
    with pytest.raises(AttractorError, match="q.txt"):
        (tmp_path / "q.txt").write_text("2 1\n1 9 1\n")
        attractor.read_qubo(q)
