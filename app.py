"""python app.py — serve GenSim Studio (also the Hugging Face Spaces entry point).

Host and port come from `GRADIO_SERVER_NAME` / `PORT` (or `GRADIO_SERVER_PORT`): 127.0.0.1:7860
locally, 0.0.0.0 on Spaces (detected by `SPACE_ID`). `GENSIM_CONCURRENCY` caps simulator runs at
once (default: number of CPUs). Layout and handlers live in demo/.
"""
import os
import time

_START = time.monotonic()

from demo.layout import build_demo, launch_kwargs  # noqa: E402  (timed from process start)


def main() -> None:
    on_spaces = bool(os.environ.get("SPACE_ID"))
    host = os.environ.get("GRADIO_SERVER_NAME") or ("0.0.0.0" if on_spaces else "127.0.0.1")
    port = int(os.environ.get("PORT") or os.environ.get("GRADIO_SERVER_PORT") or 7860)
    concurrency = int(os.environ.get("GENSIM_CONCURRENCY") or 0) or None
    demo = build_demo(concurrency)
    demo.launch(server_name=host, server_port=port, prevent_thread_lock=True, **launch_kwargs())
    print(f"GenSim Studio ready on http://{host}:{port} after {time.monotonic() - _START:.1f} s",
          flush=True)
    demo.block_thread()


if __name__ == "__main__":
    main()
