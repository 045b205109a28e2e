"""python -m sim.sweep TASK_OR_DIR... --seeds A:B [--episodes N] --out results.csv
    [--workers W] [--ray [auto|ADDRESS]] [--wall-seconds S] [--no-progress]

Runs every task (a task file, a folder of task files, or a library name such as stack-block-pyramid)
with the oracle on episode seeds A, A+1, ..., B-1, in the sandbox, through `sim.batch` (a local
process pool, or Ray with --ray). One unit is one sandbox run of N consecutive seeds (default 1;
a larger N amortises the sandbox start, the rows are the same). Writes one CSV row per episode as
units finish; re-running with the same --out skips the units already there (the unit key holds a
hash of the task code, so an edited task runs again). Prints a per-task summary and writes it to
<out stem>_summary.csv. Exit code 0 when every unit ran (tasks may still fail), 1 when some unit
failed to run, 2 for bad arguments, 130 when cancelled (SIGINT/SIGTERM: the rows of the finished
units stay in the CSV, and the same command resumes).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from pathlib import Path

from sim import batch, cli
from sim.sandbox import Limits, run
from sim.settings import RunSettings
from sim.tasks import task_path

COLUMNS = ("task", "seed", "success", "reward", "steps", "seconds", "stage_reached", "error", "status", "key")


def run_unit(
    source: str, filename: str, task: str, seed: int, episodes: int, wall_seconds: float | None = None
) -> dict:
    """Run `source` in the sandbox for `episodes` episodes from `seed` (the unit function).

    Returns {"task", "rows": [one dict per seed seed .. seed+episodes-1 with the COLUMNS values]}.
    A seed without an episode (the run stopped at syntax/load, or at the wall clock) gets a row with
    success False and the verdict's error. seconds: simulated-and-rendered wall time of the episode.
    """
    limits = Limits(cpu_seconds=int(wall_seconds), wall_seconds=wall_seconds) if wall_seconds else None
    verdict = run(source, RunSettings(episodes=episodes, seed=seed, video=False, limits=limits), filename=filename)
    by_seed = {ep.get("seed"): ep for ep in verdict.get("episodes") or []}
    err = verdict.get("error")
    run_error = f"{err.get('stage')}: {err.get('type')}: {err.get('message')}" if err else ""
    rows = []
    for s in range(seed, seed + episodes):
        ep = by_seed.get(s)
        if ep is None:
            rows.append(
                {
                    "task": task,
                    "seed": s,
                    "success": False,
                    "reward": "",
                    "steps": "",
                    "seconds": "",
                    "stage_reached": verdict.get("stage_reached"),
                    "error": run_error or "no episode",
                }
            )
            continue
        ep_err = ep.get("error")
        rows.append(
            {
                "task": task,
                "seed": s,
                "success": bool(ep.get("success")),
                "reward": round(float(ep.get("reward") or 0.0), 4),
                "steps": ep.get("steps"),
                "seconds": ep.get("seconds"),
                "stage_reached": verdict.get("stage_reached"),
                "error": f"{ep_err.get('type')}: {ep_err.get('message')}" if ep_err else "",
            }
        )
    return {"task": task, "rows": rows}


class CsvJournal:
    """The sweep's CSV as a `sim.batch` journal: rows appended as units finish; `done()` rebuilds the
    records of units whose rows say status "done"."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def done(self) -> dict[str, dict]:
        try:
            with open(self.path, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        except FileNotFoundError:
            return {}
        out: dict[str, dict] = {}
        for row in rows:
            if row.get("status") == "done" and row.get("key"):
                rec = out.setdefault(
                    row["key"],
                    {"key": row["key"], "status": "done", "meta": {}, "result": {"task": row["task"], "rows": []}},
                )
                rec["result"]["rows"].append(_typed(row))
        return out

    def write(self, record: dict) -> None:
        """Append the record's rows (a failed unit: one row per seed, with its error)."""
        new = not self.path.exists() or self.path.stat().st_size == 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
            if new:
                writer.writeheader()
            writer.writerows(_record_rows(record))


def _typed(row: dict) -> dict:
    """A CSV row back with numbers and booleans (as run_unit made it)."""
    out = dict(row)
    out["seed"] = int(row["seed"])
    out["success"] = row["success"] == "True"
    for k, kind in (("reward", float), ("steps", int), ("seconds", float)):
        out[k] = kind(row[k]) if row.get(k) not in (None, "") else ""
    return out


def resolve_tasks(items: list[str]) -> dict[str, Path]:
    """Task name -> file for each item: a .py file, a folder of them (`__init__.py` and `_*` skipped)
    or a library task name (`sim.tasks.task_path`). Raises KeyError for an unknown name."""
    found: dict[str, Path] = {}
    for item in items:
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.glob("*.py") if not p.name.startswith("_"))
        elif path.suffix == ".py" and path.is_file():
            files = [path]
        else:
            files = [task_path(item)]
        for f in files:
            found[f.stem.replace("_", "-")] = f
    return found


