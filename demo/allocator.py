"""Fewer glibc malloc arenas for the app's process: `limit_malloc_arenas`.

Gradio runs each step of a streaming handler on whichever worker thread is free, and glibc gives
every new thread an arena of its own (up to 8 per core), so one run's buffers end up in many arenas
and what a run frees stays behind as scattered free space in each. Measured in 4-minute soaks at 8
sessions (demo/README.md "Load and faults"): glibc's free-but-kept space grew from 12 to 18 MiB and
the RSS by 7.8 %; with 2 arenas the free space stayed at 5.5-7.5 MiB and the RSS grew by 4.0 %.
Python's small objects come from its own allocator (pymalloc), not from these arenas, so two arenas
are contended little.
"""

from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # glibc <malloc.h>
APP_ARENAS = 2


def limit_malloc_arenas(count: int = APP_ARENAS) -> bool:
    """Cap this process's glibc malloc arenas at `count` (`mallopt(M_ARENA_MAX, count)`, what the
    MALLOC_ARENA_MAX environment variable does when set before start), unless MALLOC_ARENA_MAX is
    set (the operator's choice stands). Call it before the server starts its threads: arenas made
    earlier stay. Returns whether the cap was set here: False with MALLOC_ARENA_MAX set, or where
    the C library is not glibc (musl's or macOS's mallopt is missing or a no-op)."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return mallopt(M_ARENA_MAX, count) == 1  # glibc's mallopt returns 1 on success
