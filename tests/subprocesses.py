"""Child processes in tests: run or start a project CLI as `python -m MODULE` from the repository
root (the generation CLIs with the recorded model answers), pick a free loopback port, stop a server."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDED = ROOT / "tests" / "data" / "recorded" / "good"  # answers that make an accepted task (serving.recorded)
# generation.generate / generation.trials arguments: those answers, one episode per run.
RECORDED_ONE_EPISODE = ("--backend", "recorded", "--path", RECORDED, "--episodes", 1)


def run_module(module: str, *args, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m module *args` (each arg str()-ed) in the repository root, output captured as text.
    Raises subprocess.TimeoutExpired after `timeout` seconds."""
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_module(module: str, *args, env: dict | None = None, **popen) -> subprocess.Popen:
    """Start `python -m module *args` (each arg str()-ed) in the repository root; `popen`: further
    subprocess.Popen arguments (stdout, stderr, text, ...)."""
    return subprocess.Popen([sys.executable, "-m", module, *map(str, args)], cwd=ROOT, env=env, **popen)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(proc: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM, then SIGKILL when `proc` has not exited within `grace` seconds; reaps it."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
