"""python -m generation.generate "IDEA" [--backend offline|openai|transformers|recorded] [--model M]
    [--base-url U] [--adapter A] [--path DIR] [--video PATH] [--episodes N] [--seed S]
    [--repair-attempts K] [--mode topdown|bottomup|cot] [--target NAME] [--json]

Generates one task for IDEA, tests it in the sandbox and prints the code and the verdict. The default
backend is the offline rule-based generator; `openai` reads its key from OPENAI_API_KEY (never from
the command line), `recorded` replays answers from --path.

--json prints exactly one JSON document on stdout for every outcome: the Result R of INTERFACES.md
(for bad arguments an empty R whose "error" starts with "bad arguments:"; when cancelled, "error" is
"Cancelled."). Anything else the run prints goes to stderr.

Exit status: 0 the task passed and was accepted; 1 it was not (refused, failed, rejected, or the
backend failed: R["error"]); 2 bad arguments; 130 cancelled (SIGINT or SIGTERM: the running sandbox
child is killed, the result so far is reported).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from generation.library import Library
from generation.pipeline import GenerateOptions, generate, new_result
from serving.base import BackendError, make_backend
from sim import cli
from sim.settings import DEFAULT_EPISODES, RunSettings


def backend_config(args) -> dict:
    """make_backend keyword arguments for `args.backend` from the CLI flags that were given.

    For `openai`, --adapter names the served LoRA adapter, which vLLM exposes as a model name.
    Flags that do not apply to the chosen backend raise ValueError.
    """
    given = {"model": args.model, "base_url": args.base_url, "adapter": args.adapter, "path": args.path}
    given = {k: v for k, v in given.items() if v is not None}
    allowed = {
        "offline": set(),
        "openai": {"model", "base_url", "adapter"},
        "transformers": {"model", "adapter"},
        "recorded": {"model", "path"},
    }.get(args.backend)
    if allowed is None:
        return given  # make_backend reports the unknown kind with the available ones
    extra = set(given) - allowed
    if extra:
        flags = ", ".join("--" + k.replace("_", "-") for k in sorted(extra))
        raise ValueError(f"{flags} does not apply to --backend {args.backend}")
    if args.backend == "openai" and "adapter" in given:
        given["model"] = given.pop("adapter")
    if args.backend == "offline":  # its refusals name the nearest library task
        given["library"] = Library().texts()
    return given


def summary(result: dict) -> str:
    """Human-readable verdict lines for a result R."""
    if result.get("error"):
        return f"error: {result['error']}"
    if result.get("refusal"):
        r = result["refusal"]
        return f"refused: {r['refusal']}" + (f" (try: {r['suggestion']})" if r.get("suggestion") else "")
    lines = []
    for k, att in enumerate(result["attempts"], 1):
        v = att["verdict"]
        err = v.get("error") or {}
        where = f" at {err.get('stage')}: {err.get('type')}: {err.get('message')}" if err else ""
        lines.append(
            f"attempt {k}: reached {v.get('stage_reached')}, success rate {v.get('success_rate', 0.0):.2f}{where}"
        )
        for ep in v.get("episodes") or []:
            lines.append(
                f"  episode seed {ep.get('seed')}: reward {ep.get('reward', 0.0):.3f} "
                f"success {ep.get('success')} steps {ep.get('steps')} {ep.get('seconds', 0.0):.1f}s"
            )
    refl = result.get("reflection")
    if refl:
        lines.append(
            f"reflection: {'accepted' if refl['accepted'] else 'rejected'} — "
            + "; ".join(dict.fromkeys(v["reasons"] for v in refl["votes"]))
        )
    lines.append(f"accepted: {result['accepted']}")
    return "\n".join(lines)


def _parser() -> cli.ArgumentParser:
    ap = cli.ArgumentParser(
        prog="python -m generation.generate", description="Generate one task, test it and print code + verdict."
    )
    ap.add_argument("idea")
    ap.add_argument("--backend", default="offline")
    ap.add_argument("--model")
    ap.add_argument("--base-url")
    ap.add_argument("--adapter")
    ap.add_argument("--path", help="answers folder or .jsonl for --backend recorded")
    ap.add_argument("--video", help="copy the episodes' mp4 here")
    ap.add_argument("--episodes", type=int, default=DEFAULT_EPISODES)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repair-attempts", type=int, default=2)
    ap.add_argument("--temperature", type=float, default=0.0)
    ap.add_argument("--mode", default="topdown")
    ap.add_argument("--target")
    ap.add_argument("--json", action="store_true", help="print the Result R as JSON")
    return ap


def _discard_videos(result: dict):
    """Remove every attempt's mp4 with its caller-owned temp folder (sim.sandbox.run) and set the
    verdicts' `video` to None."""
    for verdict in [a.get("verdict") or {} for a in result.get("attempts") or []] + [result.get("final") or {}]:
        if verdict.get("video"):
            shutil.rmtree(Path(verdict["video"]).parent, ignore_errors=True)
            verdict["video"] = None


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (module docstring)."""
    as_json = cli.wants_json(argv)
    out = cli.json_stdout() if as_json else sys.stdout
    ap = _parser()
    args = None
    try:
        args = ap.parse_args(argv)
        options = GenerateOptions(
            mode=args.mode,
            repair_attempts=args.repair_attempts,
            temperature=args.temperature,
            target=args.target,
            run=RunSettings(episodes=args.episodes, seed=args.seed, video=bool(args.video)),
        )
        backend = make_backend(args.backend, **backend_config(args))
    except (cli.UsageError, ValueError, TypeError, BackendError) as exc:
        if as_json:
            cli.emit(dict(new_result(args.idea if args else "", None), error=f"bad arguments: {exc}"), out)
        else:
            ap.print_usage(sys.stderr)
            print(f"error: {exc}", file=sys.stderr)
        return cli.EXIT_USAGE
    with cli.cancel_on_signals() as cancel:
        try:
            with backend:
                result = generate(args.idea, backend, options=options, cancel=cancel)
        except Exception as exc:  # e.g. a backend that fails to load or close
            result = dict(
                new_result(args.idea, backend), error=f"The model backend failed: {type(exc).__name__}: {exc}"
            )
    final = result.get("final") or {}
    made = final.get("video")
    copied = bool(args.video and made and Path(made).is_file())
    if copied:
        shutil.copyfile(made, args.video)
    _discard_videos(result)  # no mp4 outlives the run but the copy asked for
    if copied:
        final["video"] = str(Path(args.video).resolve())
    if as_json:
        cli.emit(result, out)
    else:
        code = result["attempts"][-1]["code"] if result["attempts"] else ""
        if code:
            print(code)
        print(summary(result))
    if cancel.is_set():
        return cli.EXIT_CANCELLED
    return cli.EXIT_OK if result["accepted"] else cli.EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
