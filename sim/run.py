"""Usage: python -m sim.run NAME_OR_FILE [--episodes N] [--seed S] [--video PATH] [--json]

Run oracle episodes of a library task (hyphenated name, via `sim.tasks.task_path`) or of a task
file (.py), with seeds S, S+1, ...; prints one line per episode, or with --json exactly
{"task", "episodes": [{"seed","reward","success","steps","seconds","warnings","error"}],
"success_rate"}. --video writes all episodes into one mp4. Exit status 0 whenever the run itself
worked (failed episodes included); 2 for bad arguments or a file that cannot be loaded.
Task FILES run inside `sim.sandbox` (an isolated child process); library names run in-process.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sim.video import FPS, SIZE

EPISODE_KEYS = ("seed", "reward", "success", "steps", "seconds", "warnings", "error")


def resolve_task(name_or_file: str) -> Path:
    """A .py path as given, else the library task file of that name (KeyError lists names)."""
    if name_or_file.endswith(".py") or Path(name_or_file).is_file():
        path = Path(name_or_file)
        if not path.is_file():
            raise FileNotFoundError(f"no such task file: {name_or_file}")
        return path
    from sim import tasks
    return Path(tasks.task_path(name_or_file))


def run(path: Path, episodes: int, seed: int, video: str | None, fps: int = FPS,
        video_size=SIZE) -> dict:
    """Load the task class at `path` and run `episodes` episodes -> the --json result dict."""
    from sim.episode import run_episode
    from sim.env import Environment
    from sim.loader import load_task_class
    task_cls = load_task_class(path)
    env = Environment()
    results, frames = [], []
    for k in range(episodes):
        ep = run_episode(task_cls, seed + k, env=env, record=bool(video), video_size=video_size,
                         fps=fps)
        frames.extend(ep.pop("frames", []))
        results.append({key: ep[key] for key in EPISODE_KEYS})
    if video and frames:
        from sim.video import write_mp4
        write_mp4(frames, video, fps=fps)
    rate = sum(e["success"] for e in results) / max(1, len(results))
    return {"task": task_cls.__name__, "episodes": results, "success_rate": rate}


def run_sandboxed(path: Path, episodes: int, seed: int, video: str | None, fps: int = FPS,
                  video_size=SIZE) -> dict:
    """Run a task FILE in sim.sandbox (isolated child process) -> the same --json result dict.
    The sandbox stops after the first episode that raises, so `episodes` may be shorter than asked
    (success_rate still divides by the requested count)."""
    import shutil
    from sim.loader import TaskLoadError
    from sim.sandbox import run as sandbox_run
    v = sandbox_run(path.read_text(), filename=path.name, episodes=episodes, seed=seed,
                    video=bool(video), video_size=video_size, fps=fps, stream_frames=False)
    if not v["passed"]["load"]:
        e = v["error"]
        line = f" (line {e['line']})" if e.get("line") else ""
        raise TaskLoadError(f"{e['stage']}: {e['type']}: {e['message']}{line}")
    if video and v["video"]:
        shutil.move(v["video"], video)
    return {"task": v["task"],
            "episodes": [{k: ep.get(k) for k in EPISODE_KEYS} for ep in v["episodes"]],
            "success_rate": v["success_rate"]}


def _stdout_to_stderr():
    """Send fd 1 (C-level prints of PyBullet included) to stderr; returns a file on the original
    stdout, so that --json output is exactly one JSON object."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(saved, "w")


def main(argv=None) -> int:
    """CLI entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sim.run", description=__doc__.splitlines()[2])
    parser.add_argument("task", help="library task name (e.g. align-box-corner) or a .py file")
    parser.add_argument("--episodes", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--video", help="write an mp4 of all episodes here")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error("--episodes must be >= 1")
    out = _stdout_to_stderr() if args.json else sys.stdout
    try:
        path = resolve_task(args.task)
        runner = run_sandboxed if args.task.endswith(".py") else run
        result = runner(path, args.episodes, args.seed, args.video)
    except (FileNotFoundError, KeyError, SyntaxError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # import-time errors of the task file (TaskLoadError included)
        print(f"error: cannot load {args.task}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result), file=out, flush=True)
    else:
        for ep in result["episodes"]:
            err = f"  error: {ep['error']['type']}: {ep['error']['message']}" if ep["error"] else ""
            print(f"seed {ep['seed']}: reward {ep['reward']:.3f} success {ep['success']} "
                  f"steps {ep['steps']} {ep['seconds']:.2f}s{err}")
            for w in ep["warnings"]:
                print(f"  warning: {w}")
        print(f"{result['task']}: success rate {result['success_rate']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
