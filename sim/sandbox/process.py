"""Starting, pre-starting and killing sandbox children.

A child is spawned inside its isolation (see isolation.py) and imports numpy, pybullet and the
simulator BEFORE it reads its run config from the control pipe, so one child can be started ahead
of time: after every run, `release()` pre-starts a spare for the same limits, and the next run with
those limits takes it (`take()`) instead of paying ~0.6 s of CPU for interpreter start and imports.
Set GENSIM_SANDBOX_PREFORK=0 to disable the spare. At most one spare exists per process.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from sim import tmpdirs
from sim.sandbox import isolation
from sim.sandbox.limits import Limits

_CHILD_CODE = "import sys; sys.path.insert(0, {root!r}); from sim.sandbox.child import main; main()"


@dataclasses.dataclass
class Child:
    """A started child: its process, work folder, isolation plan and both pipe ends we hold."""

    proc: subprocess.Popen
    workdir: Path
    plan: isolation.Plan
    ctl_fd: int  # write end: the run config goes here, once
    chan_fd: int  # read end of the signed channel
    key: tuple

    def send_config(self, cfg: dict):
        """Write the run config (JSON, a few hundred bytes: fits the pipe buffer) and close."""
        try:
            os.write(self.ctl_fd, json.dumps(cfg).encode())
        except OSError:
            pass  # child already gone: the verdict reports how it ended
        os.close(self.ctl_fd)
        self.ctl_fd = -1

    def kill(self):
        """SIGKILL the child's process group (with bwrap: the namespace init, taking all along)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def dispose(self):
        """Kill (unless already reaped: its pid may be reused), reap, close our pipe ends and
        remove the work folder."""
        if self.proc.returncode is None:
            self.kill()
            self.proc.wait()
        for fd in (self.ctl_fd, self.chan_fd):
            if fd >= 0:
                os.close(fd)
        self.ctl_fd = self.chan_fd = -1
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _key(limits: Limits) -> tuple:
    return (limits, isolation.namespaces_requested(), isolation.seccomp_requested(), isolation.landlock_requested())


def spawn(limits: Limits) -> Child:
    """Start a child in a fresh work folder; it imports the simulator and waits for its config.
    The folder's name records this process (`sim.tmpdirs`), so if it is killed before removing the
    folder, the next process that makes one sweeps it."""
    workdir = tmpdirs.make("sandbox")
    plan = isolation.plan(workdir, limits)
    ctl_r, ctl_w = os.pipe()
    chan_r, chan_w = os.pipe()
    argv = plan.argv_prefix + [
        sys.executable,
        "-I",
        "-c",
        _CHILD_CODE.format(root=str(isolation.REPO_ROOT)),
        str(ctl_r),
        str(chan_w),
        str(plan.uid if plan.uid else -1),
        json.dumps(isolation.rlimit_values(limits, plan.uid)),
        json.dumps(plan.confine),
    ]
    try:
        proc = subprocess.Popen(
            argv,
            cwd=workdir,
            env=plan.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(ctl_r, chan_w),
            start_new_session=True,
        )
    except BaseException:
        for fd in (ctl_w, chan_r):
            os.close(fd)
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    finally:
        os.close(ctl_r)
        os.close(chan_w)
    return Child(proc, workdir, plan, ctl_w, chan_r, _key(limits))


_spare: list[Child] = []
_lock = threading.Lock()


def take(limits: Limits) -> Child:
    """The pre-started spare for these limits if it is alive, else a freshly spawned child."""
    with _lock:
        spare = _spare.pop() if _spare else None
    if spare is not None:
        if spare.key == _key(limits) and spare.proc.poll() is None:
            return spare
        spare.dispose()
    return spawn(limits)


def release(limits: Limits):
    """After a run: pre-start a spare for `limits` unless one exists or prefork is disabled."""
    if os.environ.get("GENSIM_SANDBOX_PREFORK", "1") == "0":
        return
    with _lock:
        if _spare:
            return
        _spare.append(spawn(limits))


@atexit.register
def _dispose_spare():
    with _lock:
        while _spare:
            _spare.pop().dispose()
