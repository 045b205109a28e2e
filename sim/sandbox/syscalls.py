"""Process-level layers: the seccomp filter, dropping capabilities, prctl.

Seccomp: once the simulator is up, deny the syscalls task code never needs.

Uses PyPI `pyseccomp` (ctypes over libseccomp.so.2). Denied with EPERM: socket/socketpair (no
network, even without a network namespace), execve/execveat, fork/vfork and clone without
CLONE_THREAD (threads stay allowed; clone3 gets ENOSYS so glibc falls back to clone), kill/tkill/
tgkill of any process but our own, raising rlimits (prlimit64 with a new limit, setrlimit),
setsid/setpgid (leaving the process group the parent kills), ptrace, process_vm_readv/writev,
unshare/setns. The filter is
synchronised to every thread of the process (TSYNC): threads started before it (the heartbeat)
run under it too.

Capabilities: a child that stays root (no spare uid, no namespaces) drops every capability, so it
is a plain same-uid process: CAP_SYS_PTRACE gone (a non-dumpable caller's /proc/<pid>/environ and
memory stay closed to it), CAP_DAC_OVERRIDE gone (other users' files keep their modes).
"""

from __future__ import annotations

import ctypes
import errno
import os

CLONE_THREAD = 0x10000
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4
CAP_VERSION_3 = 0x20080522  # _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set

libc = ctypes.CDLL(None, use_errno=True)


def prctl(option: int, arg2: int = 0) -> int:
    """prctl(option, arg2, 0, 0, 0) -> its result; raises OSError with the errno on -1."""
    res = libc.prctl(
        ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)
    )
    if res == -1:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return res


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _capabilities() -> int:
    """Effective | permitted | inheritable capability bits of this thread (capget)."""
    data = (_CapData * 2)()
    if libc.capget(ctypes.byref(_CapHeader(CAP_VERSION_3, 0)), data) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    return sum((d.effective | d.permitted | d.inheritable) << (32 * i) for i, d in enumerate(data))


def drop_capabilities() -> dict:
    """Set no_new_privs (a setuid binary exec'd later does not elevate) and clear every
    capability of this process: ambient, bounding set (so no later exec regains any), effective,
    permitted, inheritable -> the verdict layer {"active", "detail"}. Call it before any thread
    starts (capabilities are per thread). Never raises."""
    try:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        if not _capabilities():
            return {"active": True, "detail": "holds no capabilities (unprivileged uid); no_new_privs set"}
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
        for cap in range(last + 1):
            prctl(PR_CAPBSET_DROP, cap)
        if libc.capset(ctypes.byref(_CapHeader(CAP_VERSION_3, 0)), (_CapData * 2)()) != 0:
            raise OSError(ctypes.get_errno(), "capset failed")
        left = _capabilities()
    except OSError as e:
        return {"active": False, "detail": f"capabilities not dropped: {e}"}
    if left:
        return {"active": False, "detail": f"capabilities left after dropping: {left:#x}"}
    who = "root" if os.geteuid() == 0 else f"uid {os.geteuid()}"
    return {
        "active": True,
        "detail": f"runs as {who} with every capability dropped (bounding "
        "set too), no_new_privs set: no ptrace of other "
        "processes, file modes hold",
    }


def install_seccomp(wanted: bool) -> dict:
    """Install the filter in this process -> {"active": bool, "detail": str}; never raises."""
    if not wanted:
        return {"active": False, "detail": "disabled by GENSIM_SANDBOX_SECCOMP=0"}
    try:
        import pyseccomp as sc
    except Exception as e:  # missing package or libseccomp.so: degrade, say why
        return {"active": False, "detail": f"pyseccomp/libseccomp unavailable: {e}"}
    try:
        pid = os.getpid()
        deny = sc.ERRNO(errno.EPERM)
        f = sc.SyscallFilter(sc.ALLOW)
        f.set_attr(sc.Attr.CTL_TSYNC, 1)  # every thread, not only the calling one
        for name in (
            "socket",
            "socketpair",
            "execve",
            "execveat",
            "fork",
            "vfork",
            "setrlimit",
            "setsid",
            "setpgid",
            "ptrace",
            "unshare",
            "setns",
            "process_vm_readv",
            "process_vm_writev",
        ):
            f.add_rule(deny, name)
        f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        f.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
        f.add_rule(deny, "prlimit64", sc.Arg(2, sc.NE, 0))
        f.add_rule(deny, "kill", sc.Arg(0, sc.NE, pid))
        f.add_rule(deny, "tkill", sc.Arg(0, sc.NE, pid))
        f.add_rule(deny, "tgkill", sc.Arg(0, sc.NE, pid))
        f.load()
    except Exception as e:  # e.g. kernel without seccomp
        return {"active": False, "detail": f"seccomp filter not loaded: {e}"}
    return {
        "active": True,
        "detail": "denies sockets, exec, fork, signals to other processes, "
        "raising rlimits, leaving the process group (all threads)",
    }
