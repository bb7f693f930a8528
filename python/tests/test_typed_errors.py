"""Errors are typed after what went wrong (all under AttractorError, a ValueError), and the
hand-written stub of the compiled module lists every name the module has."""

import ast
from pathlib import Path

import numpy as np
import pytest

import attractor
from attractor import _attractor


def test_each_kind_of_error_has_its_type():
    w = np.array([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(attractor.ParameterError, match="tau"):
        attractor.certify_contraction(w, tau=-1.0)
    with pytest.raises(attractor.ShapeError):
        attractor.certify_contraction(np.zeros((2, 3)))
    with pytest.raises(attractor.NonFiniteError):
        attractor.certify_contraction(np.array([[0.0, np.nan], [0.0, 0.0]]))


def test_file_errors_are_typed(tmp_path):
    bad = tmp_path / "g.txt"
    bad.write_text("3 2\n1 2 1\n2 x 1\n")
    with pytest.raises(attractor.FileFormatError, match="g.txt"):
        attractor.read_gset(str(bad))
    with pytest.raises((attractor.FileAccessError, attractor.FileFormatError)):
        attractor.read_gset(str(tmp_path / "missing.txt"))


def test_every_typed_error_is_an_attractor_error_and_a_value_error():
    for name in ["ShapeError", "NonFiniteError", "ParameterError", "FileFormatError",
                 "NumericalError", "NotConverged", "FileAccessError", "MemoryLimitError"]:
        t = getattr(attractor, name)
        assert issubclass(t, attractor.AttractorError) and issubclass(t, ValueError), name


def test_the_stub_lists_every_name_of_the_compiled_module():
    stub = Path(attractor.__file__).with_name("_attractor.pyi")
    tree = ast.parse(stub.read_text())
    declared = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            declared.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)
        # a plain assignment in a stub is a type alias (``Dictionary = Union[...]``), not a
        # name of the module
    public = {n for n in dir(_attractor) if not n.startswith("_")} | {"__version__"}
    missing = sorted(public - declared)
    extra = sorted(declared - public)
    assert not missing, f"names of the module without a stub: {missing}"
    assert not extra, f"stubs of names the module does not have: {extra}"


def _in_child(code, env=None):
    import os
    import subprocess
    import sys

    e = dict(os.environ)
    e.pop("ATTRACTOR_NUM_THREADS", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e)


def test_one_thread_setting_per_process():
    r = _in_child("import attractor; print(attractor.get_num_threads())",
                  {"ATTRACTOR_NUM_THREADS": "1"})
    assert r.returncode == 0 and r.stdout.strip() == "1", r.stderr
    r = _in_child("import attractor; print(attractor.set_num_threads(1), attractor.get_num_threads())")
    assert r.stdout.split() == ["1", "1"], r.stderr
    # sized once: asking again for another size is refused with what to do
    r = _in_child(
        "import attractor\n"
        "attractor.set_num_threads(1)\n"
        "try:\n    attractor.set_num_threads(2)\n"
        "except attractor.ParameterError as e:\n    print('refused:', e)\n"
    )
    assert "refused:" in r.stdout and "ATTRACTOR_NUM_THREADS" in r.stdout, r.stdout + r.stderr
    r = _in_child("import attractor", {"ATTRACTOR_NUM_THREADS": "many"})
    assert r.returncode != 0 and "ATTRACTOR_NUM_THREADS" in r.stderr
    with pytest.raises(attractor.ParameterError, match="n = 0"):
        attractor.set_num_threads(0)
