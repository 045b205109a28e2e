"""Landlock: the sandbox child confines its own filesystem view (unprivileged, Linux >= 5.13).

A small ctypes layer over the three Landlock syscalls (kernel docs, "Landlock: unprivileged access
control", userspace-api/landlock.rst; numbers from the unified syscall table: 444-446 on every
architecture but alpha). `confine_child(workdir)` restricts the calling thread and every thread
and process it starts later to: read-only access to system libraries, the interpreter,
site-packages, the simulator (sim/, assets/) and its own /proc/<pid>; execute access to the ffmpeg
encoder only; write access to `workdir` only. Everything else (other processes' /proc entries, /tmp, $HOME, the project
tree) is denied with EACCES. Also, where the kernel's Landlock ABI has them: TCP bind/connect denied
(ABI 4), signals and abstract unix sockets scoped to the sandbox (ABI 6).

Landlock restricts the calling thread and what it creates afterwards, so the child calls this
before it starts any thread (see child.py). It never raises: where the kernel lacks Landlock the
result says why and the run goes on with the other layers.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import stat
import struct
import sys
from pathlib import Path

import imageio_ffmpeg

import sim
from sim.sandbox.syscalls import PR_SET_NO_NEW_PRIVS, libc, prctl

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

# Filesystem access rights (linux/landlock.h) and the ABI version that introduced each.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FS_BY_ABI = {1: (1 << 13) - 1, 2: REFER, 3: TRUNCATE, 5: IOCTL_DEV}
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6
# Rights a rule on a non-directory may carry (others make landlock_add_rule fail with EINVAL).
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV

READ = READ_FILE | READ_DIR
# The work folder: regular files and folders only (no devices, sockets, FIFOs or symlinks, so the
# parent never meets a link planted there).
WRITE = READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | REFER | TRUNCATE


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _syscall(nr: int, *args) -> int:
    """Raw syscall -> its result; raises OSError with the errno on -1."""
    res = libc.syscall(ctypes.c_long(nr), *args)
    if res == -1:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return res


def abi_version() -> tuple[int, str]:
    """Landlock ABI version of the running kernel -> (version, "") or (0, why it is unavailable).

    Versions: 1 = Linux 5.13 (filesystem), 2 = 5.19 (refer), 3 = 6.2 (truncate), 4 = 6.7 (TCP),
    5 = 6.10 (device ioctl), 6 = 6.12 (scopes), 7 = 6.15 (audit flags, unused here)."""
    if platform.machine().startswith("alpha"):
        return 0, "Landlock syscall numbers differ on alpha; not used there"
    try:
        return _syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION)), ""
    except OSError as e:
        why = {
            errno.ENOSYS: "kernel without Landlock (Linux < 5.13, or not built in)",
            errno.EOPNOTSUPP: "Landlock built in but not enabled at boot (lsm= list)",
            errno.EPERM: "Landlock syscalls refused (e.g. a container's seccomp profile)",
        }
        return 0, why.get(e.errno, f"landlock_create_ruleset failed: {e.strerror}")


def handled_fs(abi: int) -> int:
    """Every filesystem right the kernel of ABI `abi` knows: what the ruleset handles (denies
    unless a rule grants it)."""
    return sum(bits for version, bits in _FS_BY_ABI.items() if version <= abi)


def elf_interpreter(path: str | os.PathLike) -> str | None:
    """The ELF program interpreter (PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2) of the
    executable at `path`, which the kernel opens for execution too; None for a static binary or a
    non-ELF file."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF":
                return None
            end = "<" if head[5] == 1 else ">"
            if head[4] == 2:  # 64-bit
                (phoff,) = struct.unpack_from(end + "Q", head, 32)
                phentsize, phnum = struct.unpack_from(end + "HH", head, 54)
                ph_fmt = end + "IIQ"  # p_type, p_flags, p_offset
            else:
                (phoff,) = struct.unpack_from(end + "I", head, 28)
                phentsize, phnum = struct.unpack_from(end + "HH", head, 42)
                ph_fmt = end + "II"  # p_type, p_offset
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                fields = struct.unpack(ph_fmt, f.read(struct.calcsize(ph_fmt)))
                if fields[0] == 3:  # PT_INTERP
                    f.seek(fields[-1])
                    return f.read(4096).split(b"\0", 1)[0].decode()
    except (OSError, struct.error, UnicodeDecodeError):
        return None
    return None


