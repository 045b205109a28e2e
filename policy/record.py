"""Record oracle demonstrations in the sandbox into a Hugging Face dataset folder.

    python -m policy.record place-red-in-green put-block-in-bowl --episodes 100 --split train \\
        --out data/demos [--keep-failures] [--observation cameras|orthographic] [--push-to-hub ID]

Every episode runs in its own sandbox run (`sim.sandbox.iter_run` with
`StepOptions("record")`), so library and generated task code never runs in this process; the
child sends the top-down maps, actions, goals and rewards per step over the signed channel.
Like CLIPort's demos.py: seeds per split are train 0, 2, 4, ...; val 1, 3, 5, ...; test 10001,
10003, ... (disjoint: val stops before 10001); only successful episodes (reward > 0.99) are kept
unless --keep-failures; at most 3 x N episodes are attempted for N demos. Seeds already attempted
(attempts.jsonl) are skipped, so a second call resumes.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

from policy import card, dataset

SPLIT_FIRST_SEED = {"train": 0, "val": 1, "test": 10001}
VAL_LAST_SEED = 9999  # keeps val seeds below the first test seed
ATTEMPTS_PER_DEMO = 3  # CLIPort's demos.py tries at most 3n episodes for n demos
SHARD_EPISODES = 20  # episodes per parquet shard


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
    from sim import tasks

    return arg, tasks.task_path(arg).read_text()


def run_episode(source: str, seed: int, observation: str = "cameras", video: bool = False):
    """One oracle episode of task `source` in the sandbox with per-step recording -> (episode dict
    or None when the run ended before an episode, [step dicts with maps and poses], verdict)."""
    from sim.sandbox import Limits, iter_run
    from sim.sandbox.steps import StepOptions

    steps, episode, verdict = [], None, None
    limits = Limits(wall_seconds=300.0, cpu_seconds=240.0)
    for event in iter_run(
        source,
        episodes=1,
        seed=seed,
        video=video,
        stream_frames=False,
        limits=limits,
        steps=StepOptions("record", observation=observation),
    ):
        if event["type"] == "step" and event["step"]["acted"] and "colour" in event["step"]:
            steps.append(event["step"])
        elif event["type"] == "episode":
            episode = event["episode"]
        elif event["type"] == "verdict":
            verdict = event["verdict"]
    return episode, steps, verdict


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


def record(
    task_args,
    episodes: int,
    split: str,
    out: Path,
    *,
    keep_failures: bool = False,
    observation: str = "cameras",
    progress: bool = True,
) -> dict:
    """Record up to `episodes` kept demonstrations of each task into `out` and rewrite its card ->
    {"attempted", "kept", "seconds", "bytes", "steps"} of this call (resumed seeds not counted).
    """
    from tqdm import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    attempts = dataset.read_attempts(out)
    stats = {"attempted": 0, "kept": 0, "seconds": 0.0, "bytes": 0, "steps": 0}
    for arg in task_args:
        name, source = resolve_task(arg)
        done = {a["seed"] for a in attempts if a["task"] == name and a["split"] == split}
        kept = sum(a["kept"] for a in attempts if a["task"] == name and a["split"] == split)
        tried = len(done)
        bar = tqdm(
            total=episodes,
            initial=min(kept, episodes),
            desc=f"{name} [{split}]",
            unit="demo",
            disable=not progress,
            file=sys.stderr,
        )
        shards = _Shards(out, split, name)
        for seed in split_seeds(split):
            if kept >= episodes or tried >= ATTEMPTS_PER_DEMO * episodes:
                break
            if seed in done:
                continue
            t0 = time.monotonic()
            episode, steps, verdict = run_episode(source, seed, observation)
            seconds = time.monotonic() - t0
            tried += 1
            stats["attempted"] += 1
            stats["seconds"] += seconds
            success = bool(episode and episode["success"])
            keep = episode is not None and bool(steps) and (success or keep_failures)
            attempt = {
                "task": name,
                "split": split,
                "seed": seed,
                "success": success,
                "reward": float(episode["reward"]) if episode else 0.0,
                "kept": keep,
                "seconds": round(seconds, 2),
                "steps": len(steps),
                "error": (verdict or {}).get("error") and verdict["error"].get("type"),
            }
            if keep:
                stats["bytes"] += shards.add(dataset.episode_rows(name, episode, steps), attempt)
                kept += 1
                stats["kept"] += 1
                stats["steps"] += len(steps)
                bar.update(1)
            else:
                dataset.log_attempt(out, attempt)
            bar.set_postfix(tried=tried)
        stats["bytes"] += shards.flush()
        bar.close()
        if kept < episodes:
            print(f"{name}: {kept} of {episodes} demos after {tried} attempts", file=sys.stderr)
    card.write_card(out, observation=observation, keep_failures=keep_failures)
    return stats


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
    args = ap.parse_args(argv)
    stats = record(
        args.tasks,
        args.episodes,
        args.split,
        args.out,
        keep_failures=args.keep_failures,
        observation=args.observation,
        progress=not args.no_progress,
    )
    rate = 60 * stats["attempted"] / stats["seconds"] if stats["seconds"] else 0.0
    per_ep = stats["bytes"] / stats["kept"] / 1e6 if stats["kept"] else 0.0
    print(
        f"attempted {stats['attempted']} episodes, kept {stats['kept']} ({stats['steps']} steps) "
        f"in {stats['seconds']:.0f} s: {rate:.1f} episodes/min with observations, "
        f"{per_ep:.2f} MB per kept episode; dataset at {args.out}"
    )
    if args.push_to_hub:
        from policy import hub

        print(f"uploaded to {hub.push_folder(args.out, args.push_to_hub)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
