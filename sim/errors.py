"""How an exception of task code is named in a verdict error, for the sandbox child and in-process
runs alike. Imports nothing of the simulator: the sandbox child uses it before it loads one.
"""

from __future__ import annotations

import errno
import resource

# Error types of task code that mean it ran into a sandbox limit, not into a bug of its own: a run
# that ends with one was stopped by the sandbox, at whatever stage (sim.run exits 1, not 2).
LIMIT_ERRORS = frozenset({"FileSizeLimit", "MemoryError"})


def error_name(exc: BaseException) -> tuple[str, str]:
    """(type, message) of a verdict error for `exc`: its class name and text, except for a write past
    RLIMIT_FSIZE (the sandbox's `Limits.file_size_bytes`), named `FileSizeLimit` with the limit in the
    message; Python ignores SIGXFSZ, so such a write fails with EFBIG instead of killing the process."""
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        size = "" if limit == resource.RLIM_INFINITY else f" of {limit / 2**20:g} MiB per file"
        return "FileSizeLimit", f"the task wrote past the file size limit{size}: {exc}"
    return type(exc).__name__, str(exc)
