"""Usage: python -m benchmarks.sandbox_overhead [--task place-red-in-green] [--runs 3] [--episodes 1] [--pause 2]

Wall time added by the sandbox per run: the same task and seeds run (a) in this process (task
class loaded, one Environment, oracle episodes) and (b) through `sim.sandbox.run` (fresh child,
isolation layers, signed channel), video off in both, cold (no spare child) and warm (a spare child
pre-started after the previous run). Prints per-run figures, the median overheads (target < 0.3 s), the
child's start latency and peak address space (what Limits.memory_bytes must cover), plus the machine,
versions and isolation layers it ran with.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import pybullet

from sim.env import Environment
from sim.episode import run_episode
from sim.loader import load_task_class
from sim.sandbox import run
from sim.settings import RunSettings
from sim.tasks import task_path


def in_process(path: Path, episodes: int, seed: int) -> float:
    """Seconds to load the task and run `episodes` episodes here (imports already warm)."""
    t0 = time.perf_counter()
    task_cls = load_task_class(path)
    env = Environment()
    for k in range(episodes):
        run_episode(task_cls, seed + k, env=env)
    pybullet.disconnect()
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="place-red-in-green")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--episodes", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--pause", type=float, default=2.0, help="seconds between runs in warm mode (the spare child's import time)"
    )
    args = parser.parse_args()
    path = Path(task_path(args.task))
    source = path.read_text()
    in_process(path, 1, args.seed)  # warm the imports the child pays for every run
    medians, rows = {}, []
    for mode in ("cold", "warm"):
        # cold: no spare child; warm: a spare pre-started after the previous run, given time to
        # import (in the app an LLM call sits between two runs)
        os.environ["GENSIM_SANDBOX_PREFORK"] = "0" if mode == "cold" else "1"
        if mode == "warm":
            run(source, RunSettings(episodes=1, video=False), filename=path.name, stream_frames=False)
        overheads = []
        for r in range(args.runs):
            local = in_process(path, args.episodes, args.seed)
            time.sleep(args.pause if mode == "warm" else 0)
            t0 = time.perf_counter()
            verdict = run(
                source,
                RunSettings(episodes=args.episodes, seed=args.seed, video=False),
                filename=path.name,
                stream_frames=False,
            )
            boxed = time.perf_counter() - t0
            overheads.append(boxed - local)
            rows.append(verdict)
            t = verdict["timings"]
            print(
                f"{mode} run {r}: in-process {local:.3f} s  sandbox {boxed:.3f} s  overhead "
                f"{boxed - local:+.3f} s  config->child {t.get('child_start_seconds')} s  "
                f"peak address space {t.get('peak_address_space_mib')} MiB  "
                f"stage {verdict['stage_reached']} success {verdict['success']}"
            )
        medians[mode] = statistics.median(overheads)
    print(
        f"median overhead per run: cold {medians['cold']:.3f} s, warm (spare child) "
        f"{medians['warm']:.3f} s (target < 0.3 s)"
    )
    layers = rows[-1]["isolation"]
    print("isolation:", ", ".join(f"{k}={'on' if v['active'] else 'off'}" for k, v in layers.items()))
    print(
        f"config: task={args.task} runs={args.runs} episodes={args.episodes} seed={args.seed}; "
        f"python {platform.python_version()}, pybullet {pybullet.getAPIVersion()}, "
        f"{platform.platform()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
