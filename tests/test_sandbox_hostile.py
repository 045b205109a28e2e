"""Hostile task files (tests/data/hostile/) against the sandbox, with and without namespaces.

Each file is a realistic attack. For every one: the host is unharmed (marker files absent, the
loopback listener saw no connection, the canary secret set in this process's environment appears in
no event), the run ends within its limits, and the verdict is not a success and names what happened.
With namespaces forced off (GENSIM_SANDBOX_NAMESPACES=0) the filesystem and network cases must be
reported as not isolated instead (when seccomp still blocks the network, they must be blocked).
"""

import ctypes.util
import importlib.util
import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from sim.sandbox import Limits, iter_run
from sim.sandbox.events import StageEvent, VerdictEvent
from sim.sandbox.isolation import probe_bwrap
from sim.settings import RunSettings

HOSTILE_DIR = Path(__file__).parent / "data" / "hostile"
CANARY = "sk-canary-" + secrets.token_hex(12)
# CPU limit short, wall limit with room for a loaded 2-core machine (the load stage must be reached)
LIMITS = Limits(cpu_seconds=2, wall_seconds=8, memory_bytes=3 << 29, log_bytes=16 * 1024)
SETTINGS = RunSettings(episodes=1, video=False, limits=LIMITS)

# What the verdict's error ("type: message") must name, per file.
EXPECT = {
    "write_outside_workdir": r"OSError|PermissionError",
    "write_home_dotfile": r"PermissionError|OSError",
    "leak_env_error": r"RuntimeError: env:",
    "leak_env_stdout": r"KeyError: 'OPENAI_API_KEY'",
    "leak_proc_environ": r"RuntimeError: no API key found|PermissionError",
    "read_host_secret": r"PermissionError|FileNotFoundError",
    "socket_tcp": r"PermissionError|OSError|Connection\w*Error|TimeoutError",
    "socket_udp": r"PermissionError|OSError|TimeoutError",
    "os_system": r"RuntimeError: os.system returned",
    "subprocess_run": r"PermissionError|CalledProcessError|OSError",
    "hidden_import_system": r"RuntimeError: shell escape failed",
    # without seccomp the fork succeeds: the forked copies then garble the signed channel
    "os_fork": r"PermissionError|BlockingIOError|RuntimeError: forked child|Read-only",
    "fork_bomb": r"PermissionError|BlockingIOError|ExitedEarly: .*bad signature",
    "thread_bomb": r"RuntimeError: can't start new thread|MemoryError",
    "infinite_loop": r"CpuTimeLimit|WallTimeLimit",
    "sleep_forever": r"WallTimeLimit",
    "memory_bomb": r"MemoryError|Killed",
    "huge_stdout": r"CpuTimeLimit|WallTimeLimit",
    "huge_stderr_one_line": r"CpuTimeLimit|WallTimeLimit",
    "deep_recursion": r"MemoryError|RecursionError|Crashed|Killed|CpuTimeLimit",
    "sys_exit_zero": r"SystemExit",
    "os_exit_zero": r"ExitedEarly: child exited with code 0",
    "fake_verdict_stdout": r"ExitedEarly: child exited with code 0",
    "fake_verdict_fds": r"ExitedEarly: .*bad signature",
    "close_all_fds": r"ExitedEarly|ChannelClosed",
    "kill_parent": r"PermissionError",
    "kill_self": r"Killed: killed by SIGKILL",
    "raise_rlimits": r"PermissionError|ValueError",
    "disconnect_pybullet": r"(?i)not connected|physics server|error",
    "patch_task_api": r"APIPatched|patched the task API: .*Task\.(reward|done)",
    "patch_pybullet": r"patched the task API: pybullet\.getBasePositionAndOrientation",
    "patch_episode_runner": r"patched the task API: sim\.episode\.run_episode",
    # tests/test_sandbox_fallback.py asserts what each of these must find, per layer
    "read_parent_environ": r"PermissionError|FileNotFoundError|RuntimeError: parent environment",
    "read_parent_memory": r"PermissionError|FileNotFoundError|RuntimeError: parent memory",
    "read_sibling_memory": r"PermissionError|RuntimeError: (no sibling|read a sibling)",
    "write_tmp": r"PermissionError|RuntimeError: wrote /tmp/",
    "write_project_tree": r"PermissionError|OSError|RuntimeError: wrote into the project tree",
    "hijack_heartbeat": r"PermissionError|RuntimeError: heartbeat thread",
}
FS_CASES = {"write_outside_workdir", "write_home_dotfile", "leak_proc_environ", "read_host_secret"}
NET_CASES = {"socket_tcp", "socket_udp"}
# Attacks that would reach the host's processes where neither a pid namespace nor seccomp exists.
NEEDS_CONTAINMENT = {"kill_parent", "fork_bomb", "os_fork"}
SECCOMP_OK = importlib.util.find_spec("pyseccomp") is not None and ctypes.util.find_library("seccomp") is not None


