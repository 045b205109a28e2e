"""Temp folders that name their owner process, so the leftovers of a killed owner can be swept.

`make(kind)` creates `<tmp>/gensim-<kind>-<pid>-<start>-<random>`, where <start> is the owner's
start time in clock ticks since boot (/proc/<pid>/stat field 22): a reused pid, or a reboot, does
not keep a dead owner's folder alive. The first `make` of a process calls `sweep()`, which removes
the folders of these kinds whose owner is gone, so a SIGKILLed CLI or app leaves nothing behind
once any of them starts again. Folders of these kinds without an owner in their name (written by
older versions) are removed once they are `LEGACY_AGE_SECONDS` old.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

KINDS = ("sandbox", "urdf", "video")
LEGACY_AGE_SECONDS = 24 * 3600
_KIND = "(?:" + "|".join(KINDS) + ")"
_OWNED = re.compile(rf"^gensim-{_KIND}-(\d+)-(\d+)-[A-Za-z0-9_]+$")
_LEGACY = re.compile(rf"^gensim-{_KIND}-[A-Za-z0-9_]{{8}}$")
_swept = threading.Event()


def start_ticks(pid: int) -> int | None:
    """Start time of process `pid` in clock ticks since boot, or None when it does not exist (or
    /proc is not there)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces or parentheses: count fields after the last ')'
    return int(stat[stat.rindex(b")") + 2 :].split()[19])


def owner_alive(pid: int, ticks: int) -> bool:
    """Whether the process that created a folder (pid, start ticks) still runs. Without /proc
    every owner counts as alive (nothing is swept)."""
    if not os.path.isdir("/proc/self"):
        return True
    return start_ticks(pid) == ticks


def make(kind: str) -> Path:
    """A fresh folder `gensim-<kind>-<pid>-<start>-*` in the temp dir (TMPDIR), owned by this
    process; sweeps dead owners' folders first, once per process. Raises ValueError for an unknown
    kind; the caller removes the folder when its run ends."""
    if kind not in KINDS:
        raise ValueError(f"unknown temp folder kind {kind!r}; one of {KINDS}")
    if not _swept.is_set():
        _swept.set()
        sweep()
    pid = os.getpid()
    return Path(tempfile.mkdtemp(prefix=f"gensim-{kind}-{pid}-{start_ticks(pid) or 0}-"))


def sweep(root: str | os.PathLike | None = None) -> list[str]:
    """Remove folders of dead owners (and legacy folders older than LEGACY_AGE_SECONDS) from `root`
    (default: the temp dir) -> the names removed. Never raises for a folder that vanishes or cannot
    be removed."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = _OWNED.match(entry.name)
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            if m:
                stale = not owner_alive(int(m.group(1)), int(m.group(2)))
            else:
                stale = (
                    _LEGACY.match(entry.name) is not None
                    and now - entry.stat(follow_symlinks=False).st_mtime > LEGACY_AGE_SECONDS
                )
        except OSError:
            continue
        if stale:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.name)
    return removed
