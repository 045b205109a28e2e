"""Record oracle demonstrations in the sandbox into a Hugging Face dataset folder.

    python -m policy.record place-red-in-green put-block-in-bowl --episodes 100 --split train \\
        --out data/demos [--keep-failures] [--observation cameras|orthographic] [--push-to-hub ID] \\
        [--workers N] [--ray [auto|ADDRESS]] [--no-progress]

Every episode is one `sim.batch` unit (`record_unit`: one sandbox run, `sim.sandbox.iter_run` with
`StepOptions("record")`), run by a local pool of worker processes or on Ray; library and generated
task code never runs outside the sandbox, and the child sends the top-down maps, actions, goals and
rewards per step over the signed channel. Like CLIPort's demos.py: seeds per split are train 0, 2,
4, ...; val 1, 3, 5, ...; test 10001, 10003, ... (disjoint: val stops before 10001); only successful
episodes (reward > 0.99) are kept unless --keep-failures; at most 3 x N episodes are attempted for N
demos. Units run in waves (as many new seeds per task as demos are missing) and their outcomes are
taken in seed order, so the same command gives the same dataset on any number of workers. Seeds
already attempted (attempts.jsonl) are skipped, so a second call resumes. Exit code 0, 1 when some
unit failed to run (its seed is not logged: a resume tries it again), 2 for bad arguments, 130 when
cancelled (the episodes taken so far are written).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

from tqdm import tqdm

from policy import card, dataset, hub
from policy.episodes import sandbox_episode
from sim import batch, cli, tasks
from sim.sandbox.events import Stage
from sim.sandbox.steps import StepOptions

SPLIT_FIRST_SEED = {"train": 0, "val": 1, "test": 10001}
VAL_LAST_SEED = 9999  # keeps val seeds below the first test seed
ATTEMPTS_PER_DEMO = 3  # CLIPort's demos.py tries at most 3n episodes for n demos
SHARD_EPISODES = 20  # episodes per parquet shard
REPORTED_ERRORS = 3  # failed runs printed per task (the rest are counted)


def split_seeds(split: str):
    """Infinite iterator over the seeds of `split` (see module docstring); val ends at 9999.
    Raises ValueError for an unknown split."""
    if split not in SPLIT_FIRST_SEED:
        raise ValueError(f"split must be one of {list(SPLIT_FIRST_SEED)}, got {split!r}")
    seeds = itertools.count(SPLIT_FIRST_SEED[split], 2)
    return itertools.takewhile(lambda s: s <= VAL_LAST_SEED, seeds) if split == "val" else seeds


def resolve_task(arg: str) -> tuple[str, str]:
    """Library task name or path to a task file -> (task name, source). Raises KeyError for an
    unknown name (listing the valid ones)."""
    path = Path(arg)
    if path.suffix == ".py" and path.is_file():
        return path.stem.replace("_", "-"), path.read_text()
    return arg, tasks.task_path(arg).read_text()


def run_episode(source: str, seed: int, observation: str = "cameras", video: bool = False):
    """One oracle episode of task `source` in the sandbox with per-step recording -> (episode dict
    or None when the run ended before an episode, [step dicts with maps and poses], verdict)."""
    episode, steps, verdict = sandbox_episode(source, seed, StepOptions("record", observation=observation), video)
    return episode, [s for s in steps if s["acted"] and "colour" in s], verdict


def record_unit(source: str, seed: int, observation: str = "cameras", keep_failures: bool = False) -> dict:
    """The `sim.batch` unit function (runs in a worker): episode `seed` of task `source` ->
    {"episode": episode dict or None, "steps": [step dicts with maps and poses] (empty for an
    episode that will not be kept, so its maps do not travel back), "n_steps": actions taken,
    "error": {"stage", "type", "message"} of the verdict or None, "seconds": wall time}.
    Raises ValueError for a source the sandbox refuses (over 1 MiB)."""
    t0 = time.monotonic()
    episode, steps, verdict = run_episode(source, seed, observation)
    keep = episode is not None and (bool(episode["success"]) or keep_failures)
    err = (verdict or {}).get("error")
    return {
        "episode": episode,
        "steps": steps if keep else [],
        "n_steps": len(steps),
        "error": {k: err.get(k) for k in ("stage", "type", "message")} if err else None,
        "seconds": round(time.monotonic() - t0, 2),
    }


class _Shards:
    """Kept episodes of one task and split, written as a shard every SHARD_EPISODES episodes;
    their attempts are logged only once their shard is on disk (so a resume re-records them)."""

    def __init__(self, out: Path, split: str, name: str):
        self.out, self.split, self.name = out, split, name
        self.rows, self.attempts = [], []

    def add(self, rows: list[dict], attempt: dict) -> int:
        """Buffer one episode -> bytes written (0 unless this filled a shard)."""
        self.rows.extend(rows)
        self.attempts.append(attempt)
        return self.flush() if len(self.attempts) >= SHARD_EPISODES else 0

    def flush(self) -> int:
        """Write the buffered episodes (if any) -> bytes written."""
        if not self.rows:
            return 0
        seeds = [a["seed"] for a in self.attempts]
        path = self.out / "data" / self.split / f"{self.name}-{min(seeds):06d}-{max(seeds):06d}.parquet"
        size = dataset.write_shard(self.rows, path)
        for a in self.attempts:
            dataset.log_attempt(self.out, a)
        self.rows, self.attempts = [], []
        return size


class _TaskRecording:
    """The recording of one task: which seeds each wave tries, and the episodes' outcomes taken in
    seed order (whatever order the units finish in), so the dataset depends on the command only."""

    def __init__(self, name: str, source: str, split: str, out: Path, attempts: list[dict]):
        self.name, self.source, self.split, self.out = name, source, split, out
        done = {a["seed"] for a in attempts if a["task"] == name and a["split"] == split}
        self.kept = sum(a["kept"] for a in attempts if a["task"] == name and a["split"] == split)
        self.tried = len(done)
        self.seeds = (s for s in split_seeds(split) if s not in done)
        self.shards = _Shards(out, split, name)
        self.order: list[int] = []  # seeds of the current wave not taken yet, ascending
        self.arrived: dict[int, dict] = {}
        self.errors: list[str] = []  # runs that failed, "seed S: ..." (sandbox verdicts and units)
        self.unloadable = False

    def wave(self, episodes: int, observation: str, keep_failures: bool) -> list[batch.Unit]:
        """Units for the next seeds: as many as demos are still missing, within the 3N attempts
        (a sequential loop would try exactly these before it could stop). None once the task has
        its demos, its attempts, or code that does not load (a seed cannot change that)."""
        n = min(episodes - self.kept, ATTEMPTS_PER_DEMO * episodes - self.tried)
        if n <= 0 or self.unloadable:
            return []
        self.order = list(itertools.islice(self.seeds, n))
        return [
            batch.Unit(
                key=f"{self.name}|{self.split}|seed={seed}",
                fn="policy.record:record_unit",
                kwargs={
                    "source": self.source,
                    "seed": seed,
                    "observation": observation,
                    "keep_failures": keep_failures,
                },
                meta={"task": self.name, "seed": seed},
            )
            for seed in self.order
        ]

    def take(self, rec: dict, stats: dict, bar) -> None:
        """A unit's record arrived: take every outcome now in seed order (see `_take`)."""
        self.arrived[rec["meta"]["seed"]] = rec
        while self.order and self.order[0] in self.arrived:
            self._take(self.arrived.pop(self.order.pop(0)), stats, bar)

    def _take(self, rec: dict, stats: dict, bar) -> None:
        """Count one attempt; buffer a kept episode in its shard, log any other in attempts.jsonl.
        A unit that failed to run (raised, or its worker died twice) is reported, not logged, so a
        resume tries its seed again."""
        seed = rec["meta"]["seed"]
        self.tried += 1
        stats["attempted"] += 1
        if rec["status"] != "done":
            stats["failed"] += 1
            self.errors.append(f"seed {seed}: did not run: {rec['error']}")
            return
        res = rec["result"]
        episode, steps, err = res["episode"], res["steps"], res["error"]
        stats["seconds"] += res["seconds"]
        if err:
            self.errors.append(f"seed {seed}: {err['stage']}: {err['type']}: {err['message']}")
            self.unloadable |= err["stage"] in (Stage.SYNTAX, Stage.LOAD)
        success = bool(episode and episode["success"])
        attempt = {
            "task": self.name,
            "split": self.split,
            "seed": seed,
            "success": success,
            "reward": float(episode["reward"]) if episode else 0.0,
            "kept": bool(steps),
            "seconds": res["seconds"],
            "steps": res["n_steps"],
            "error": err and err["type"],
        }
        if steps:
            stats["bytes"] += self.shards.add(dataset.episode_rows(self.name, episode, steps), attempt)
            self.kept += 1
            stats["kept"] += 1
            stats["steps"] += len(steps)
            bar.update(1)
        else:
            dataset.log_attempt(self.out, attempt)