def test_every_hostile_file_has_an_expectation():
    names = {p.stem for p in HOSTILE_DIR.glob("*.py")}
    assert names == set(EXPECT) and len(names) >= 25


class _Listeners:
    """TCP and UDP listeners on loopback that record every connection / datagram (and ack it)."""

    def __init__(self):
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.seen = []
        self.tcp.settimeout(0.2)
        self.udp.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            for sock in (self.tcp, self.udp):
                try:
                    if sock is self.tcp:
                        conn, addr = sock.accept()
                        self.seen.append(("tcp", addr))
                        conn.close()
                    else:
                        data, addr = sock.recvfrom(4096)
                        self.seen.append(("udp", data))
                        sock.sendto(b"ack", addr)  # lets the attack believe it worked
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join()
        self.tcp.close()
        self.udp.close()


@pytest.fixture(scope="module")
def host():
    """Marker folder outside /tmp (bubblewrap gives /tmp privately), a 0600 secret, listeners."""
    base = Path(tempfile.mkdtemp(prefix="gensim-hostile-", dir="/var/tmp"))
    os.chmod(base, 0o777)  # even writable to others: only the sandbox layers may stop writes
    secret = base / "secret.txt"
    secret.write_text(f"api_key={CANARY}\n")
    os.chmod(secret, 0o600)
    listeners = _Listeners()
    yield {"dir": base, "secret": secret, "listeners": listeners}
    listeners.close()
    shutil.rmtree(base, ignore_errors=True)


def _source(name: str, host: dict, marker: Path) -> str:
    src = (HOSTILE_DIR / f"{name}.py").read_text()
    return (
        src.replace("@@MARKER@@", str(marker))
        .replace("@@SECRET_FILE@@", str(host["secret"]))
        .replace("@@PORT@@", str(host["listeners"].port))
    )


@pytest.mark.parametrize("name", sorted(EXPECT))
@pytest.mark.parametrize("namespaces", [True, False], ids=["namespaces", "fallback"])
def test_hostile_task(name, namespaces, host, monkeypatch):
    for var in ("OPENAI_API_KEY", "HF_TOKEN", "GENSIM_TEST_CANARY"):
        monkeypatch.setenv(var, CANARY)
    monkeypatch.setenv("GENSIM_SANDBOX_NAMESPACES", "1" if namespaces else "0")
    if name in NEEDS_CONTAINMENT and not SECCOMP_OK and not (namespaces and probe_bwrap()[0]):
        pytest.skip("no pid namespace and no seccomp here: this attack would hit the host")
    marker = host["dir"] / f"marker-{name}-{namespaces}"
    listeners = host["listeners"]
    listeners.seen.clear()
    t0 = time.monotonic()
    events = list(iter_run(_source(name, host, marker), SETTINGS, filename=f"{name}.py"))
    elapsed = time.monotonic() - t0
    verdict = events[-1].verdict
    iso = verdict["isolation"]
    assert elapsed < LIMITS.wall_seconds + 5
    assert sum(isinstance(e, VerdictEvent) for e in events) == 1
    assert {"syntax", "load", "reset", "runtime", "success"} == set(verdict["passed"])

    if name in FS_CASES and not iso["filesystem"]["active"]:
        marker.unlink(missing_ok=True)  # not isolated here: reported, not silently passed
        assert "no mount namespace" in iso["filesystem"]["detail"]
        return
    if name in NET_CASES and not iso["network"]["active"]:
        assert "no network namespace" in iso["network"]["detail"]
        if not iso.get("seccomp", {}).get("active"):
            return  # nothing can stop the socket here; reported above
    assert not verdict["success"]
    err = verdict["error"]
    assert err is not None and err["stage"] in verdict["passed"]
    assert verdict["passed"][err["stage"]] is False
    assert re.search(EXPECT[name], f"{err['type']}: {err['message']}"), err
    assert not marker.exists()
    time.sleep(0.3 if name in NET_CASES else 0)
    assert listeners.seen == []
    assert CANARY not in repr(events)


def test_cancel_kills_the_run_promptly():
    cancel = threading.Event()
    src = (HOSTILE_DIR / "sleep_forever.py").read_text()
    threading.Timer(1.0, cancel.set).start()
    t0 = time.monotonic()
    verdict = list(iter_run(src, SETTINGS, cancel=cancel))[-1].verdict
    assert time.monotonic() - t0 < 4
    assert verdict["error"]["type"] == "Cancelled" and not verdict["success"]


def test_abandoned_run_is_killed_and_cleaned_up(monkeypatch):
    from sim.sandbox import process

    taken = []
    real_take = process.take
    monkeypatch.setattr(process, "take", lambda limits: taken.append(real_take(limits)) or taken[-1])
    events = iter_run((HOSTILE_DIR / "sleep_forever.py").read_text(), SETTINGS)
    for event in events:
        if event == StageEvent("syntax", "pass"):
            break
    events.close()  # e.g. the app's user went away mid-run
    child = taken[0]
    assert child.proc.returncode is not None and not child.workdir.exists()
