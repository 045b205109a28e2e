"""Usage: python -m sim.run NAME_OR_FILE [--episodes N] [--seed S] [--video PATH] [--json]

Run oracle episodes of a library task (hyphenated name, via `sim.tasks.task_path`) or of a task
file (.py), with seeds S, S+1, ...; prints one line per episode. --video writes all episodes into
one mp4. Task files and generated library tasks run inside `sim.sandbox` (an isolated child
process whose wall and CPU limits scale with N); only the curated base tasks (`sim.tasks.BASE_TASKS`,
our own code) run in this process, which is faster to start and to profile.

--json prints exactly one JSON document on stdout for every outcome:
  {"task", "episodes": [{"seed","reward","success","steps","seconds","warnings","error"}],
   "success_rate", "error": null | {"stage", "type", "message", "line", "traceback"},
   "warnings": [str], "sandboxed": bool}
and, for a task file, every other key of the sandbox verdict (`stage_reached`, `passed`, `success`,
`isolation`, `limits`, `timings`; `video` is the --video path or null), so the CLI reports what
`sim.sandbox.run` returns. Errors found before any run have type `UsageError` (bad arguments),
`UnknownTask` or `FileNotFoundError`; a cancelled run has type `Cancelled`.

Exit status: 0 every requested episode ran without an exception (successful or not); 1 the run
failed (an episode raised, or the sandbox stopped it: WallTimeLimit, Stalled, CpuTimeLimit, Killed,
FileSizeLimit or MemoryError at any stage, ...); 2 bad arguments, unknown task, or a task that
cannot be compiled or loaded; 130 cancelled
(SIGINT or SIGTERM; the sandbox child is killed and its folder removed first).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from sim import cli, tasks
from sim.env import Environment
from sim.episode import run_episode
from sim.errors import LIMIT_ERRORS
from sim.loader import load_task_class
from sim.sandbox import run as sandbox_run
from sim.sandbox.verdict import RUN_ENDINGS
from sim.settings import DEFAULT_EPISODES, RunSettings
from sim.video import write_mp4

EPISODE_KEYS = ("seed", "reward", "success", "steps", "seconds", "warnings", "error")


def resolve_task(name_or_file: str) -> Path:
    """A .py path as given, else the library task file of that name (KeyError lists names;
    FileNotFoundError for a missing .py)."""
    if name_or_file.endswith(".py") or Path(name_or_file).is_file():
        path = Path(name_or_file)
        if not path.is_file():
            raise FileNotFoundError(f"no such task file: {name_or_file}")
        return path
    return Path(tasks.task_path(name_or_file))


def is_base_task(path: Path) -> bool:
    """Whether `path` is the library's own file of a curated base task (our code, not generated)."""
    name = path.stem.replace("_", "-")
    return name in tasks.BASE_TASKS and path.resolve() == Path(tasks.task_path(name)).resolve()


class LoadFailed(Exception):
    """The task file could not be imported in this process; `cause` is the task's exception."""

    def __init__(self, cause: BaseException):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


def _result(task, episodes, requested: int, error=None, warnings=(), sandboxed=False) -> dict:
    rate = sum(bool(e.get("success")) for e in episodes) / max(1, requested)
    return {
        "task": task,
        "episodes": episodes,
        "success_rate": rate,
        "error": error,
        "warnings": list(warnings),
        "sandboxed": sandboxed,
    }


def run(path: Path, settings: RunSettings, video_out: str | None = None) -> dict:
    """Load the task class at `path` in this process and run `settings.episodes` episodes from
    `settings.seed` -> the --json result dict; its `error` is the first episode error (stage "reset"
    or "runtime"), as the sandbox reports it. video_out: write an mp4 of all episodes there (at
    settings.video_size, settings.fps). Raises LoadFailed when the task file cannot be imported."""
    try:
        task_cls = load_task_class(path)
    except Exception as exc:  # whatever the task's module raises at import
        raise LoadFailed(exc) from exc
    env = Environment()
    results, frames, error = [], [], None
    for seed in settings.seeds:
        ep = run_episode(
            task_cls, seed, env=env, record=bool(video_out), video_size=settings.video_size, fps=settings.fps
        )
        frames.extend(ep.pop("frames", []))
        results.append({key: ep[key] for key in EPISODE_KEYS})
        if ep["error"] and error is None:
            error = {
                "stage": "reset" if ep["error"]["phase"] == "reset" else "runtime",
                **{key: ep["error"][key] for key in ("type", "message", "line", "traceback")},
            }
    if video_out and frames:
        write_mp4(frames, video_out, fps=settings.fps)
    return _result(task_cls.__name__, results, settings.episodes, error)


