"""How the child process is confined: scrubbed environment, rlimits, own uid, bubblewrap namespaces,
a non-dumpable caller, and (in the child) no capabilities and Landlock.

`plan(workdir, limits)` decides, for this machine, the command prefix and which layers are active;
the result's `layers` is the verdict's `isolation` (each layer: {"active": bool, "detail": str}).
It also makes the calling process non-dumpable (`protect_caller`), so a child running as the same
user cannot read the caller's environment (API keys) or memory. Set GENSIM_SANDBOX_NAMESPACES=0 to
force the no-namespace fallback (tests use it), GENSIM_SANDBOX_SECCOMP=0 to skip the seccomp filter
and GENSIM_SANDBOX_LANDLOCK=0 to skip the Landlock rules the child installs (see child.py).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import random
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from sim.sandbox import landlock
from sim.sandbox.limits import Limits
from sim.sandbox.syscalls import drop_capabilities, prctl

REPO_ROOT = Path(__file__).resolve().parents[2]

# Environment the child gets; nothing else from the caller (API keys, tokens, proxies) passes.
# BLAS pools pinned to one thread: fewer processes under RLIMIT_NPROC and ~10x less address space.
_FIXED_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
}


def _flag(name: str, default: str = "1") -> bool:
    return os.environ.get(name, default).strip().lower() not in ("0", "false", "no", "off")


def namespaces_requested() -> bool:
    """False when GENSIM_SANDBOX_NAMESPACES=0 forces the fallback without namespaces."""
    return _flag("GENSIM_SANDBOX_NAMESPACES")


def seccomp_requested() -> bool:
    """False when GENSIM_SANDBOX_SECCOMP=0 disables the child's seccomp filter."""
    return _flag("GENSIM_SANDBOX_SECCOMP")


def landlock_requested() -> bool:
    """False when GENSIM_SANDBOX_LANDLOCK=0 disables the child's Landlock rules."""
    return _flag("GENSIM_SANDBOX_LANDLOCK")


PR_GET_DUMPABLE, PR_SET_DUMPABLE = 3, 4


def _non_dumpable(active_detail: str) -> dict:
    """prctl(PR_SET_DUMPABLE, 0) on this process -> a verdict layer with `active_detail`, or
    inactive with the reason. Never raises."""
    try:
        prctl(PR_SET_DUMPABLE, 0)
        dumpable = prctl(PR_GET_DUMPABLE)
    except OSError as e:
        return _layer(False, f"prctl(PR_SET_DUMPABLE, 0) failed: {e}")
    return _layer(False, "still dumpable") if dumpable else _layer(True, active_detail)


def protect_caller() -> dict:
    """Make this (the calling, key-holding) process non-dumpable -> the verdict layer.

    A non-dumpable process's /proc/<pid>/environ, mem, maps, fd ... are owned by root, and reading
    them or ptrace-attaching needs CAP_SYS_PTRACE: a child of the same uid without capabilities
    cannot read the caller's API keys. Costs: no core dumps of this process, and debuggers or
    profilers of the same user (gdb, py-spy) cannot attach. The flag survives fork but not exec:
    sandbox children start dumpable again and set it themselves (`confine_child`). Never
    raises."""
    return _non_dumpable(
        "caller non-dumpable (prctl PR_SET_DUMPABLE 0): a child without "
        "CAP_SYS_PTRACE cannot read its /proc/<pid>/environ or memory"
    )


def confine_child(args: dict) -> dict:
    """Child side, before any thread starts: become non-dumpable (so another run's task of the
    same uid cannot read this child's memory, e.g. its channel key, where Landlock is missing),
    drop every capability, then apply Landlock to `args["workdir"]` unless `args["landlock"]` is
    false -> {"child_protected", "capabilities", "landlock": layer} for the verdict. Never
    raises."""
    try:  # its import runs ldconfig (ctypes.util.find_library), which Landlock forbids later
        import pyseccomp  # noqa: F401
    except Exception:  # the seccomp layer reports it
        pass
    return {
        "child_protected": _non_dumpable(
            "child non-dumpable: other processes of its uid (another run's task) cannot read its memory"
        ),
        "capabilities": drop_capabilities(),
        "landlock": landlock.confine_child(Path(args["workdir"]), bool(args["landlock"])),
    }


# bubblewrap's namespaces and read-only root, shared by every sandbox child and by `probe_bwrap`.
BWRAP_NAMESPACES = (
    "--die-with-parent",
    "--new-session",
    "--unshare-net",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
)


def _run_bwrap(exe: str, tmpfs_options: list[str]) -> subprocess.CompletedProcess:
    """Run /bin/true under bubblewrap with the namespaces `plan` uses and a private /tmp made with
    `tmpfs_options`. Raises OSError or subprocess.TimeoutExpired (10 s)."""
    argv = [exe, *BWRAP_NAMESPACES, "--perms", "0755", *tmpfs_options, "--tmpfs", "/tmp"]
    if os.geteuid() != 0:
        argv.append("--unshare-user")
    return subprocess.run(argv + ["/bin/true"], capture_output=True, text=True, timeout=10)


