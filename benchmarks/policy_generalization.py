"""Usage: python -m benchmarks.policy_generalization [--out DIR] [--demos 20] [--steps 400]
    [--episodes 10] [--base T ...] [--ideas IDEA ...] [--held-out T_OR_IDEA ...] [--full]

The GenSim experiment at our scale: does adding generated tasks to the training mix help a policy
on tasks it never saw? Policy A trains on a few base tasks; policy B on the same plus tasks the
offline generator writes from --ideas (same demos per task, same steps, same seed, same config).
Both are evaluated in the sandbox on --held-out tasks that neither saw (a library task name, or an
idea the offline generator turns into a task). Prints both tables side by side with the scale.

Default ("small", PolicyConfig.small(); ~40-60 min on 2 busy CPU cores): 20 demos per task, 400
steps, 10 episodes per held-out task. --full uses PolicyConfig() (CLIPort's 320 x 160, 36
rotations), 100 demos and 20000 steps: a GPU configuration (train on the GPU machine, record and
evaluate here). Everything lands in --out (default a fresh temp folder): tasks/, demos/, runs/A,
runs/B, eval/, results.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

from generation.pipeline import GenerateOptions, generate
from policy import evaluate, record, train
from policy.config import PolicyConfig
from serving.base import make_backend
from sim.settings import RunSettings

BASE = ["place-red-in-green", "put-block-in-bowl"]
IDEAS = [
    "put the blue block in the yellow bowl",
    "stack the blue block on the red block",
    "put the green block in the red bowl",
]
HELD_OUT = ["stack-block-pyramid", "stack the yellow block on the green block"]


def generated_task(idea: str, folder: Path) -> Path | None:
    """Write the offline generator's accepted task for `idea` to `folder` -> its path, or None
    when the pipeline did not accept a task (reported)."""
    result = generate(idea, make_backend("offline"), options=GenerateOptions(run=RunSettings(episodes=2, video=False)))
    if not result["accepted"]:
        print(f"  not accepted: {idea!r} ({result.get('error')})", file=sys.stderr)
        return None
    name = result["proposal"]["task-name"].replace("-", "_")
    path = folder / f"{name}.py"
    path.write_text(result["attempts"][-1]["code"])
    return path


def main(argv=None) -> int:
    """Run the experiment; returns 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--demos", type=int)
    ap.add_argument("--steps", type=int)
    ap.add_argument("--episodes", type=int, default=10)
    ap.add_argument("--base", nargs="+", default=BASE)
    ap.add_argument("--ideas", nargs="+", default=IDEAS)
    ap.add_argument("--held-out", nargs="+", default=HELD_OUT)
    ap.add_argument("--full", action="store_true", help="the GPU configuration (see docstring)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    config = PolicyConfig() if args.full else PolicyConfig.small()
    demos = args.demos or (100 if args.full else 20)
    steps = args.steps or (20000 if args.full else 400)
    out = args.out or Path(tempfile.mkdtemp(prefix="policy-generalization-"))
    (out / "tasks").mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()

    def task_arg(name_or_idea: str) -> str | None:
        if " " not in name_or_idea:
            return name_or_idea
        path = generated_task(name_or_idea, out / "tasks")
        return str(path) if path else None

    print(f"generating tasks from {len(args.ideas) + len(args.held_out)} ideas", file=sys.stderr)
    generated = [p for p in map(task_arg, args.ideas) if p]
    held_out = [p for p in map(task_arg, args.held_out) if p]
    name = lambda arg: record.resolve_task(arg)[0]  # noqa: E731
    record.record(args.base + generated, demos, "train", out / "demos")
    sets = {"A": [name(t) for t in args.base], "B": [name(t) for t in args.base + generated]}
    timings, tables = {}, {}
    for label, tasks in sets.items():
        start = time.monotonic()
        result = train.train(
            out / "demos", out / "runs" / label, steps, tasks=tasks, config=config, save_every=max(steps, 1), quiet=True
        )
        timings[label] = (time.monotonic() - start, result["steps_per_second"])
        tables[label] = evaluate.evaluate(out / "runs" / label, held_out, args.episodes, out / "eval" / label)
    text = report(tables, sets, config, demos, steps, args.episodes, timings, time.monotonic() - t0)
    (out / "results.md").write_text(text)
    print(text)
    print(f"written to {out}/results.md")
    return 0


def report(tables, sets, config, demos, steps, episodes, timings, seconds) -> str:
    """Markdown: held-out success and reward of A and B side by side, then the scale."""
    lines = ["| held-out task | A: success | A: reward | B: success | B: reward |", "|---|---|---|---|---|"]
    for a, b in zip(tables["A"], tables["B"]):
        lines.append(
            f"| {a['task']} | {100 * a['success_rate']:.0f}% | {a['mean_reward']:.1f} | "
            f"{100 * b['success_rate']:.0f}% | {b['mean_reward']:.1f} |"
        )
    h, w = config.shape
    lines += [
        "",
        f"A trained on {', '.join(sets['A'])}.",
        f"B trained on {', '.join(sets['B'])}.",
        f"Scale here: {demos} demos per task, {steps} steps of batch {config.batch_size}, "
        f"{h} x {w} maps ({config.cell * 1000:.2f} mm cells), {config.n_rotations} rotations, "
        f"text encoder trained from scratch, {episodes} evaluation episodes per held-out "
        f"task (test seeds 10001, 10003, ...).",
        "Training: "
        + ", ".join(f"{k} {s / 60:.1f} min ({sps} steps/s)" for k, (s, sps) in timings.items())
        + f"; whole benchmark {seconds / 60:.1f} min.",
        "The paper's setting: CLIPort (pretrained CLIP, full 320 x 160 maps, 36 rotations) "
        "trained on many more generated tasks, demos and steps on GPUs (arXiv 2310.01361).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
