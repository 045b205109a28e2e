"""python -m generation.run --mode topdown|bottomup|cot --trials N [--target NAME] [--idea TEXT]
    [--backend offline|openai|transformers|recorded] [--model M] [--base-url U] [--adapter A]
    [--path DIR] [--episodes E] [--temperature T] [--seed S] [--save] [--library DIR] [--out DIR]

Runs N generate-and-test trials (GenSim's run_simulation, spec §7.1), prints a line per trial and the
pass-rate table, and saves eval_results.csv + stats.json (with the config) under
runs/generation/<mode>_<UTC time>/ (or --out). Trial k uses seed S + 1000 k. With --save, accepted
tasks are added to the library (sim/tasks) and so become examples for later trials (bottom-up growth).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import platform
import sys
from pathlib import Path

from generation import stats
from generation.generate import backend_config
from generation.library import Library
from generation.pipeline import GenerateOptions, generate
from serving.base import BackendError, make_backend

RUNS_DIR = Path(__file__).resolve().parents[1] / "runs" / "generation"


def save_accepted(library: Library, result: dict) -> str | None:
    """Add an accepted result's final code to `library`; returns the name, or None when it was not
    added (not accepted, or the name is taken — reported, never overwritten)."""
    if not result.get("accepted"):
        return None
    proposal, final = result["proposal"], result["final"]
    meta = {"source": "generated", "backend": result.get("backend"), "model": result.get("model"),
            "stats": {"success_rate": final.get("success_rate"),
                      "episodes": len(final.get("episodes") or []),
                      "attempts": len(result["attempts"])}}
    try:
        entry = library.add(result["attempts"][-1]["code"], name=proposal["task-name"], meta=meta)
    except ValueError as exc:
        print(f"  not saved: {exc}")
        return None
    return entry["name"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m generation.run", description="Run many generation trials.")
    ap.add_argument("--mode", default="topdown")
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--target", help="target task name (topdown / cot)")
    ap.add_argument("--idea", default="", help="idea text (topdown / cot), default: the target")
    ap.add_argument("--backend", default="offline")
    ap.add_argument("--model")
    ap.add_argument("--base-url")
    ap.add_argument("--adapter")
    ap.add_argument("--path", help="answers folder or .jsonl for --backend recorded")
    ap.add_argument("--episodes", type=int, default=4)
    ap.add_argument("--repair-attempts", type=int, default=2)
    # Spec §7.2: GenSim proposes at 0.8 for diversity.
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save", action="store_true", help="add accepted tasks to the library")
    ap.add_argument("--library", help="library folder (default sim/tasks)")
    ap.add_argument("--out", help="folder for the statistics")
    args = ap.parse_args(argv)
    if not 1 <= args.trials <= 1000:
        print(f"error: --trials must be 1..1000, got {args.trials}", file=sys.stderr)
        return 2
    try:
        base = GenerateOptions(mode=args.mode, repair_attempts=args.repair_attempts,
                               episodes=args.episodes, seed=args.seed, temperature=args.temperature,
                               video=False, target=args.target)
        backend = make_backend(args.backend, **backend_config(args))
    except (ValueError, TypeError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    library = Library(args.library)
    results = []
    with backend:
        for k in range(args.trials):
            options = GenerateOptions(**{**base.__dict__, "seed": args.seed + 1000 * k})
            result = generate(args.idea, backend, options=options, library=library)
            results.append(result)
            flags = stats.trial_flags(result)
            name = (result.get("proposal") or {}).get("task-name", "-")
            status = result.get("error") or ("refused" if result.get("refusal") else
                                             " ".join(f"{s}={int(v)}" for s, v in flags.items()))
            print(f"trial {k + 1}/{args.trials} {name}: {status}", flush=True)
            if args.save and (saved := save_accepted(library, result)):
                print(f"  saved to the library as {saved}")
    label = f"{args.mode}_{_dt.datetime.now(_dt.timezone.utc):%Y%m%d-%H%M%S}"
    summary = stats.run_stats(results)
    print(stats.format_table(summary, label))
    config = dict(vars(args)) | {
        "backend_name": getattr(backend, "name", None), "model_name": getattr(backend, "model", None),
        "python": platform.python_version(), "machine": platform.platform()}
    out = Path(args.out) if args.out else RUNS_DIR / label
    csv_path, json_path = stats.save_stats(summary, out, label, config)
    with open(out / "results.jsonl", "w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(r, default=str) + "\n")
    print(f"saved {csv_path} and {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
