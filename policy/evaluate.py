"""Evaluate a trained policy in the sandbox: the policy acts instead of the oracle.

    python -m policy.evaluate --checkpoint RUN --tasks place-red-in-green ... --episodes N
        [--split test] [--out DIR] [--video] [--threads K] [--device cpu|cuda]
        [--workers W] [--ray [auto|ADDRESS]] [--no-progress]

Each episode (task x seed) is one `sim.batch` unit (`evaluate_unit`), run by a local pool of worker
processes or on Ray. The unit loads the checkpoint in its worker (once per worker process) and runs
one sandbox run in act mode (sim.sandbox.steps): the child renders the top-down observation and
sends it over the signed channel; the worker runs the network (torch stays out of the sandboxed
process, and out of this one) and answers with the pick and place poses; the child executes them
with the task's primitive and scores the task as usual. Seeds are the split's (test: 10001, 10003,
...; never used for training demos). Per task: success rate (total reward > 0.99) and mean reward in
CLIPort's 0-100 score, written to DIR/results.csv and DIR/results.md (and printed), episodes to
DIR/episodes.jsonl as they finish, and with --video the first episode of each task to
DIR/videos/TASK.mp4. An episode whose unit failed to run (it raised, or its worker died twice) is
reported and left out of the scores; the exit code is then 1.
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
from typing import TYPE_CHECKING

from policy import record
from policy.episodes import sandbox_episode
from sim import batch, cli
from sim.sandbox.steps import StepOptions

if TYPE_CHECKING:
    from policy.agent import PolicyActor

COLUMNS = ("task", "episodes", "success_rate", "mean_reward", "steps", "seconds")
# Declared to Ray per unit: a worker holds torch and the model besides its sandbox child (batch.py's
# 1 GiB default is for oracle units); not measured for the full-size config.
UNIT_MEMORY_BYTES = 2 * batch.GIB

_ACTORS: dict[tuple, PolicyActor] = {}  # this worker's loaded checkpoints (see `actor_for`)


def actor_for(run: str, device: str = "cpu") -> PolicyActor:
    """The checkpoint `run` (folder or .pt file) as an actor, loaded once per process: cached by
    resolved path, device and the file's modification time (a rewritten checkpoint loads anew).
    Imports torch. Raises FileNotFoundError when there is no checkpoint."""
    # torch (~3.5 s, requirements-ml.txt) loads only in the worker that runs the policy, not in the
    # process that hands out the units.
    from policy import checkpoint
    from policy.agent import PolicyActor

    path = Path(run)
    path = path / checkpoint.CHECKPOINT if path.is_dir() else path
    key = (str(path.resolve()), device, path.stat().st_mtime_ns)
    if key not in _ACTORS:
        _ACTORS[key] = PolicyActor(path, device)
    return _ACTORS[key]


def evaluate_episode(actor: PolicyActor, source: str, seed: int, video: bool = False) -> dict:
    """One policy episode in the sandbox -> {"seed", "reward", "success", "steps", "error",
    "video", "seconds"} (reward = total task reward 0..1; error the verdict's error type when the
    run itself failed, e.g. task code that raised; video an mp4 path in a temp folder the caller
    owns, or None)."""
    t0 = time.monotonic()
    steps = StepOptions("act", actor=actor, observation=actor.observation)
    episode, step_dicts, verdict = sandbox_episode(source, seed, steps, video)
    acted = sum(bool(s["acted"]) for s in step_dicts)
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


def evaluate_unit(
    run: str, source: str, seed: int, video: bool = False, device: str = "cpu", threads: int | None = 1
) -> dict:
    """The `sim.batch` unit function (runs in a worker): `evaluate_episode` with the checkpoint
    `run` (`actor_for`), torch limited to `threads` threads in this worker (None: torch's default).
    The video comes back as mp4 bytes (None without one), so it reaches the caller from any node;
    its temp folder is removed here."""
    import torch  # in the worker only, like actor_for

    if threads:
        torch.set_num_threads(threads)
    res = evaluate_episode(actor_for(run, device), source, seed, video)
    mp4 = res.pop("video")
    res["video"] = Path(mp4).read_bytes() if mp4 else None
    if mp4:
        shutil.rmtree(Path(mp4).parent, ignore_errors=True)
    return res


def evaluate(
    run: Path,
    task_args,
    episodes: int,
    out: Path,
    *,
    split: str = "test",
    video: bool = False,
    device: str = "cpu",
    threads: int | None = 1,
    progress: bool = True,
    engine=None,
) -> list[dict]:
    """Evaluate checkpoint `run` on each task -> one summary row per task (COLUMNS) over the
    episodes that ran; writes the files named in the module docstring under `out`. Every episode
    is a `sim.batch` unit on `engine` (default: a local pool of one worker per CPU), each worker
    using `threads` torch threads. Units that failed to run are printed on stderr and counted in
    the returned rows' "not_run" (not a COLUMNS field)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    units = []
    for arg in task_args:
        name, source = record.resolve_task(arg)
        for i, seed in enumerate(itertools.islice(record.split_seeds(split), episodes)):
            units.append(
                batch.Unit(
                    key=f"{name}|{split}|seed={seed}",
                    fn="policy.evaluate:evaluate_unit",
                    kwargs={
                        "run": str(Path(run).resolve()),
                        "source": source,
                        "seed": seed,
                        "video": video and i == 0,
                        "device": device,
                        "threads": threads,
                    },
                    memory_bytes=UNIT_MEMORY_BYTES,
                    meta={"task": name, "seed": seed},
                )
            )
    with open(out / "episodes.jsonl", "w") as log:

        def on_record(rec: dict) -> None:
            task = rec["meta"]["task"]
            if rec["status"] != "done":
                print(f"{task}: seed {rec['meta']['seed']}: did not run: {rec['error']}", file=sys.stderr)
                log.write(json.dumps({"task": task, "seed": rec["meta"]["seed"], "not_run": rec["error"]}) + "\n")
            else:
                res = rec["result"]
                mp4 = res.pop("video")
                if mp4:
                    (out / "videos").mkdir(exist_ok=True)
                    (out / "videos" / f"{task}.mp4").write_bytes(mp4)
                log.write(json.dumps({"task": task, **res}) + "\n")
            log.flush()

        records = batch.run_units(
            units,
            engine=engine if engine is not None else batch.make_engine(),
            progress=progress,
            desc="evaluate",
            on_record=on_record,
        )
    rows = []
    for name in dict.fromkeys(rec["meta"]["task"] for rec in records):
        mine = [rec for rec in records if rec["meta"]["task"] == name]
        row = summarise(name, [rec["result"] for rec in mine if rec["status"] == "done"])
        rows.append({**row, "not_run": sum(rec["status"] != "done" for rec in mine)})
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
    """The summary rows as a Markdown table, then a line per task with episodes that did not run
    (a row's "not_run", when present)."""
    lines = [
        "| task | episodes | success rate | mean reward (0-100) | policy steps | seconds |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['task']} | {r['episodes']} | {100 * r['success_rate']:.0f}% | "
        f"{r['mean_reward']:.1f} | {r['steps']} | {r['seconds']:.0f} |"
        for r in rows
    ]
    not_run = [f"{r['not_run']} episodes of {r['task']}" for r in rows if r.get("not_run")]
    if not_run:
        lines += ["", "Did not run (left out of the scores): " + ", ".join(not_run) + "."]
    return "\n".join(lines) + "\n"


def write_tables(rows: list[dict], out: Path):
    """Write out/results.csv and out/results.md."""
    with open(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
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
    ap.add_argument("--threads", type=int, default=1, help="torch threads in each worker (default 1)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--no-progress", action="store_true")
    batch.add_engine_args(ap)
    args = ap.parse_args(argv)

    def check_checkpoint():
        if not (args.checkpoint.is_file() or (args.checkpoint / "checkpoint.pt").is_file()):
            raise ValueError(f"no checkpoint at {args.checkpoint} (a run folder with checkpoint.pt, or the .pt file)")

    engine = record.engine_for(args, check_checkpoint)
    if engine is None:
        return cli.EXIT_USAGE
    out = args.out or Path(args.checkpoint) / f"eval-{args.split}"
    try:
        with cli.cancel_on_signals(interrupt=True):
            rows = evaluate(
                args.checkpoint,
                args.tasks,
                args.episodes,
                out,
                split=args.split,
                video=args.video,
                device=args.device,
                threads=args.threads,
                progress=not args.no_progress,
                engine=engine,
            )
    except KeyboardInterrupt:
        print(f"cancelled: the finished episodes are in {out}/episodes.jsonl", file=sys.stderr)
        return cli.EXIT_CANCELLED
    print(markdown(rows), end="")
    print(f"written to {out}/results.csv and results.md")
    return cli.EXIT_FAILED if any(r["not_run"] for r in rows) else cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
