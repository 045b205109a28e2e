"""The optional seccomp layer: once the simulator is up, deny the syscalls task code never needs.

Uses PyPI `pyseccomp` (ctypes over libseccomp.so.2). Denied with EPERM: socket/socketpair (no
network, even without a network namespace), execve/execveat, fork/vfork and clone without
CLONE_THREAD (threads stay allowed; clone3 gets ENOSYS so glibc falls back to clone), kill/tkill/
tgkill of any process but our own, raising rlimits (prlimit64 with a new limit, setrlimit),
setsid/setpgid (leaving the process group the parent kills), ptrace, unshare/setns.
"""
from __future__ import annotations

import errno
import os

CLONE_THREAD = 0x10000


def install_seccomp(wanted: bool) -> dict:
    """Install the filter in this process -> {"active": bool, "detail": str}; never raises."""
    if not wanted:
        return {"active": False, "detail": "disabled by GENSIM_SANDBOX_SECCOMP=0"}
    try:
        import pyseccomp as sc
    except Exception as e:  # noqa: BLE001 - missing package or libseccomp.so: degrade, say why
        return {"active": False, "detail": f"pyseccomp/libseccomp unavailable: {e}"}
    try:
        pid = os.getpid()
        deny = sc.ERRNO(errno.EPERM)
        f = sc.SyscallFilter(sc.ALLOW)
        for name in ("socket", "socketpair", "execve", "execveat", "fork", "vfork", "setrlimit",
                     "setsid", "setpgid", "ptrace", "unshare", "setns", "process_vm_writev"):
            f.add_rule(deny, name)
        f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        f.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
        f.add_rule(deny, "prlimit64", sc.Arg(2, sc.NE, 0))
        f.add_rule(deny, "kill", sc.Arg(0, sc.NE, pid))
        f.add_rule(deny, "tkill", sc.Arg(0, sc.NE, pid))
        f.add_rule(deny, "tgkill", sc.Arg(0, sc.NE, pid))
        f.load()
    except Exception as e:  # noqa: BLE001 - e.g. kernel without seccomp
        return {"active": False, "detail": f"seccomp filter not loaded: {e}"}
    return {"active": True, "detail": "denies sockets, exec, fork, signals to other processes, "
                                      "raising rlimits, leaving the process group"}
