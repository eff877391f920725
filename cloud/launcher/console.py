"""What the launcher prints: one line per step, with visible progress while a step runs."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

PREFIX = "[run-cloud]"


def say(message: str, out: IO[str] | None = None) -> None:
    print(f"{PREFIX} {message}", file=out or sys.stdout, flush=True)


class StepFailed(RuntimeError):
    """A step could not complete; the message says why and what to look at."""


@contextmanager
def step(title: str, out: IO[str] | None = None, tick: float = 10.0) -> Iterator[None]:
    """Announce ``title``, show it is still running, then say how long it took.

    On a terminal a spinner with the elapsed time redraws in place; in a log
    file a "still ..." line appears every ``tick`` seconds instead.
    """
    out = out or sys.stdout
    started = time.monotonic()
    done = threading.Event()
    tty = out.isatty()

    def progress() -> None:
        frames = "|/-\\"
        index = 0
        next_line = tick
        while not done.wait(0.25 if tty else 1.0):
            elapsed = time.monotonic() - started
            if tty:
                out.write(f"\r{PREFIX} {title} {frames[index % 4]} {elapsed:4.0f}s")
                out.flush()
                index += 1
            elif elapsed >= next_line:
                say(f"still {title[0].lower() + title[1:]} ({elapsed:.0f}s)", out)
                next_line += tick

    if not tty:
        say(f"{title} ...", out)
    thread = threading.Thread(target=progress, name="progress", daemon=True)
    thread.start()
    ok = False
    try:
        yield
        ok = True
    finally:
        done.set()
        thread.join()
        elapsed = time.monotonic() - started
        outcome = "done" if ok else "FAILED"
        if tty:
            out.write(f"\r{PREFIX} {title}: {outcome} ({elapsed:.1f}s)      \n")
            out.flush()
        else:
            say(f"{title}: {outcome} ({elapsed:.1f}s)", out)
