"""Sandboxed task runner: runs untrusted task code in an isolated child process.

    from sim.sandbox import run, iter_run, Limits
    verdict = run(open("task.py").read(), episodes=4, seed=0)

See sim/sandbox/README.md for the isolation layers, the limits and what the verdict means.
"""

from sim.sandbox.limits import Limits
from sim.sandbox.runner import iter_run, run

__all__ = ["Limits", "iter_run", "run"]
