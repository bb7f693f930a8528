"""Every argument is converted with its name: a wrong type is a TypeError naming it, a number
out of range an AttractorError naming it -- never a bare OverflowError -- and numbers whose
products overflow are refused by what they are, not by a derived quantity."""

import numpy as np
import pytest

import attractor

EDGES = np.array([[0, 1], [1, 2], [2, 0]])


@pytest.mark.parametrize(
    "call, kind, words",
    [
        (lambda: attractor.maxcut(EDGES, rounds=1, seed=-1), attractor.AttractorError, "seed = -1"),
        (lambda: attractor.maxcut(EDGES, rounds=10**30), attractor.AttractorError, "num_rounds = 1000"),
        (lambda: attractor.maxcut(EDGES, rounds=1, seed="a"), TypeError, "seed"),
        (lambda: attractor.sparse_encode(np.ones((2, 3)), np.eye(3), max_iter=10**30),
         attractor.AttractorError, "max_iter = 1000"),
        (lambda: attractor.sparse_encode(np.ones((2, 3)), np.eye(3), max_iter="a"), TypeError,
         "max_iter"),
        (lambda: attractor.sparse_trajectory(np.ones(3), np.eye(3), every=0),
         attractor.AttractorError, "every = 0"),
        (lambda: attractor.BernoulliRBM(n_components=2, n_iter=10**30).fit(np.ones((5, 3))),
         attractor.AttractorError, "n_iter = 1000"),
        (lambda: attractor.BernoulliRBM(n_components=2, n_iter=1).fit(np.ones((5, 3)))
         .sample(1, n_steps=10**30), attractor.AttractorError, "n_steps = 1000"),
        (lambda: attractor.ScoreMatchingEnergy(max_epochs=10**30).fit(np.ones((5, 3))),
         attractor.AttractorError, "max_epochs = 1000"),
        (lambda: attractor.EquilibriumPropagationClassifier(max_iter=10**30)
         .fit(np.ones((4, 3)), [0, 1, 0, 1]), attractor.AttractorError, "max_iter = 1000"),
        (lambda: attractor.anneal_ising_arrays(2, np.zeros(2), [0], [1], [1.0], num_reads=-1),
         attractor.AttractorError, "num_reads = -1"),
    ],
)
def test_arguments_are_named(call, kind, words):
    with pytest.raises(kind) as info:
        call()
    assert words in str(info.value), str(info.value)
    assert not isinstance(info.value, OverflowError)


def test_overflowing_numbers_are_refused_by_what_they_are():
    with pytest.raises(attractor.AttractorError, match="atom 0.*1e200.*overflow"):
        attractor.sparse_encode(np.ones((2, 3)), 1e200 * np.eye(3))
    with pytest.raises(attractor.AttractorError, match="couplings.*1e308.*overflow"):
        attractor.maxcut(np.array([[0, 1, 1e308], [1, 2, 1e308]]), rounds=1)


def test_numpy_refusals_are_wrapped_with_the_file(tmp_path):
    import struct

    shape = ", ".join(["1"] * 5000)
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + shape + "), }"
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    path = tmp_path / "deep.npy"
    path.write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
                     + b"\x00" * 8)
    with pytest.raises(attractor.AttractorError, match="5000 dimensions") as info:
        attractor.read_npy(path)
    assert len(str(info.value)) < 400