def run_sandboxed(path: Path, settings: RunSettings, video_out: str | None = None, cancel=None) -> dict:
    """Run a task FILE in sim.sandbox (isolated child process) -> the --json result dict: the
    verdict with `sandboxed` true and `video` the path written (video_out, or null). The sandbox
    stops after the first episode that raises, so `episodes` may be shorter than asked
    (success_rate still divides by the requested count)."""
    v = sandbox_run(path.read_text(), settings, filename=path.name, stream_frames=False, cancel=cancel)
    made, v["video"] = v["video"], None
    if made:
        if video_out:
            shutil.move(made, video_out)
            v["video"] = str(Path(video_out).resolve())
        shutil.rmtree(Path(made).parent, ignore_errors=True)  # the caller-owned temp folder
    v["episodes"] = [{k: ep.get(k) for k in EPISODE_KEYS} for ep in v["episodes"]]
    return {
        **_result(v["task"], v["episodes"], settings.episodes, v["error"], v["warnings"], True),
        **{k: val for k, val in v.items() if k not in ("episodes", "error", "warnings")},
    }


def exit_status(result: dict) -> int:
    """The documented exit status for a --json result dict (see the module docstring)."""
    err = result.get("error")
    if not err or err.get("type") == "LowSuccessRate":  # all episodes ran, some unsuccessful
        return cli.EXIT_OK
    if err.get("type") == "Cancelled":
        return cli.EXIT_CANCELLED
    if err.get("stage") in ("syntax", "load") and err.get("type") not in RUN_ENDINGS | LIMIT_ERRORS:
        return cli.EXIT_USAGE
    return cli.EXIT_FAILED


def _print_text(result: dict):
    for ep in result["episodes"]:
        err = f"  error: {ep['error']['type']}: {ep['error']['message']}" if ep["error"] else ""
        print(
            f"seed {ep['seed']}: reward {ep['reward']:.3f} success {ep['success']} "
            f"steps {ep['steps']} {ep['seconds']:.2f}s{err}"
        )
        for w in ep["warnings"]:
            print(f"  warning: {w}")
    err = result["error"]
    if err and err.get("type") != "LowSuccessRate":
        where = f" at {err['stage']}" if err.get("stage") else ""
        line = f" (line {err['line']})" if err.get("line") else ""
        print(f"error{where}: {err['type']}: {err['message']}{line}", file=sys.stderr)
    print(f"{result['task']}: success rate {result['success_rate']:.2f}")


def _parser() -> cli.ArgumentParser:
    parser = cli.ArgumentParser(prog="python -m sim.run", description=__doc__.splitlines()[2])
    parser.add_argument("task", help="library task name (e.g. align-box-corner) or a .py file")
    parser.add_argument("--episodes", type=int, default=DEFAULT_EPISODES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--video", help="write an mp4 of all episodes here")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (module docstring)."""
    as_json = cli.wants_json(argv)
    out = cli.json_stdout() if as_json else sys.stdout
    parser = _parser()

    def fail(etype: str, message: str, status: int, stage=None) -> int:
        if as_json:
            cli.emit(
                _result(
                    None, [], 1, {"stage": stage, "type": etype, "message": message, "line": None, "traceback": ""}
                ),
                out,
            )
        else:
            print(f"error: {message}", file=sys.stderr)
        return status

    try:
        args = parser.parse_args(argv)
        try:  # the app's rules and ranges
            settings = RunSettings(episodes=args.episodes, seed=args.seed, video=bool(args.video))
        except ValueError as exc:
            raise cli.UsageError(str(exc)) from None
    except cli.UsageError as exc:
        if not as_json:
            parser.print_usage(sys.stderr)
        return fail("UsageError", str(exc), cli.EXIT_USAGE)
    try:
        path = resolve_task(args.task)
    except FileNotFoundError as exc:
        return fail("FileNotFoundError", str(exc), cli.EXIT_USAGE)
    except KeyError as exc:
        return fail("UnknownTask", str(exc.args[0] if exc.args else exc), cli.EXIT_USAGE)
    sandboxed = not is_base_task(path)
    # one run per process: a pre-started spare child would only be started to be killed at exit
    os.environ.setdefault("GENSIM_SANDBOX_PREFORK", "0")
    # a sandboxed run polls `cancel` (the sandbox kills its child and still gives a verdict); an
    # in-process run is interrupted
    with cli.cancel_on_signals(interrupt=not sandboxed) as cancel:
        try:
            if sandboxed:
                result = run_sandboxed(path, settings, args.video, cancel=cancel)
            else:
                result = run(path, settings, args.video)
        except KeyboardInterrupt:
            return fail("Cancelled", "cancelled before the run finished", cli.EXIT_CANCELLED)
        except LoadFailed as exc:
            return fail(type(exc.cause).__name__, f"cannot load {args.task}: {exc.cause}", cli.EXIT_USAGE, stage="load")
    if as_json:
        cli.emit(result, out)
    else:
        _print_text(result)
    return exit_status(result)


if __name__ == "__main__":
    sys.exit(main())
