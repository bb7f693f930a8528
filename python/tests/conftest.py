import os
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo():
    return REPO


@pytest.fixture
def g1(repo):
    return repo / "data" / "gset" / "G1.txt"


@pytest.fixture
def assert_gil_released():
    """``assert_gil_released(work, what)``: run ``work()`` while a Python thread ticks every
    millisecond, and assert that the thread kept ticking (at least 30 % of the ticks an idle
    interpreter gives), i.e. that the work released the interpreter lock."""

    def check(work, what):
        ticks = []
        stop = threading.Event()

        def count():
            while not stop.is_set():
                ticks.append(time.monotonic())
                time.sleep(0.001)

        t = threading.Thread(target=count)
        t.start()
        start = time.monotonic()
        try:
            work()
        finally:
            elapsed = time.monotonic() - start
            stop.set()
            t.join()
        during = [s for s in ticks if start <= s <= start + elapsed]
        assert elapsed > 0.05, f"the {what} was too quick to tell"
        assert len(during) >= 0.3 * elapsed / 0.0011, (len(during), elapsed)

    return check


@pytest.fixture
def interrupt_child():
    """Run a child Python with ``code`` (and ``args``) that prints ``ready`` before its long
    call, send it SIGINT ``wait`` seconds later and return (its output, seconds from the signal
    to its exit). The child sets its SIGINT handler explicitly -- a shell running the suite as
    a background job starts children with SIGINT ignored -- and is killed whatever happens, so
    a failing test leaves no process spinning."""
    import signal
    import subprocess
    import sys
    import time

    def run(code, *args, wait=1.5, timeout=30):
        prelude = "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
        child = subprocess.Popen(
            [sys.executable, "-c", prelude + code, *map(str, args)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            first = child.stdout.readline().strip()
            assert first == "ready", first
            time.sleep(wait)
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            out, _ = child.communicate(timeout=timeout)
            return out, time.monotonic() - sent
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()

    return run
