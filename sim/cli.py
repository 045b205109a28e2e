"""Plumbing shared by the `--json` command lines (`sim.run`, `generation.generate`,
`generation.trials`): exactly one JSON document on stdout for every outcome, documented exit codes.

Exit codes of these CLIs: EXIT_OK 0 (the work ran; see each CLI for what else it requires),
EXIT_FAILED 1 (the work ran and failed, or stopped at a limit), EXIT_USAGE 2 (bad arguments, unknown
task, a task that cannot be loaded), EXIT_CANCELLED 130 (SIGINT or SIGTERM; 128 + SIGINT as shells
report it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad command-line arguments (message fit for the user)."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting, so that a `--json`
    run can report bad arguments as JSON."""

    def error(self, message):
        raise UsageError(message)


def wants_json(argv) -> bool:
    """Whether `--json` is among the arguments (looked up before parsing, which may fail)."""
    return "--json" in (sys.argv[1:] if argv is None else argv)


def json_stdout():
    """Send fd 1 (C-level prints of PyBullet or ffmpeg included) to stderr and return a file on the
    original stdout, so that the JSON document is the only thing there."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(saved, "w")


def emit(doc: dict, out) -> None:
    """Print `doc` as one JSON line on `out` (values JSON cannot hold become strings)."""
    print(json.dumps(doc, default=str), file=out, flush=True)


@contextlib.contextmanager
def cancel_on_signals(interrupt: bool = False):
    """Within the block SIGINT and SIGTERM set the yielded threading.Event (work that polls it stops
    cleanly and still reports); with `interrupt=True` they also raise KeyboardInterrupt in the main
    thread, for work that cannot poll. Previous handlers are restored afterwards."""
    cancel = threading.Event()

    def handler(signum, frame):
        cancel.set()
        if interrupt:
            raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield cancel
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