@functools.cache
def probe_bwrap() -> tuple[bool, str]:
    """Whether bubblewrap works here with the options `plan` uses -> (ok, bwrap path or reason).
    Cached per process."""
    exe = shutil.which("bwrap")
    if exe is None:
        return False, "bwrap not installed (Debian package bubblewrap)"
    try:
        res = _run_bwrap(exe, [])
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"bwrap failed to start: {e}"
    if res.returncode != 0:
        return False, f"namespaces unavailable: {res.stderr.strip()[:200]}"
    return True, exe


@functools.cache
def bwrap_sizes_tmpfs() -> bool:
    """Whether this bubblewrap takes `--size` for a tmpfs (bubblewrap >= 0.8.0). Cached per process."""
    ok, exe = probe_bwrap()
    if not ok:
        return False
    try:
        return _run_bwrap(exe, ["--size", str(1 << 20)]).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def filesystem_confinement() -> tuple[bool, str]:
    """Whether sandbox children here get a confined filesystem view -> (confined, how or why not).

    Confined means bubblewrap namespaces work, or the kernel offers Landlock; without either, task
    code runs with the files and /proc view of the app's user (sim/sandbox/README.md says what that
    leaves open). The switches GENSIM_SANDBOX_NAMESPACES / GENSIM_SANDBOX_LANDLOCK count. Never raises.
    """
    reasons = []
    if namespaces_requested():
        ok, detail = probe_bwrap()
        if ok:
            return True, "bubblewrap namespaces"
        reasons.append(detail)
    else:
        reasons.append("namespaces switched off (GENSIM_SANDBOX_NAMESPACES=0)")
    if landlock_requested():
        abi, why = landlock.abi_version()
        if abi:
            return True, f"Landlock ABI {abi}"
        reasons.append(why)
    else:
        reasons.append("Landlock switched off (GENSIM_SANDBOX_LANDLOCK=0)")
    return False, "; ".join(reasons)


def _needed_paths() -> list[Path]:
    """Paths the child must read: the interpreter, the venv and the repository."""
    paths = {
        Path(sys.base_prefix).resolve(),
        Path(sys.prefix).resolve(),
        REPO_ROOT,
        Path(sys.executable).resolve().parent,
    }
    return sorted(paths)


def _untraversable_ancestors(path: Path) -> list[Path]:
    """Ancestors of `path` that 'other' users cannot enter (e.g. /root with mode 0700)."""
    out = []
    for parent in reversed(path.parents):
        try:
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                out.append(parent)
        except OSError:
            out.append(parent)
    return out


def _reexpose(hidden: list[Path], size: int | None) -> list[str]:
    """bwrap args that replace each folder in `hidden` (/tmp; e.g. /root, mode 0700) by an empty
    tmpfs of at most `size` bytes (None: bubblewrap's default, half the RAM) and bind back
    read-only only the needed paths under it (the interpreter, the venv, the repository, e.g. a
    checkout in /tmp), with 0755 folders on the way."""
    args, made = [], set()
    for folder in hidden:
        args += ["--perms", "0755", *(["--size", str(size)] if size else []), "--tmpfs", str(folder)]
    for path in _needed_paths():
        top = next((h for h in hidden if h in path.parents), None)
        if top is None:
            continue
        for d in reversed(path.parents):
            if top in d.parents and d not in made and not any(d == h for h in hidden):
                args += ["--perms", "0755", "--dir", str(d)]
                made.add(d)
        args += ["--ro-bind", str(path), str(path)]
    return args


def _readable_by_others() -> bool:
    return not any(_untraversable_ancestors(p / "x") for p in _needed_paths())


@dataclasses.dataclass
class Plan:
    """How to start the child: `argv_prefix` before the python command, `uid` to drop to (or None),
    `env`, `layers` for the verdict's `isolation`, and `confine` (the `confine_child` arguments
    the child gets on its command line)."""

    argv_prefix: list[str]
    uid: int | None
    env: dict
    layers: dict
    confine: dict


def _layer(active: bool, detail: str) -> dict:
    return {"active": bool(active), "detail": detail}


