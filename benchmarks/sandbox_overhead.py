"""Usage: python benchmarks/sandbox_overhead.py [--task place-red-in-green] [--runs 3] [--episodes 1]

Wall time added by the sandbox per run: the same task and seeds run (a) in this process (task
class loaded, one Environment, oracle episodes) and (b) through `sim.sandbox.run` (fresh child,
isolation layers, signed channel), video off in both. Prints per-run figures, the median overhead
(target < 0.3 s), the child's start latency and peak address space (what Limits.memory_bytes must
cover), plus the machine, versions and isolation layers it ran with.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def in_process(path: Path, episodes: int, seed: int) -> float:
    """Seconds to load the task and run `episodes` episodes here (imports already warm)."""
    from sim.env import Environment
    from sim.episode import run_episode
    from sim.loader import load_task_class
    t0 = time.perf_counter()
    task_cls = load_task_class(path)
    env = Environment()
    for k in range(episodes):
        run_episode(task_cls, seed + k, env=env)
    import pybullet as p
    p.disconnect()
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="place-red-in-green")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--episodes", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import pybullet
    from sim.sandbox import run
    from sim.tasks import task_path
    path = Path(task_path(args.task))
    source = path.read_text()
    in_process(path, 1, args.seed)        # warm the imports the child pays for every run
    rows = []
    for r in range(args.runs):
        local = in_process(path, args.episodes, args.seed)
        t0 = time.perf_counter()
        verdict = run(source, filename=path.name, episodes=args.episodes, seed=args.seed,
                      video=False, stream_frames=False)
        boxed = time.perf_counter() - t0
        rows.append((local, boxed, verdict))
        print(f"run {r}: in-process {local:.3f} s  sandbox {boxed:.3f} s  "
              f"overhead {boxed - local:+.3f} s  child start "
              f"{verdict['timings'].get('child_start_seconds')} s  peak address space "
              f"{verdict['timings'].get('peak_address_space_mib')} MiB  "
              f"stage {verdict['stage_reached']} success {verdict['success']}")
    overhead = statistics.median(b - a for a, b, _ in rows)
    print(f"median overhead per run: {overhead:.3f} s (target < 0.3 s)")
    layers = rows[-1][2]["isolation"]
    print("isolation:", ", ".join(f"{k}={'on' if v['active'] else 'off'}"
                                  for k, v in layers.items()))
    print(f"config: task={args.task} runs={args.runs} episodes={args.episodes} seed={args.seed}; "
          f"python {platform.python_version()}, pybullet {pybullet.getAPIVersion()}, "
          f"{platform.platform()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
