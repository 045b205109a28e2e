"""Turn a trained LoRA adapter into something to serve.

Usage: python -m finetuned.export --base MODEL --adapter DIR [--merge OUT] [--name NAME] [--port 8000]

Without ``--merge`` it prints the exact command that serves the adapter with vLLM next to the base
model (``python -m serving.vllm ... --adapter NAME=DIR``) and the environment to point the app at it.
With ``--merge OUT`` it folds the LoRA weights into the base model and saves a plain model folder
(weights + tokenizer) that any backend, vLLM included, loads without peft.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path


def adapter_name(adapter_dir: Path) -> str:
    """A served-model name derived from the adapter folder name (lower-case, ``[a-z0-9-]``)."""
    name = re.sub(r"[^a-z0-9]+", "-", Path(adapter_dir).resolve().name.lower()).strip("-")
    return name or "adapter"


def vllm_command(base: str, adapter_dir: Path, name: str | None = None, port: int = 8000) -> list[str]:
    """The ``python -m serving.vllm`` argv that serves ``adapter_dir`` as model ``name`` on ``port``.

    The launcher reads the adapter's rank from its ``adapter_config.json`` for ``--max-lora-rank``.

    Raises:
        FileNotFoundError: if ``adapter_dir`` is not a saved peft adapter.
    """
    if not (Path(adapter_dir) / "adapter_config.json").exists():
        raise FileNotFoundError(f"{adapter_dir}/adapter_config.json not found: not a peft adapter folder")
    return [
        sys.executable,
        "-m",
        "serving.vllm",
        "--model",
        base,
        "--adapter",
        f"{name or adapter_name(adapter_dir)}={Path(adapter_dir).resolve()}",
        "--port",
        str(port),
    ]


def merge(base: str, adapter_dir: Path, out: Path) -> Path:
    """Merge the adapter into the base weights and save model + tokenizer to ``out``."""
    # The torch stack (seconds to import) only for --merge: printing the serve command needs none.
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), str(adapter_dir))
    merged = model.merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(out)
    AutoTokenizer.from_pretrained(adapter_dir).save_pretrained(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="serve or merge a LoRA adapter")
    ap.add_argument("--base", required=True, help="base model folder or Hub id")
    ap.add_argument("--adapter", required=True, type=Path, help="adapter folder from finetuned.train")
    ap.add_argument("--merge", type=Path, help="write a merged model folder here")
    ap.add_argument("--name", help="served model name (default: from the adapter folder)")
    ap.add_argument("--port", type=int, default=8000)
    args = ap.parse_args(argv)
    try:
        if args.merge:
            print(f"merged model written to {merge(args.base, args.adapter, args.merge)}")
            return 0
        cmd = vllm_command(args.base, args.adapter, args.name, args.port)
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    name = args.name or adapter_name(args.adapter)
    print(shlex.join(cmd))
    print(f"# then: GENSIM_BASE_URL=http://127.0.0.1:{args.port}/v1 GENSIM_MODEL={name} python app.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
