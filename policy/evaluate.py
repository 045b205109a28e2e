"""Evaluate a trained policy in the sandbox: the policy acts instead of the oracle.

    python -m policy.evaluate --checkpoint RUN --tasks place-red-in-green ... --episodes N
        [--split test] [--out DIR] [--video] [--threads K] [--device cpu|cuda]

Each episode is one sandbox run in act mode (sim.sandbox.steps): the child renders the top-down
observation and sends it over the signed channel; this process runs the network (torch stays out
of the sandboxed process) and answers with the pick and place poses; the child executes them with
the task's primitive and scores the task as usual. Seeds are the split's (test: 10001, 10003, ...;
never used for training demos). Per task: success rate (total reward > 0.99) and mean reward in
CLIPort's 0-100 score, written to DIR/results.csv and DIR/results.md (and printed), episodes to
DIR/episodes.jsonl, and with --video the first episode of each task to DIR/videos/TASK.mp4.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import shutil
import sys
import time
from pathlib import Path

from policy import record
from policy.agent import PolicyActor

COLUMNS = ("task", "episodes", "success_rate", "mean_reward", "steps", "seconds")


def evaluate_episode(actor: PolicyActor, source: str, seed: int, video: bool = False) -> dict:
    """One policy episode in the sandbox -> {"seed", "reward", "success", "steps", "error",
    "video", "seconds"} (reward = total task reward 0..1; error the verdict's error type when the
    run itself failed, e.g. task code that raised)."""
    from sim.sandbox import Limits, iter_run
    from sim.sandbox.steps import StepOptions

    t0 = time.monotonic()
    episode, verdict, acted = None, None, 0
    limits = Limits(wall_seconds=600.0, cpu_seconds=480.0)
    for event in iter_run(
        source,
        episodes=1,
        seed=seed,
        video=video,
        stream_frames=False,
        limits=limits,
        steps=StepOptions("act", actor=actor, observation=actor.observation),
    ):
        if event["type"] == "step":
            acted += event["step"]["acted"]
        elif event["type"] == "episode":
            episode = event["episode"]
        elif event["type"] == "verdict":
            verdict = event["verdict"]
    error = None
    if episode is None or episode.get("error"):
        error = ((episode or {}).get("error") or (verdict or {}).get("error") or {}).get("type")
    return {
        "seed": seed,
        "reward": float(episode["reward"]) if episode else 0.0,
        "success": bool(episode and episode["success"]),
        "steps": acted,
        "error": error,
        "video": (verdict or {}).get("video"),
        "seconds": round(time.monotonic() - t0, 2),
    }


def evaluate(
    run: Path,
    task_args,
    episodes: int,
    out: Path,
    *,
    split: str = "test",
    video: bool = False,
    device: str = "cpu",
    progress: bool = True,
) -> list[dict]:
    """Evaluate checkpoint `run` on each task -> one summary row per task (COLUMNS); writes the
    files named in the module docstring under `out`."""
    from tqdm import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    actor = PolicyActor(run, device)
    rows = []
    with open(out / "episodes.jsonl", "w") as log:
        for arg in task_args:
            name, source = record.resolve_task(arg)
            results = []
            seeds = itertools.islice(record.split_seeds(split), episodes)
            for i, seed in enumerate(tqdm(list(seeds), desc=name, disable=not progress, file=sys.stderr)):
                res = evaluate_episode(actor, source, seed, video=video and i == 0)
                mp4 = res.pop("video")
                if mp4:
                    (out / "videos").mkdir(exist_ok=True)
                    shutil.move(mp4, out / "videos" / f"{name}.mp4")
                    shutil.rmtree(Path(mp4).parent, ignore_errors=True)
                results.append(res)
                log.write(json.dumps({"task": name, **res}) + "\n")
            rows.append(summarise(name, results))
    write_tables(rows, out)
    return rows


def summarise(task: str, results: list[dict]) -> dict:
    """Per-task row: episodes, success rate (0..1), mean reward x 100 (CLIPort's score), total
    policy steps and seconds."""
    n = len(results)
    return {
        "task": task,
        "episodes": n,
        "success_rate": round(sum(r["success"] for r in results) / n, 3) if n else 0.0,
        "mean_reward": round(100 * sum(r["reward"] for r in results) / n, 1) if n else 0.0,
        "steps": sum(r["steps"] for r in results),
        "seconds": round(sum(r["seconds"] for r in results), 1),
    }


def markdown(rows: list[dict]) -> str:
    """The summary rows as a Markdown table."""
    lines = [
        "| task | episodes | success rate | mean reward (0-100) | policy steps | seconds |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['task']} | {r['episodes']} | {100 * r['success_rate']:.0f}% | "
        f"{r['mean_reward']:.1f} | {r['steps']} | {r['seconds']:.0f} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def write_tables(rows: list[dict], out: Path):
    """Write out/results.csv and out/results.md."""
    with open(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (out / "results.md").write_text(markdown(rows))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m policy.evaluate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--checkpoint", type=Path, required=True, help="run folder or .pt file")
    ap.add_argument("--tasks", nargs="+", required=True, metavar="TASK_OR_FILE")
    ap.add_argument("--episodes", type=int, default=10)
    ap.add_argument("--split", choices=list(record.SPLIT_FIRST_SEED), default="test")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--video", action="store_true", help="save the first episode of each task")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    out = args.out or Path(args.checkpoint) / f"eval-{args.split}"
    rows = evaluate(
        args.checkpoint,
        args.tasks,
        args.episodes,
        out,
        split=args.split,
        video=args.video,
        device=args.device,
        progress=not args.no_progress,
    )
    print(markdown(rows), end="")
    print(f"written to {out}/results.csv and results.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
