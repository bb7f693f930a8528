"""What the MNIST benchmarks share: the thread variables set before NumPy is imported, the
peers installed with pip when missing, and the MNIST images read as float64 rows."""

import importlib.util
import os
import subprocess
import sys

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS", "RAYON_NUM_THREADS")


def set_threads(threads):
    """Give every BLAS and rayon pool `threads` threads (0: all cores); returns the count. Call
    before NumPy is first imported."""
    n = threads or os.cpu_count() or 1
    for var in THREAD_VARS:
        os.environ[var] = str(n)
    return n


def install_missing(peers, no_install):
    """pip-install the packages of `peers` ({module: pip package}) whose module is missing."""
    missing = [pkg for mod, pkg in peers.items() if importlib.util.find_spec(mod) is None]
    if missing and not no_install:
        print(f"$ pip install -q {' '.join(missing)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=False)
        importlib.invalidate_caches()


def read_images(path, count):
    """The first `count` images of an IDX file as C-contiguous float64 rows in [0, 1]."""
    import numpy as np

    try:
        from attractor import read_idx

        a = read_idx(str(path))
    except Exception:  # attractor not installed, or an older build
        import gzip

        b = gzip.open(path).read()
        n, h, w = (int.from_bytes(b[4 + 4 * i: 8 + 4 * i], "big") for i in range(3))
        a = np.frombuffer(b, dtype=np.uint8, offset=16).reshape(n, h, w)
    a = np.asarray(a)[:count]
    return np.ascontiguousarray(a.reshape(a.shape[0], -1), dtype=np.float64) / 255.0
