"""python app.py — serve GenSim Studio (also the Hugging Face Spaces entry point).

Host and port come from `GRADIO_SERVER_NAME` / `PORT` (or `GRADIO_SERVER_PORT`): 127.0.0.1:7860
locally, 0.0.0.0 on Spaces (detected by `SPACE_ID`). `GENSIM_CONCURRENCY` caps simulator runs at
once (default: number of CPUs). Public mode (on by default on a Space; `GENSIM_PUBLIC=0/1`) limits what
visitors may do: see demo/deployment.py and README "Deploying on a Space". Layout and handlers live in demo/.
"""

import os
import signal
import time

_START = time.monotonic()

from demo.allocator import limit_malloc_arenas  # noqa: E402  (timed from process start)
from demo.deployment import Deployment  # noqa: E402
from demo.layout import build_demo, launch_kwargs  # noqa: E402
from sim import tmpdirs  # noqa: E402


def main() -> None:
    limit_malloc_arenas()  # before the server's threads: see demo/allocator.py
    on_spaces = bool(os.environ.get("SPACE_ID"))
    host = os.environ.get("GRADIO_SERVER_NAME") or ("0.0.0.0" if on_spaces else "127.0.0.1")
    port = int(os.environ.get("PORT") or os.environ.get("GRADIO_SERVER_PORT") or 7860)
    concurrency = int(os.environ.get("GENSIM_CONCURRENCY") or 0) or None
    deployment = Deployment.from_env()
    tmpdirs.sweep()  # temp folders of an earlier app or CLI that was killed (sim/tmpdirs.py)
    demo = build_demo(concurrency, deployment)
    demo.launch(server_name=host, server_port=port, prevent_thread_lock=True, **launch_kwargs())
    mode = "public" if deployment.public else "private"
    print(
        f"GenSim Studio ready on http://{host}:{port} after {time.monotonic() - _START:.1f} s "
        f"({mode} mode, backends: {', '.join(deployment.backends)})",
        flush=True,
    )
    if deployment.notice:
        print(deployment.notice, flush=True)
    # SIGTERM (docker stop, a Space restart) ends like Ctrl-C: the server closes and atexit hooks
    # run, so the pre-started sandbox child and its work folder go with the app.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    demo.block_thread()


if __name__ == "__main__":
    main()