class _KeepOpen:
    """An engine whose close() does nothing: `batch.run_units` closes its engine after each call,
    and the waves of one recording share the same workers (closed by `record` at the end)."""

    def __init__(self, engine):
        self.engine = engine

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def close(self) -> None:
        pass


def record(
    task_args,
    episodes: int,
    split: str,
    out: Path,
    *,
    keep_failures: bool = False,
    observation: str = "cameras",
    progress: bool = True,
    engine=None,
) -> dict:
    """Record up to `episodes` kept demonstrations of each task into `out` and rewrite its card ->
    {"attempted", "kept", "failed" (units that did not run), "seconds" (summed episode time),
    "wall_seconds", "bytes", "steps"} of this call (resumed seeds not counted).

    Episodes run as `sim.batch` units on `engine` (default: a local pool of one worker per CPU),
    all tasks side by side, in waves: each wave tries, per task, as many new seeds as demos are
    still missing, so the seeds tried and kept, and the shards, are those of a one-at-a-time loop
    whatever the engine or number of workers. On KeyboardInterrupt the episodes taken so far are
    written (shards, attempts, card) before it propagates; the same call resumes.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    attempts = dataset.read_attempts(out)
    jobs: dict[str, _TaskRecording] = {}
    for arg in task_args:
        name, source = resolve_task(arg)
        jobs.setdefault(name, _TaskRecording(name, source, split, out, attempts))
    stats = {"attempted": 0, "kept": 0, "failed": 0, "seconds": 0.0, "wall_seconds": 0.0, "bytes": 0, "steps": 0}
    bar = tqdm(
        total=episodes * len(jobs),
        initial=sum(min(j.kept, episodes) for j in jobs.values()),
        desc=f"record [{split}]",
        unit="demo",
        disable=not progress,
        file=sys.stderr,
    )
    engine = engine if engine is not None else batch.make_engine()
    t0 = time.monotonic()

    def on_record(rec: dict) -> None:
        jobs[rec["meta"]["task"]].take(rec, stats, bar)
        bar.set_postfix(tried=stats["attempted"], failed=stats["failed"])

    try:
        while units := [u for j in jobs.values() for u in j.wave(episodes, observation, keep_failures)]:
            batch.run_units(units, engine=_KeepOpen(engine), progress=False, on_record=on_record)
    finally:
        engine.close()
        bar.close()
        for job in jobs.values():
            stats["bytes"] += job.shards.flush()
        card.write_card(out, observation=observation, keep_failures=keep_failures)
        stats["wall_seconds"] = round(time.monotonic() - t0, 2)
    for job in jobs.values():
        if job.kept < episodes:
            print(f"{job.name}: {job.kept} of {episodes} demos after {job.tried} attempts", file=sys.stderr)
        for line in job.errors[:REPORTED_ERRORS]:
            print(f"{job.name}: {line}", file=sys.stderr)
        if len(job.errors) > REPORTED_ERRORS:
            print(f"{job.name}: ... {len(job.errors)} failed runs in all", file=sys.stderr)
    return stats


def engine_for(args, check=None):
    """The CLIs' common argument checks (--episodes >= 1, `check()`, every task of --tasks resolves),
    then the --workers/--ray engine -> the engine, or None once the error is printed on stderr (the
    caller exits with EXIT_USAGE)."""
    try:
        if args.episodes < 1:
            raise ValueError(f"--episodes must be >= 1, got {args.episodes}")
        if check:
            check()
        for arg in args.tasks:
            resolve_task(arg)
        return batch.make_engine(args.workers, args.ray)
    except (KeyError, ValueError, OSError, RuntimeError, ConnectionError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m policy.record", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("tasks", nargs="+", metavar="TASK_OR_FILE")
    ap.add_argument("--episodes", type=int, default=10, help="demonstrations to keep per task")
    ap.add_argument("--split", choices=list(SPLIT_FIRST_SEED), default="train")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--keep-failures", action="store_true")
    ap.add_argument("--observation", choices=["cameras", "orthographic"], default="cameras")
    ap.add_argument("--push-to-hub", metavar="REPO_ID")
    ap.add_argument("--no-progress", action="store_true")
    batch.add_engine_args(ap)
    args = ap.parse_args(argv)
    engine = engine_for(args)
    if engine is None:
        return cli.EXIT_USAGE
    where = engine.describe()
    try:
        with cli.cancel_on_signals(interrupt=True):
            stats = record(
                args.tasks,
                args.episodes,
                args.split,
                args.out,
                keep_failures=args.keep_failures,
                observation=args.observation,
                progress=not args.no_progress,
                engine=engine,
            )
    except KeyboardInterrupt:
        print(f"cancelled: the episodes taken so far are in {args.out}; the same command resumes", file=sys.stderr)
        return cli.EXIT_CANCELLED
    wall = stats["wall_seconds"]
    rate = 60 * stats["attempted"] / wall if wall else 0.0
    per_run = stats["seconds"] / (stats["attempted"] - stats["failed"]) if stats["attempted"] > stats["failed"] else 0.0
    per_ep = stats["bytes"] / stats["kept"] / 1e6 if stats["kept"] else 0.0
    print(
        f"attempted {stats['attempted']} episodes, kept {stats['kept']} ({stats['steps']} steps) in {wall:.0f} s "
        f"on {where}: {rate:.1f} episodes/min with observations ({per_run:.1f} s per episode in a worker), "
        f"{per_ep:.2f} MB per kept episode; dataset at {args.out}"
        + (f"; {stats['failed']} episodes failed to run (see above)" if stats["failed"] else "")
    )
    if args.push_to_hub:
        print(f"uploaded to {hub.push_folder(args.out, args.push_to_hub)}")
    return cli.EXIT_FAILED if stats["failed"] else cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
