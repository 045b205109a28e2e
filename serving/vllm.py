"""python -m serving.vllm --model M [--adapter NAME=PATH ...] [--port P] [--host H] [--max-lora-rank R]
                         [--timeout S] [--dry-run] [-- EXTRA_VLLM_ARGS...]

Starts `vllm serve` for a base model plus LoRA adapters (one server, each adapter addressable as a
model name), waits until `/v1/models` answers, then prints the settings for the openai backend:

    GENSIM_BASE_URL=http://127.0.0.1:8000/v1
    GENSIM_MODEL=gensim-lora

and keeps serving until Ctrl+C. `--dry-run` prints the command only. vLLM needs a CUDA GPU and is
listed in requirements-gpu.txt; without it the launcher exits with a message saying so.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_PORT = 8000
VLLM_DEFAULT_MAX_LORA_RANK = 16  # vLLM's own default; --max-lora-rank must be >= every adapter's rank
VLLM_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)  # the values vLLM's LoRAConfig accepts
SECRET_FLAGS = ("--api-key",)
NOT_INSTALLED = (
    "vLLM is not installed here: it needs a Linux machine with a CUDA GPU. Install it with "
    "`pip install -r requirements-gpu.txt`, or serve the model with `transformers serve` "
    "instead (see serving/README.md). `--dry-run` prints the command without vLLM."
)


def parse_adapter(spec: str) -> tuple[str, str]:
    """Split `NAME=PATH`; raises ValueError when the name or path is missing or a local path is absent."""
    name, sep, path = spec.partition("=")
    if not sep or not name.strip() or not path.strip() or any(c.isspace() for c in name):
        raise ValueError(f"--adapter must be NAME=PATH (name without spaces), got {spec!r}")
    if path.startswith((".", "/", "~")) and not Path(path).expanduser().exists():
        raise ValueError(f"adapter folder {path!r} (for {name!r}) does not exist")
    return name, path


def adapter_rank(path: str) -> int | None:
    """LoRA rank `r` from a local adapter's adapter_config.json, or None when unknown."""
    config = Path(path).expanduser() / "adapter_config.json"
    try:
        return int(json.loads(config.read_text())["r"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_command(
    model: str,
    adapters: list[tuple[str, str]] = (),
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    max_lora_rank: int | None = None,
    extra: list[str] = (),
    executable: list[str] = ("vllm",),
) -> list[str]:
    """The `vllm serve` argv. With adapters it adds `--enable-lora --lora-modules NAME=PATH ...` and
    `--max-lora-rank`, defaulting to the largest rank found in the adapters' configs rounded up to a
    value vLLM accepts (at least its default 16). Raises ValueError when an explicit rank is below an
    adapter's rank.
    """
    cmd = [*executable, "serve", model, "--host", host, "--port", str(port)]
    if adapters:
        ranks = [r for r in (adapter_rank(p) for _, p in adapters) if r]
        needed = max(ranks, default=0)
        if max_lora_rank is not None and max_lora_rank < needed:
            raise ValueError(f"--max-lora-rank {max_lora_rank} is below the adapters' rank {needed}")
        fitting = [r for r in VLLM_LORA_RANKS if r >= max(needed, VLLM_DEFAULT_MAX_LORA_RANK)]
        rank = max_lora_rank or (fitting[0] if fitting else needed)
        cmd += ["--enable-lora", "--lora-modules", *(f"{n}={p}" for n, p in adapters), "--max-lora-rank", str(rank)]
    return cmd + list(extra)


def show_command(cmd: list[str]) -> str:
    """The shell form of `cmd` with the values of secret flags (`--api-key`) masked."""
    shown = list(cmd)
    for i, arg in enumerate(shown):
        if arg in SECRET_FLAGS and i + 1 < len(shown):
            shown[i + 1] = "***"
        elif arg.startswith(tuple(f + "=" for f in SECRET_FLAGS)):
            shown[i] = arg.split("=", 1)[0] + "=***"
    return shlex.join(shown)


def vllm_executable() -> list[str] | None:
    """How to run vLLM's CLI here: the `vllm` script, `python -m vllm.entrypoints.cli.main`, or None."""
    if shutil.which("vllm"):
        return ["vllm"]
    if importlib.util.find_spec("vllm") is not None:
        return [sys.executable, "-m", "vllm.entrypoints.cli.main"]
    return None


def wait_healthy(
    base_url: str, timeout: float, process: subprocess.Popen | None = None, interval: float = 1.0
) -> list[str]:
    """Poll `{base_url}/models` until it answers 200; return the served model ids.

    Raises TimeoutError after `timeout` seconds, RuntimeError when `process` exits first.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=5) as response:
                return [m["id"] for m in json.load(response).get("data", [])]
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base_url}/models did not answer within {timeout:.0f} s")
        time.sleep(interval)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m serving.vllm", description=__doc__.split("\n\n")[1])
    parser.add_argument("--model", required=True, help="base model: Hub id or local folder")
    parser.add_argument(
        "--adapter",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="LoRA adapter served as model NAME (repeatable)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--max-lora-rank",
        type=int,
        default=None,
        help="largest LoRA rank to serve (default: the adapters' rank, at least 16)",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the server")
    parser.add_argument("--dry-run", action="store_true", help="print the command and exit")
    parser.add_argument("extra", nargs="*", help="arguments after -- go to vllm serve unchanged")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the launcher; returns the exit code (0 ok, 2 bad input or vLLM missing, 1 server failure)."""
    args = parse_args(argv)
    try:
        adapters = [parse_adapter(a) for a in args.adapter]
        executable = vllm_executable()
        cmd = build_command(
            args.model, adapters, args.host, args.port, args.max_lora_rank, args.extra, executable or ["vllm"]
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    base_url = f"http://{args.host}:{args.port}/v1"
    served = adapters[0][0] if len(adapters) == 1 else args.model
    if args.dry_run:
        print(show_command(cmd))
        print(f"GENSIM_BASE_URL={base_url}\nGENSIM_MODEL={served}")
        return 0
    if executable is None:
        print(f"error: {NOT_INSTALLED}", file=sys.stderr)
        return 2
    print(f"starting: {show_command(cmd)}", file=sys.stderr, flush=True)
    process = subprocess.Popen(cmd)
    try:
        models = wait_healthy(base_url, args.timeout, process)
        print(f"serving models: {', '.join(models)}", file=sys.stderr)
        print(f"GENSIM_BASE_URL={base_url}\nGENSIM_MODEL={served}", flush=True)
        return process.wait()
    except (TimeoutError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # vLLM shuts down cleanly on SIGINT
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
