"""A spinner on stderr while the CLI waits for a remote task, only when stderr is a terminal."""
from __future__ import annotations

import contextlib
import itertools
import sys
import threading
import time
from typing import Iterator

FRAMES = "|/-\\"


@contextlib.contextmanager
def spinner(message: str, interval: float = 0.1) -> Iterator[None]:
    """Show ``message`` with a spinner and the seconds waited; nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    done = threading.Event()
    started = time.monotonic()

    def spin() -> None:
        for frame in itertools.cycle(FRAMES):
            if done.wait(interval):
                break
            sys.stderr.write(f"\r{frame} {message} ({time.monotonic() - started:.0f} s)")
            sys.stderr.flush()
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()

    thread = threading.Thread(target=spin, name="om-spinner", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