def parse_seeds(text: str) -> range:
    """ "A:B" -> range(A, B) (B excluded), "S" -> range(S, S + 1); ValueError when empty or malformed."""
    try:
        a, _, b = text.partition(":")
        seeds = range(int(a), int(b)) if b else range(int(a), int(a) + 1)
    except ValueError:
        raise ValueError(f"--seeds must be A:B or S (integers), got {text!r}") from None
    if not seeds:
        raise ValueError(f"--seeds {text!r} holds no seed (B must be greater than A)")
    return seeds


def make_units(
    tasks: dict[str, Path], seeds: range, episodes: int, wall_seconds: float | None = None
) -> list[batch.Unit]:
    """One unit per task and run of `episodes` consecutive seeds (the last run may be shorter)."""
    units = []
    for name, path in tasks.items():
        source = path.read_text(encoding="utf-8")
        digest = hashlib.sha1(source.encode()).hexdigest()[:12]
        for start in range(seeds.start, seeds.stop, episodes):
            n = min(episodes, seeds.stop - start)
            units.append(
                batch.Unit(
                    key=f"{name}|{digest}|seeds={start}:{start + n}",
                    fn="sim.sweep:run_unit",
                    kwargs={
                        "source": source,
                        "filename": path.name,
                        "task": name,
                        "seed": start,
                        "episodes": n,
                        "wall_seconds": wall_seconds,
                    },
                    meta={"task": name, "seeds": [start, start + n]},
                )
            )
    return units


def _record_rows(rec: dict) -> list[dict]:
    """Per-episode rows of one record; a failed unit gives one row per seed with its error."""
    if rec["status"] == "done":
        return [{**r, "status": "done", "key": rec["key"]} for r in rec["result"]["rows"]]
    meta = rec["meta"]
    return [
        {
            "task": meta["task"],
            "seed": s,
            "success": False,
            "reward": "",
            "steps": "",
            "seconds": "",
            "stage_reached": "",
            "error": rec["error"],
            "status": "failed",
            "key": rec["key"],
        }
        for s in range(*meta["seeds"])
    ]


def summarise(rows: list[dict]) -> list[dict]:
    """Per task: {"task", "episodes", "successes", "success_rate", "mean_seconds" (per episode run),
    "not_run" (rows of units that failed to run)}."""
    out: dict[str, dict] = {}
    for r in rows:
        s = out.setdefault(r["task"], {"task": r["task"], "episodes": 0, "successes": 0, "seconds": [], "not_run": 0})
        s["episodes"] += 1
        s["successes"] += bool(r["success"])
        s["not_run"] += r["status"] != "done"
        if r["seconds"] not in ("", None):
            s["seconds"].append(float(r["seconds"]))
    return [
        {
            "task": s["task"],
            "episodes": s["episodes"],
            "successes": s["successes"],
            "success_rate": round(s["successes"] / s["episodes"], 3),
            "mean_seconds": round(sum(s["seconds"]) / len(s["seconds"]), 2) if s["seconds"] else "",
            "not_run": s["not_run"],
        }
        for s in out.values()
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sim.sweep", description="Run tasks x seeds with the oracle in the sandbox; CSV of episodes."
    )
    ap.add_argument("tasks", nargs="+", help="task files, folders of task files, or library names")
    ap.add_argument("--seeds", required=True, help="A:B runs seeds A .. B-1")
    ap.add_argument("--episodes", type=int, default=1, help="episodes per sandbox run (default 1)")
    ap.add_argument("--out", required=True, help="CSV of per-episode results (appended; resumes)")
    ap.add_argument(
        "--wall-seconds",
        type=float,
        default=None,
        help="wall-clock and CPU limit of each sandbox run (default: the sandbox's)",
    )
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")
    batch.add_engine_args(ap)
    args = ap.parse_args(argv)
    try:
        seeds = parse_seeds(args.seeds)
        if args.episodes < 1:
            raise ValueError(f"--episodes must be >= 1, got {args.episodes}")
        tasks = resolve_tasks(args.tasks)
        units = make_units(tasks, seeds, args.episodes, args.wall_seconds)
    except (KeyError, ValueError, OSError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 2
    try:
        engine = batch.make_engine(args.workers, args.ray)
    except (RuntimeError, ConnectionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    journal = CsvJournal(out)
    reused = len(journal.done().keys() & {u.key for u in units})
    t0 = time.monotonic()
    try:
        with cli.cancel_on_signals(interrupt=True):
            records = batch.run_units(
                units, engine=engine, journal=journal, desc="sweep", progress=not args.no_progress
            )
    except KeyboardInterrupt:
        print(f"cancelled: the finished units' rows are in {out}; the same command resumes", file=sys.stderr)
        return cli.EXIT_CANCELLED
    rows = [row for rec in records for row in _record_rows(rec)]
    summary = summarise(rows)
    summary_path = out.with_name(out.stem + "_summary.csv")
    with open(summary_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    for s in summary:
        print(
            f"{s['task']:32s} success {s['successes']}/{s['episodes']} ({s['success_rate']:.0%})"
            f"  {s['mean_seconds']} s/episode" + (f"  {s['not_run']} not run" if s["not_run"] else "")
        )
    failed = sum(r["status"] == "failed" for r in records)
    print(
        f"{len(units)} units ({len(units) - reused} run, {reused} reused; {len(rows)} episodes) in "
        f"{time.monotonic() - t0:.1f} s on {engine.describe()}, {failed} failed to run; rows in {out}, "
        f"summary in {summary_path}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