def plan(workdir: Path, limits: Limits) -> Plan:
    """Choose the isolation for a run whose only writable folder is `workdir` (created by caller).

    When running as root the child drops to a fresh unprivileged uid (so RLIMIT_NPROC applies and
    files outside `workdir` are not writable); `workdir` is chowned to it. Makes the calling
    process non-dumpable (`protect_caller`).
    """
    env = dict(_FIXED_ENV, HOME=str(workdir), TMPDIR=str(workdir))
    pending = "not reported: the child ended before confining itself"
    layers = {
        "parent_protected": protect_caller(),
        "child_protected": _layer(False, pending),
        "capabilities": _layer(False, pending),
        "landlock": _layer(False, pending),
        "environment": _layer(True, f"allowlist only: {sorted(env)}"),
        "rlimits": _layer(True, "cpu, address space, file size, open files"),
        "wall_clock": _layer(True, f"process group killed after {limits.wall_seconds} s"),
        "workdir": _layer(True, "fresh folder, removed afterwards"),
    }
    use_ns, ns_reason = (
        probe_bwrap() if namespaces_requested() else (False, "forced off by GENSIM_SANDBOX_NAMESPACES=0")
    )
    root = os.geteuid() == 0
    uid = None
    if root and (use_ns or _readable_by_others()):
        uid = random.randrange(200_000, 400_000)  # unused uid: own process count, no file access
        os.chown(workdir, uid, uid)
    argv: list[str] = []
    if use_ns:
        argv = [ns_reason, *BWRAP_NAMESPACES]
        if not root:
            argv.append("--unshare-user")
        # a private /tmp, and e.g. /root (0700) emptied; needed paths under them are bound back
        hidden = sorted({Path("/tmp")} | {a for p in _needed_paths() for a in _untraversable_ancestors(p / "x")})
        # A tmpfs lives in RAM, which RLIMIT_AS does not count: bound like the work folder.
        tmp_size = limits.disk_bytes if bwrap_sizes_tmpfs() else None
        argv += _reexpose(hidden, tmp_size)
        # a work folder deeper in a hidden folder (TMPDIR=/tmp/app): traversable folders above it
        top = next((h for h in hidden if h in workdir.parents), None)
        for d in reversed(workdir.parents):
            if top is not None and top in d.parents:
                argv += ["--perms", "0755", "--dir", str(d)]
        argv += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir), "--"]
        layers["network"] = _layer(True, "bubblewrap network namespace (no interfaces but lo)")
        tmp = f"at most {limits.disk_bytes / 2**20:g} MiB" if tmp_size else "no size limit: bubblewrap < 0.8"
        layers["filesystem"] = _layer(True, f"read-only root, private /tmp ({tmp}), only workdir writable")
        layers["pid_namespace"] = _layer(True, "own pid namespace; host processes invisible")
    else:
        layers["network"] = _layer(
            False, f"no network namespace ({ns_reason}); only the seccomp layer can deny sockets"
        )
        fs = (
            "other folders not writable by the child's uid"
            if uid is not None
            else "child runs as the caller's user: only the landlock layer keeps it from reading "
            "and writing what the caller can"
        )
        layers["filesystem"] = _layer(False, f"no mount namespace ({ns_reason}); {fs}")
        layers["pid_namespace"] = _layer(False, f"no pid namespace ({ns_reason})")
    if uid is not None:
        layers["uid"] = _layer(True, f"runs as unprivileged uid {uid}")
        layers["processes"] = _layer(True, f"RLIMIT_NPROC={limits.processes} for uid {uid}")
    elif root:
        layers["uid"] = _layer(False, "runs as root: interpreter not readable by other users")
        layers["processes"] = _layer(False, "RLIMIT_NPROC does not apply to root; only the seccomp layer stops fork")
    else:
        layers["uid"] = _layer(False, "runs as the caller's uid (not root)")
        layers["processes"] = _layer(True, f"RLIMIT_NPROC = current processes of uid + {limits.processes}")
    return Plan(argv, uid, env, layers, {"workdir": str(workdir), "landlock": landlock_requested()})


def _user_tasks(uid: int) -> int:
    """Number of tasks (threads) owned by `uid`, what RLIMIT_NPROC counts."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                pass
    return count


def rlimit_values(limits: Limits, uid: int | None) -> dict[str, list[int]]:
    """The rlimits the child applies to itself first thing (before imports, before any task code):
    {"RLIMIT_CPU": [soft, hard], ...}. Applied in the child rather than in a Popen `preexec_fn`,
    which can deadlock in a multi-threaded caller such as the Gradio app.

    CPU gets soft = limit (SIGXCPU, which we report) and hard = limit + 2 (SIGKILL).
    RLIMIT_NPROC is counted per real uid, so it is set relative to the caller's own count when the
    child keeps the caller's uid (non-root), and absolutely for a fresh uid.
    """
    cpu = math.ceil(limits.cpu_seconds)
    values = {
        "RLIMIT_CPU": [cpu, cpu + 2],
        "RLIMIT_AS": [int(limits.memory_bytes)] * 2,
        "RLIMIT_FSIZE": [int(limits.file_size_bytes)] * 2,
        "RLIMIT_NOFILE": [int(limits.open_files)] * 2,
        "RLIMIT_CORE": [0, 0],
    }
    if uid is not None:
        values["RLIMIT_NPROC"] = [limits.processes] * 2
    elif os.geteuid() != 0:
        values["RLIMIT_NPROC"] = [_user_tasks(os.geteuid()) + limits.processes] * 2
    return values


def apply_rlimits(values: dict[str, list[int]]):
    """Set `values` (from `rlimit_values`) on this process, never above an existing hard limit."""
    for name, (soft, hard) in values.items():
        which = getattr(resource, name)
        _, cur_hard = resource.getrlimit(which)
        if cur_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, cur_hard), min(hard, cur_hard)
        resource.setrlimit(which, (soft, hard))