def restrict(rules: dict[str, int], abi: int) -> int:
    """Restrict this thread (and what it starts later) to `rules` ({path: rights}) -> the number
    of rules added. Paths that do not exist are skipped; rights are cut to what the kernel knows
    and, for files, to the per-file rights. Raises OSError when a syscall fails."""
    fs = handled_fs(abi)
    attr = _RulesetAttr(
        fs,
        NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0,
    )
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8  # struct size known to that ABI
    ruleset = _syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    added = 0
    try:
        for path, rights in rules.items():
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
                rule = _PathBeneathAttr(rights & fs & (~0 if is_dir else _FILE_RIGHTS), fd)
                if rule.allowed_access:
                    _syscall(
                        SYS_ADD_RULE, ruleset, ctypes.c_int(RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0)
                    )
                    added += 1
            finally:
                os.close(fd)
        prctl(PR_SET_NO_NEW_PRIVS, 1)  # required to restrict oneself without CAP_SYS_ADMIN
        _syscall(SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return added


def child_rules(workdir: Path) -> dict[str, int]:
    """{path: rights} the sandbox child needs: system libraries, the interpreter and its
    packages, the simulator and its assets, a few /etc files and devices, its own /proc entry
    (read); the ffmpeg encoder and its ELF interpreter (execute); `workdir` (read, write).
    The repository root itself is not listed: only sim/ and assets/ under it (and the venv, when
    it lives there) are readable."""
    repo = Path(sim.__file__).resolve().parents[1]
    read = [
        "/usr",
        "/lib",
        "/lib64",
        "/lib32",
        "/etc/ld.so.cache",
        "/etc/localtime",
        "/etc/passwd",
        "/etc/group",
        "/etc/nsswitch.conf",
        "/sys/devices/system/cpu",
        "/dev/urandom",
        "/dev/random",
        "/dev/zero",
        f"/proc/{os.getpid()}",
        sys.base_prefix,
        sys.prefix,
        str(Path(sys.executable).resolve().parent),
        str(Path(sim.__file__).resolve().parent),
        str(sim.ASSETS_ROOT),
    ]
    read += [p for p in sys.path if p and Path(p).resolve() != repo]
    rules = {p: READ for p in read}
    rules["/dev/null"] = READ_FILE | WRITE_FILE
    try:
        ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:  # no encoder here: videos fail at their own stage
        ffmpeg = None
    for exe in (ffmpeg, ffmpeg and elf_interpreter(ffmpeg)):
        if exe:
            rules[str(exe)] = READ_FILE | EXECUTE
    rules[str(workdir)] = WRITE
    return rules


def confine_child(workdir: Path, wanted: bool = True) -> dict:
    """Apply `child_rules(workdir)` to this process -> the verdict layer
    {"active": bool, "detail": str}. Never raises; call it before any thread starts."""
    if not wanted:
        return {"active": False, "detail": "disabled by GENSIM_SANDBOX_LANDLOCK=0"}
    abi, why = abi_version()
    if not abi:
        return {"active": False, "detail": why}
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    if threads > 1:  # Landlock binds the calling thread only: refuse a partial confinement
        return {
            "active": False,
            "detail": f"{threads} threads already running; Landlock would confine only the calling one",
        }
    try:
        added = restrict(child_rules(workdir), abi)
    except OSError as e:
        return {"active": False, "detail": f"Landlock ABI {abi}: restriction failed: {e}"}
    extra = []
    extra.append("TCP bind/connect denied" if abi >= 4 else "TCP not covered (ABI < 4)")
    extra.append(
        "signals and abstract unix sockets scoped to the sandbox" if abi >= 6 else "signals not scoped (ABI < 6)"
    )
    if abi < 3:
        extra.append("truncate() not covered (ABI < 3)")
    return {
        "active": True,
        "detail": f"Landlock ABI {abi}, {added} rules: read-only system libraries, "
        "interpreter, packages, sim/, assets/, own /proc entry; writable: the work "
        "folder only; other processes' /proc, /tmp, $HOME and the project tree "
        "denied; " + "; ".join(extra),
    }
