"""The examples people read first (the documentation's gallery) run headless and draw their
figures; every script in python/examples is listed here."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    "script, args",
    [("hopfield_energy.py", []), ("mnist_recall.py", []), ("maxcut_g1.py", ["1"]), ("oscillator_kappa.py", []),
     ("sparse_coding.py", []), ("memory_failures.py", []), ("rbm_digits.py", []), ("eqprop_digits.py", []),
     ("score_matching_langevin.py", []), ("contraction.py", [])],
)
def test_example_runs_and_draws(tmp_path, script, args):
    png = tmp_path / "figure.png"
    env = dict(os.environ, MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, str(EXAMPLES / script), str(png), *args],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert png.stat().st_size > 1000
    assert out.stdout.strip()


def test_every_example_is_listed():
    listed = {"hopfield_energy.py", "mnist_recall.py", "maxcut_g1.py", "oscillator_kappa.py", "sparse_coding.py",
              "memory_failures.py", "rbm_digits.py", "eqprop_digits.py", "score_matching_langevin.py",
              "contraction.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == listed
