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
