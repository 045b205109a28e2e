"""Usage: python -m benchmarks.episode_speed [--seeds 3] [--tasks NAME ...] [--no-video] [--json PATH]
                                            [--flags FLAG ...]

Wall and CPU seconds per oracle episode of each base task (sim.tasks.BASE_TASKS, else every task in
sim.tasks.task_files()), without and with 320x240 video at sim.video.FPS (15) frames per simulated
second: prints median and p90 per task and over all episodes, plus the machine and configuration.
In-process (no sandbox), one Environment reused, seeds 0..N-1. With video, frames are drawn by
the second process of sim/render_process.py unless GENSIM_RENDER_PROCESS=0; its CPU seconds are
added to the episode's ("cpu" columns), so CPU can exceed wall. `--flags` turns CompatFlags on
(e.g. `--flags flat_rolling_friction awake_resting full_rope_iterations full_pile_iterations`
measures what those shortcuts save). Target (issue 15): every base task at most 5 s median per
episode with video on 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pybullet

from sim import config, tasks
from sim import video as sim_video
from sim.env import Environment
from sim.episode import run_episode
from sim.loader import load_task_class


def _calibration_s() -> float:
    """CPU seconds of a fixed pure-Python loop (5M additions): this shared host's speed varies by
    up to ~35% over an hour, so figures from different runs compare only relative to this."""
    start, total = time.process_time(), 0
    for i in range(5_000_000):
        total += i
    return round(time.process_time() - start, 3)


def _worker_cpu(env) -> float:
    """CPU seconds used so far by the environment's render process (0 without one)."""
    worker = env.render_process
    if worker is None or worker.pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone, or not Linux
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg": load,
        "numpy": np.__version__,
        "pybullet_api": pybullet.getAPIVersion(),
        "renderer": "TinyRenderer (CPU)" if os.environ.get("GENSIM_EGL", "0") != "1" else "EGL",
        "calibration_s": _calibration_s(),
        "render_process": sim_video.render_process_enabled(),
    }


def main(argv=None) -> int:
    """Run the benchmark; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--tasks", nargs="*", help="task names (default: the base tasks)")
    parser.add_argument("--no-video", action="store_true", help="skip the with-video pass")
    parser.add_argument("--json", help="also write the raw timings here")
    parser.add_argument(
        "--flags",
        nargs="*",
        default=[],
        choices=[f.name for f in dataclasses.fields(config.CompatFlags)],
        help="CompatFlags to turn on (original behaviour)",
    )
    args = parser.parse_args(argv)

    files = tasks.task_files()
    names = args.tasks or [n for n in getattr(tasks, "BASE_TASKS", files) if n in files]
    size, fps = sim_video.SIZE, sim_video.FPS
    modes = [("no video", False)] + ([] if args.no_video else [(f"video {size[0]}x{size[1]}@{fps}", True)])
    flags = config.CompatFlags(**dict.fromkeys(args.flags, True))
    print(
        json.dumps({"machine": _machine(), "seeds": args.seeds, "hz": 480, "flags": dataclasses.asdict(flags)}),
        flush=True,
    )
    env = Environment(flags=flags)
    raw = {}
    for mode, video in modes:
        all_secs, all_cpus = [], []
        print(f"\n== {mode}")
        print(
            f"{'task':28s} {'median s':>9s} {'p90 s':>7s} {'cpu med':>8s} {'cpu p90':>8s} {'success':>8s} {'steps':>6s}"
        )
        for name in names:
            cls = load_task_class(files[name])
            secs, cpus, wins, steps = [], [], 0, []
            for seed in range(args.seeds):
                frames = [0]

                def count(_frame, frames=frames):
                    frames[0] += 1

                start, cpu = time.perf_counter(), time.process_time() + _worker_cpu(env)
                ep = run_episode(cls, seed, env=env, on_frame=count if video else None)
                secs.append(time.perf_counter() - start)
                cpus.append(time.process_time() + _worker_cpu(env) - cpu)
                wins += ep["success"]
                steps.append(ep["steps"])
            all_secs += secs
            all_cpus += cpus
            raw.setdefault(mode, {})[name] = {"wall": secs, "cpu": cpus}
            print(
                f"{name:28s} {np.median(secs):9.2f} {np.percentile(secs, 90):7.2f} "
                f"{np.median(cpus):8.2f} {np.percentile(cpus, 90):8.2f} "
                f"{wins}/{args.seeds:<6d} {np.mean(steps):6.1f}",
                flush=True,
            )
        print(
            f"{'ALL':28s} {np.median(all_secs):9.2f} {np.percentile(all_secs, 90):7.2f} "
            f"{np.median(all_cpus):8.2f} {np.percentile(all_cpus, 90):8.2f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": _machine(), "timings": raw}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
