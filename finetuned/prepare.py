"""Export the task library as fine-tuning data.

Usage: python -m finetuned.prepare [--out DIR] [--val-fraction 0.1] [--seed 0] [--source curated|generated|all]

Writes, for each split (train, val), ``<split>.chat.jsonl`` (OpenAI chat fine-tuning),
``<split>.codellama.jsonl`` (GenSim Code-Llama prompt/completion) and ``<split>.records.jsonl``
(``datasets.load_dataset("json", data_files=...)``), plus ``manifest.json`` with the config and counts.
The split is by task (no task in both) and depends only on the seed and the set of task names.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from finetuned import formats
from generation.library import Library

FORMATS = ("chat", "codellama", "records")


def split_tasks(names: list[str], val_fraction: float, seed: int) -> dict[str, list[str]]:
    """Split task names into train and val, by task, deterministically.

    Names are sorted before a seeded shuffle, so the split depends only on (names, seed). With two or
    more tasks and ``val_fraction > 0`` val gets at least one task and train keeps at least one.

    Raises:
        ValueError: if ``val_fraction`` is outside [0, 1).
    """
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    order = sorted(set(names))
    random.Random(seed).shuffle(order)
    n_val = round(len(order) * val_fraction)
    if val_fraction > 0 and len(order) >= 2:
        n_val = min(max(n_val, 1), len(order) - 1)
    return {"train": sorted(order[n_val:]), "val": sorted(order[:n_val])}


def build_examples(
    library: Library, val_fraction: float = 0.1, seed: int = 0, source: str = "all"
) -> dict[str, dict[str, list[dict]]]:
    """Build every format for every split: ``{split: {format: [example, ...]}}``.

    ``source`` keeps only curated or only generated library tasks (``all`` keeps both).
    """
    entries = {e["name"]: e for e in library.list() if source in ("all", e.get("source"))}
    splits = split_tasks(list(entries), val_fraction, seed)
    out = {}
    for split, names in splits.items():
        rows = {kind: [] for kind in FORMATS}
        for name in names:
            code = library.code(name)
            entry = entries[name]
            rows["chat"].append(formats.chat_example(name, code))
            rows["codellama"].append(formats.codellama_example(name, code))
            rows["records"].append(
                formats.record(name, code, entry.get("description", ""), entry.get("source", ""), split)
            )
        out[split] = rows
    return out


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """Write one JSON object per line (UTF-8, no ASCII escaping so code stays readable)."""
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def prepare(
    out: Path, val_fraction: float = 0.1, seed: int = 0, source: str = "all", library: Library | None = None
) -> dict:
    """Write the dataset files into ``out`` and return the manifest (also saved as manifest.json)."""
    library = library or Library()
    examples = build_examples(library, val_fraction, seed, source)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for split, rows in examples.items():
        for kind, items in rows.items():
            for item in items:
                formats.validate(kind, item)
            path = out / f"{split}.{kind}.jsonl"
            write_jsonl(path, items)
            files[path.name] = len(items)
    manifest = {
        "seed": seed,
        "val_fraction": val_fraction,
        "source": source,
        "files": files,
        "tasks": {split: [r["task"] for r in rows["records"]] for split, rows in examples.items()},
        "instruction": formats.instruction("TASK-NAME".lower()),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("runs/finetune-data"))
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--source", choices=("all", "curated", "generated"), default="all")
    args = ap.parse_args(argv)
    manifest = prepare(args.out, args.val_fraction, args.seed, args.source)
    n_train, n_val = len(manifest["tasks"]["train"]), len(manifest["tasks"]["val"])
    print(f"wrote {args.out}: {n_train} train tasks, {n_val} val tasks")
    if n_train == 0:
        print("warning: the library has no tasks to train on", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
