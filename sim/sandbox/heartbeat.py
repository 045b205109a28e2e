"""Child side of stall detection: report simulation progress to the parent once a second.

A daemon thread watches `env.sim_steps` and sends `{"t": "progress", "sim_steps": n}` on the
signed channel whenever it changed since the last look. The parent counts any signed message as
progress and stops a run that sends none for `Limits.stall_seconds` (error type `Stalled`). Task
code that blocks the interpreter (a C call holding the GIL) also stops the heartbeat: that is no
simulation progress either. When the parent is gone (the child was re-parented, or the channel
is closed) the child exits at the next beat, so an orphaned run does not go on for nobody, even
while task code sleeps; with bubblewrap, --die-with-parent does the same.
"""

from __future__ import annotations

import os
import threading
import time

INTERVAL_SECONDS = 1.0


def start(chan, env, interval: float = INTERVAL_SECONDS) -> threading.Thread:
    """Start the heartbeat thread for `env` (an Environment with `sim_steps`) on `chan` (a
    thread-safe ChannelWriter) -> the started daemon thread."""
    parent = os.getppid()

    def beat():
        last = getattr(env, "sim_steps", 0)
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)
            steps = getattr(env, "sim_steps", 0)
            if steps == last:
                continue
            last = steps
            try:
                chan.send({"t": "progress", "sim_steps": int(steps)})
            except OSError:
                os._exit(1)  # parent gone: nobody reads the result

    thread = threading.Thread(target=beat, name="gensim-heartbeat", daemon=True)
    thread.start()
    return thread
