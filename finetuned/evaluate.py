"""Evaluate a model on held-out target tasks: one top-down prompt per task, judged by the sandbox.

Usage: python -m finetuned.evaluate --backend transformers|openai --model M --targets FILE
       [--adapter DIR] [--base-url URL] [--prompt-format chat|completion] [--template plain|llama2]
       [--label NAME] [--out DIR] [--episodes 4] [--seed 0] [--max-tokens 1800] [--temperature 0]

As GenSim's fine-tune evaluation (docs/pipeline.md#finetune-formats): each target gets the code-only
instruction ("Write the pybullet simulation task class [name] ..."), the answer's code runs through the
sandbox (stages syntax, load, reset, runtime, success), and the results are written to OUT:
``rows.csv`` (one row per task and model, appended), ``summary.csv`` and ``summary.md`` (one row per
model label, so evaluating several models into one OUT compares them side by side, as the paper's
table does) and ``config-<label>.json`` (the resolved config and versions).
TARGETS is a text file with one task name per line (``#`` comments allowed) or a ``*.records.jsonl``
file from ``python -m finetuned.prepare`` (its ``task`` fields).
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import time
from pathlib import Path

from finetuned import formats
from generation.answers import ParseError, extract_code
from serving import GenerationParams, make_backend
from serving.base import Backend, BackendError
from serving.prompt_formats import FINETUNE_SYSTEM
from sim.sandbox import run as run_in_sandbox
from sim.sandbox.events import Stage
from sim.settings import RunSettings

# The sandbox stages a fine-tuned model is scored on (the code compiles, runs, and its oracle succeeds).
STAGES = (Stage.SYNTAX, Stage.RUNTIME, Stage.SUCCESS)
ROW_FIELDS = ("label", "task", *STAGES, "stage_reached", "success_rate", "error", "seconds")


def read_targets(path: Path) -> list[str]:
    """Task names from a text file (one per line) or a prepare ``*.records.jsonl`` file.

    Raises:
        ValueError: if the file names no task.
    """
    text = Path(path).read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        names = [json.loads(line)["task"] for line in text.splitlines() if line.strip()]
    else:
        names = [line.split("#")[0].strip() for line in text.splitlines()]
    names = [n for n in names if n]
    if not names:
        raise ValueError(f"{path} names no target task")
    return names


def ask(backend: Backend, name: str, prompt_format: str, params: GenerationParams) -> str:
    """The model's answer to the code-only instruction for task ``name``.

    ``chat`` sends the fine-tuning system message and the instruction; ``completion`` sends the bare
    instruction (the backend's own template, e.g. Llama-2 ``[INST]``, wraps it where configured).
    """
    instruction = formats.instruction(name)
    if prompt_format == "chat":
        return backend.chat(
            [{"role": "system", "content": FINETUNE_SYSTEM}, {"role": "user", "content": instruction}], params
        )[0]
    return backend.complete(instruction, params)[0]


def evaluate_task(
    backend: Backend, name: str, prompt_format: str, params: GenerationParams, episodes: int, seed: int
) -> dict:
    """Ask for one task's code and judge it; returns a row (see ROW_FIELDS) plus the raw answer/code."""
    t0 = time.time()
    row = {
        "task": name,
        **dict.fromkeys(STAGES, False),
        "stage_reached": "generate",
        "success_rate": 0.0,
        "error": "",
    }
    answer = code = ""
    try:
        answer = ask(backend, name, prompt_format, params)
        code = extract_code(answer)
    except BackendError as e:
        row["error"] = f"backend: {e}"
    except ParseError as e:
        row.update(stage_reached="syntax", error=f"syntax: {e}")
    if code:
        verdict = run_in_sandbox(code, RunSettings(episodes=episodes, seed=seed, video=False), stream_frames=False)
        passed = verdict["passed"]
        row.update(
            {stage: passed[stage] for stage in STAGES},
            stage_reached=verdict["stage_reached"],
            success_rate=verdict["success_rate"],
        )
        if verdict.get("error"):
            err = verdict["error"]
            row["error"] = f"{err.get('stage')}: {err.get('type')}: {err.get('message')}"[:300]
    row["seconds"] = round(time.time() - t0, 2)
    return {**row, "answer": answer, "code": code}


def summarise(rows: list[dict]) -> dict:
    """Pass rates per stage: ``{"n", "syntax", "runtime", "success"}`` (fractions of targets)."""
    n = len(rows)
    return {"n": n, **{s: (sum(bool(r[s]) for r in rows) / n if n else 0.0) for s in STAGES}}


def _append_csv(path: Path, fields, rows) -> None:
    new = not path.exists()
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerows(rows)


def write_summary(out: Path, label: str, summary: dict) -> None:
    """Upsert this label's row in summary.csv and re-render summary.md from all labels."""
    path = out / "summary.csv"
    table = {}
    if path.exists():
        with path.open() as f:
            table = {r["label"]: r for r in csv.DictReader(f)}
    table[label] = {"label": label, "n": summary["n"], **{s: f"{summary[s]:.3f}" for s in STAGES}}
    fields = ["label", "n", *STAGES]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(table[k] for k in sorted(table))
    lines = ["| model | tasks | syntax | runtime | success |", "|---|---|---|---|---|"]
    lines += [
        f"| {r['label']} | {r['n']} | " + " | ".join(f"{float(r[s]):.1%}" for s in STAGES) + " |"
        for r in (table[k] for k in sorted(table))
    ]
    (out / "summary.md").write_text("\n".join(lines) + "\n")


def evaluate(
    backend: Backend,
    targets: list[str],
    out: Path,
    label: str,
    prompt_format: str = "chat",
    params: GenerationParams | None = None,
    episodes: int = 4,
    seed: int = 0,
    log=print,
) -> dict:
    """Evaluate ``backend`` on ``targets`` and write rows/summary into ``out``; returns the summary."""
    params = params or GenerationParams(temperature=0.0, max_tokens=1800)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    answers = out / f"answers-{label}.jsonl"
    with answers.open("w", encoding="utf-8") as f:
        for name in targets:
            row = evaluate_task(backend, name, prompt_format, params, episodes, seed)
            row["label"] = label
            rows.append(row)
            f.write(json.dumps({"task": name, "answer": row["answer"], "code": row["code"]}) + "\n")
            log(f"{name}: stage {row['stage_reached']}, success {row['success']} ({row['seconds']} s)")
    _append_csv(out / "rows.csv", ROW_FIELDS, rows)
    summary = summarise(rows)
    write_summary(out, label, summary)
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="evaluate a model on target tasks")
    ap.add_argument("--backend", required=True, choices=("transformers", "openai", "offline", "recorded"))
    ap.add_argument("--model", help="model folder / Hub id / served model name")
    ap.add_argument("--adapter", help="LoRA adapter folder (transformers backend)")
    ap.add_argument("--base-url", help="OpenAI-compatible base URL (openai backend)")
    ap.add_argument("--targets", required=True, type=Path)
    ap.add_argument("--prompt-format", choices=("chat", "completion"), default="chat")
    ap.add_argument(
        "--template",
        choices=("plain", "llama2"),
        help="completion wrapper (llama2 = the GenSim Code-Llama's [INST] format)",
    )
    ap.add_argument("--label", help="model name in the tables (default: model + adapter)")
    ap.add_argument("--out", type=Path, default=Path("runs/eval"))
    ap.add_argument("--episodes", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-tokens", type=int, default=1800)
    ap.add_argument("--temperature", type=float, default=0.0)
    args = ap.parse_args(argv)

    config = {"model": args.model}
    if args.backend == "transformers":
        config.update(adapter=args.adapter, template=args.template)
    elif args.backend == "openai":
        config.update(
            base_url=args.base_url, prompt_format=args.prompt_format, completion_template=args.template or "plain"
        )
    config = {k: v for k, v in config.items() if v is not None}
    label = args.label or "+".join(Path(x).name for x in (args.model or args.backend, args.adapter) if x)
    try:
        targets = read_targets(args.targets)
        backend = make_backend(args.backend, **config)
        params = GenerationParams(temperature=args.temperature, max_tokens=args.max_tokens)
        summary = evaluate(backend, targets, args.out, label, args.prompt_format, params, args.episodes, args.seed)
    except (OSError, ValueError, BackendError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    (args.out / f"config-{label}.json").write_text(
        json.dumps(
            {
                "args": {k: str(v) for k, v in vars(args).items()},
                "summary": summary,
                "python": platform.python_version(),
                "machine": platform.machine(),
            },
            indent=2,
        )
        + "\n"
    )
    print((args.out / "summary.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
