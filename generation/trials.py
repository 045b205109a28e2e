"""python -m generation.trials --mode topdown|bottomup|cot --trials N [--target NAME] [--idea TEXT]
    [--backend offline|openai|transformers|recorded] [--model M] [--base-url U] [--adapter A]
    [--path DIR] [--episodes E] [--temperature T] [--seed S] [--save] [--library DIR] [--out DIR]
    [--workers W] [--ray [auto|ADDRESS]] [--no-progress] [--json] [--ideas FILE] [--min-success R]
    [--distinct] [--max-per-asset-set N]

Runs N generate-and-test trials (GenSim's run_simulation, docs/pipeline.md#components) as `sim.batch` units
(local worker processes, or Ray with --ray), prints a line per trial as it finishes and the pass-rate
table, and saves eval_results.csv + stats.json (with the config) and results.jsonl (one result R per
trial, in trial order) under runs/generation/<mode>_<UTC time>/ (or --out). trials.jsonl there
records each trial as it finishes: re-running with the same --out skips the trials already done.
Trial k uses seed S + 1000 k. With --save, accepted tasks are added to the library (sim/tasks) as
they finish and so become examples for trials that start later (bottom-up growth; with W workers a
trial sees the tasks saved before it started). Each worker builds its own backend; API keys are
read from the worker's environment (OPENAI_API_KEY), never sent with the trial.
--ideas FILE runs N trials (default 1) for each idea of the file (one per line; blank lines, lines
starting with '#' and anything after ' | ' are ignored) instead of --idea; trial k of the whole run
still uses seed S + 1000 k. --save never adds the same task twice: a task whose code equals a library
task's after normalising names and docstrings (`generation.library.normalised_ast`) is not saved,
nor, with --min-success R, a task whose final success rate is below R; --distinct and
--max-per-asset-set N curate further (see save_accepted).

--json prints exactly one JSON document on stdout for every outcome (the lines above go to stderr):
{"label", "out", "stats", "trials": [{"trial", "task", "accepted", "error"}], "error": null | str}.
Exit status: 0 every trial ran (whatever its verdict); 1 some trial failed to run (its worker raised
or died twice); 2 bad arguments; 130 cancelled (SIGINT or SIGTERM; trials.jsonl keeps the finished
trials, so the same --out resumes).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import platform
import sys
from pathlib import Path

from generation import stats
from generation.generate import backend_config
from generation.library import Library, describe_code
from generation.pipeline import GenerateOptions, generate, new_result
from serving.base import BackendError, make_backend
from sim import batch, cli
from sim.settings import DEFAULT_EPISODES, RunSettings

RUNS_DIR = Path(__file__).resolve().parents[1] / "runs" / "generation"
_BACKENDS: dict = {}  # per worker process: one backend per (kind, config), so a model loads once


def run_trial(idea: str, backend: str, config: dict, options: dict, library: str | None = None) -> dict:
    """One generate-and-test trial (a `sim.batch` unit): result R of `generation.pipeline.generate`.

    backend/config: `make_backend` arguments (no API key: backends read it from this process's
    environment). options: `GenerateOptions` fields. library: library folder (default sim/tasks).
    Raises what make_backend raises (ValueError, BackendError); the pipeline itself reports errors
    in R["error"].
    """
    key = (backend, json.dumps(config, sort_keys=True))
    if key not in _BACKENDS:
        _BACKENDS[key] = make_backend(backend, **config)
    return generate(idea, _BACKENDS[key], options=GenerateOptions(**options), library=Library(library))


def not_run_result(idea: str, error: str) -> dict:
    """Result R standing for a trial whose unit failed to run (its worker died twice, or it raised)."""
    return new_result(idea, None) | {"error": f"trial failed to run: {error}"}


def read_ideas(path: str) -> list[str]:
    """Ideas of an ideas file: one per line, blank and '#' lines skipped, text after ' | ' dropped
    (the format of tests/data/ideas.txt). Raises ValueError when it holds none, OSError when unreadable."""
    ideas = [line.split(" | ")[0].strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    ideas = [i for i in ideas if i and not i.startswith("#")]
    if not ideas:
        raise ValueError(f"{path} holds no idea")
    return ideas


def save_accepted(
    library: Library,
    result: dict,
    min_success: float = 0.0,
    distinct: bool = False,
    max_per_asset_set: int | None = None,
) -> str | None:
    """Add an accepted result's final code to `library`; returns the name, or None when it was not
    added (not accepted, a final success rate below `min_success`, the name is taken, or the library
    has the same task under another name — reported, never overwritten).

    distinct: also refuse a task whose structure equals a library task's apart from colours, sizes
    and counts (`normalised_ast(structure_only=True)`). max_per_asset_set: refuse a task when that
    many generated library tasks already use exactly its set of assets (keeps the library's asset
    diversity, GenSim's 1 - Jaccard, from collapsing onto one popular pair such as block + bowl)."""
    if not result.get("accepted"):
        return None
    proposal, final = result["proposal"], result["final"]
    if (final.get("success_rate") or 0.0) < min_success:
        print(f"  not saved: success rate {final.get('success_rate') or 0.0:.2f} below {min_success:.2f}")
        return None
    code = result["attempts"][-1]["code"]
    if (same := library.find_duplicate(code)) is not None:
        print(f"  not saved: the library has the same task as {same!r}")
        return None
    if distinct and (same := library.find_duplicate(code, structure_only=True)) is not None:
        print(f"  not saved: the library has the same task apart from colours, sizes or counts: {same!r}")
        return None
    if max_per_asset_set is not None:
        assets = {stats.normalise_asset(a) for a in describe_code(code)["assets"]}
        same_set = [
            e["name"]
            for e in library.list(source="generated")
            if {stats.normalise_asset(a) for a in e.get("assets") or []} == assets
        ]
        if len(same_set) >= max_per_asset_set:
            print(f"  not saved: {len(same_set)} generated tasks already use the assets {sorted(assets)}")
            return None
    meta = {
        "source": "generated",
        "backend": result.get("backend"),
        "model": result.get("model"),
        "stats": {
            "success_rate": final.get("success_rate"),
            "episodes": len(final.get("episodes") or []),
            "attempts": len(result["attempts"]),
        },
    }
    try:
        entry = library.add(code, name=proposal["task-name"], meta=meta)
    except ValueError as exc:
        print(f"  not saved: {exc}")
        return None
    return entry["name"]


def _doc(label=None, out=None, summary=None, results=(), error=None) -> dict:
    """The --json document (module docstring)."""
    trials = [
        {
            "trial": k,
            "task": (r.get("proposal") or {}).get("task-name"),
            "accepted": bool(r.get("accepted")),
            "error": r.get("error"),
        }
        for k, r in enumerate(results)
    ]
    return {"label": label, "out": str(out) if out else None, "stats": summary, "trials": trials, "error": error}


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (module docstring)."""
    as_json = cli.wants_json(argv)
    stdout = cli.json_stdout() if as_json else sys.stdout
    try:
        return _main(argv, as_json, stdout)
    except cli.UsageError as exc:
        if as_json:
            cli.emit(_doc(error=f"bad arguments: {exc}"), stdout)
        else:
            print(f"error: {exc}", file=sys.stderr)
        return cli.EXIT_USAGE


def _main(argv, as_json: bool, stdout) -> int:
    ap = cli.ArgumentParser(prog="python -m generation.trials", description="Run many generation trials.")
    ap.add_argument("--mode", default="topdown")
    ap.add_argument(
        "--trials", type=int, default=None, help="trials (default 10), or trials per idea with --ideas (default 1)"
    )
    ap.add_argument("--target", help="target task name (topdown / cot)")
    ap.add_argument("--idea", default="", help="idea text (topdown / cot), default: the target")
    ap.add_argument("--ideas", help="file of ideas, one per line: N trials for each (instead of --idea)")
    ap.add_argument("--backend", default="offline")
    ap.add_argument("--model")
    ap.add_argument("--base-url")
    ap.add_argument("--adapter")
    ap.add_argument("--path", help="answers folder or .jsonl for --backend recorded")
    ap.add_argument("--episodes", type=int, default=DEFAULT_EPISODES)
    ap.add_argument("--repair-attempts", type=int, default=2)
    # docs/pipeline.md#config-defaults: GenSim proposes at 0.8 for diversity.
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save", action="store_true", help="add accepted tasks to the library")
    ap.add_argument(
        "--min-success",
        type=float,
        default=0.0,
        help="with --save: only tasks whose final success rate reaches this (e.g. 0.75)",
    )
    ap.add_argument(
        "--distinct",
        action="store_true",
        help="with --save: refuse tasks equal to a library task apart from colours, sizes, counts",
    )
    ap.add_argument(
        "--max-per-asset-set",
        type=int,
        default=None,
        help="with --save: refuse a task when this many generated tasks use its exact asset set",
    )
    ap.add_argument("--library", help="library folder (default sim/tasks)")
    ap.add_argument("--out", help="folder for the statistics (re-using one resumes its run)")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")
    ap.add_argument("--json", action="store_true", help="print one JSON document (module docstring)")
    batch.add_engine_args(ap)
    args = ap.parse_args(argv)
    if args.trials is None:
        args.trials = 1 if args.ideas else 10
    try:
        ideas = read_ideas(args.ideas) if args.ideas else [args.idea]
    except (OSError, ValueError) as exc:
        raise cli.UsageError(f"--ideas: {exc}") from exc
    if not 1 <= args.trials * len(ideas) <= 10000:
        raise cli.UsageError(f"--trials must give 1..10000 trials in all, got {args.trials * len(ideas)}")
    try:
        base = GenerateOptions(
            mode=args.mode,
            repair_attempts=args.repair_attempts,
            temperature=args.temperature,
            target=args.target,
            run=RunSettings(episodes=args.episodes, seed=args.seed, video=False),
        )
        backend = make_backend(args.backend, **backend_config(args))
    except (ValueError, TypeError, BackendError) as exc:
        raise cli.UsageError(str(exc)) from exc
    backend.close()  # built here only to check the flags: each worker builds its own
    label = f"{args.mode}_{_dt.datetime.now(_dt.UTC):%Y%m%d-%H%M%S}"
    out = Path(args.out) if args.out else RUNS_DIR / label
    try:
        engine = batch.make_engine(args.workers, args.ray)
    except (RuntimeError, OSError) as exc:
        raise cli.UsageError(str(exc)) from exc
    library = Library(args.library)
    config = backend_config(args)
    fingerprint = hashlib.sha1(
        json.dumps(
            [args.mode, args.target, args.backend, config, args.episodes, args.repair_attempts, args.temperature],
            sort_keys=True,
        ).encode()
    ).hexdigest()[:12]
    trials = [idea for idea in ideas for _ in range(args.trials)]
    units = [
        batch.Unit(
            key=f"trial={k}|seed={args.seed + 1000 * k}|{fingerprint}|"
            f"idea={hashlib.sha1(idea.encode()).hexdigest()[:8]}",
            fn="generation.trials:run_trial",
            kwargs={
                "idea": idea,
                "backend": args.backend,
                "config": config,
                "options": dataclasses.asdict(
                    dataclasses.replace(base, run=dataclasses.replace(base.run, seed=args.seed + 1000 * k))
                ),
                "library": str(library.root),
            },
            meta={"trial": k, "idea": idea},
        )
        for k, idea in enumerate(trials)
    ]

    def report(rec):
        k = rec["meta"]["trial"]
        result = rec["result"] if rec["status"] == "done" else not_run_result(rec["meta"]["idea"], rec["error"])
        flags = stats.trial_flags(result)
        name = (result.get("proposal") or {}).get("task-name", "-")
        status = result.get("error") or (
            "refused" if result.get("refusal") else " ".join(f"{s}={int(v)}" for s, v in flags.items())
        )
        print(f"trial {k + 1}/{len(units)} {name}: {status}", flush=True)
        if args.save and (
            saved := save_accepted(library, result, args.min_success, args.distinct, args.max_per_asset_set)
        ):
            print(f"  saved to the library as {saved}")

    try:
        with cli.cancel_on_signals(interrupt=True):
            records = batch.run_units(
                units,
                engine=engine,
                journal=batch.JsonlJournal(out / "trials.jsonl"),
                progress=not args.no_progress,
                desc="trials",
                on_record=report,
            )
    except KeyboardInterrupt:
        if as_json:
            cli.emit(_doc(label, out, error="Cancelled."), stdout)
        return cli.EXIT_CANCELLED
    results = [r["result"] if r["status"] == "done" else not_run_result(r["meta"]["idea"], r["error"]) for r in records]
    summary = stats.run_stats(results)
    print(stats.format_table(summary, label))
    run_config = dict(vars(args)) | {
        "backend_name": getattr(backend, "name", None),
        "model_name": getattr(backend, "model", None),
        "engine": engine.describe(),
        "python": platform.python_version(),
        "machine": platform.platform(),
    }
    csv_path, json_path = stats.save_stats(summary, out, label, run_config)
    with open(out / "results.jsonl", "w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(r, default=str) + "\n")
    print(f"saved {csv_path} and {json_path}")
    if as_json:
        cli.emit(_doc(label, out, summary, results), stdout)
    return cli.EXIT_FAILED if any(r["status"] != "done" for r in records) else cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
