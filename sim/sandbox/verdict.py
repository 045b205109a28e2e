"""Build the verdict from the child's signed messages and how the child ended.

Only signed channel messages count, and only in stage order; success is recomputed here from the
episode rewards (reward > 0.99 on at least half the episodes, docs/pipeline.md#acceptance), never taken from
the child. A child that ends without its final "done" message fails at the stage it reached, with an error
that names how it ended (signal, exit code, limit, cancellation).
"""

from __future__ import annotations

import signal
import time

from sim.sandbox.events import STAGES, EpisodeEvent, FrameEvent, Stage, StageEvent, VerdictEvent

SUCCESS_REWARD = 0.99  # docs/task-api.md#key-numbers: an episode succeeds when its cumulative reward exceeds 0.99
MAX_WARNINGS = 50
CHILD_LAYERS = ("child_protected", "capabilities", "landlock")  # layers the child reports itself
# Error types the parent gives a run whose child did not finish on its own (limits, signals, faults of
# the sandbox itself), as opposed to an exception of the task code.
RUN_ENDINGS = frozenset(
    {
        "Cancelled",
        "WallTimeLimit",
        "Stalled",
        "DiskLimit",
        "ChannelClosed",
        "CpuTimeLimit",
        "Killed",
        "Crashed",
        "ExitedEarly",
        "IncompleteVerdict",
        "SandboxStartError",
        "SandboxError",
    }
)


def _how_it_ended(returncode: int, killed_for: str | None, limits, channel_broken) -> tuple:
    """(error type, message) for a child that did not deliver a complete verdict."""
    if killed_for == "cancelled":
        return "Cancelled", "run cancelled; the sandbox process group was killed"
    if killed_for == "wall":
        return "WallTimeLimit", (
            f"wall-clock limit of {limits.wall_seconds} s hit; the sandbox process group was killed"
        )
    if killed_for == "stalled":
        return "Stalled", (
            f"no progress (simulation step, stage or episode) for "
            f"{limits.stall_seconds} s; the sandbox process group was killed"
        )
    if killed_for == "disk":
        return "DiskLimit", (
            f"the task's work folder grew past its limit of {limits.disk_bytes / 2**20:g} MiB or "
            f"{limits.disk_entries} files and folders; the sandbox process group was killed"
        )
    if killed_for == "closed-pipes":
        return "ChannelClosed", "task code closed the sandbox's pipes; the child was killed"
    if returncode < 0:
        sig = -returncode
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGXCPU:
            return "CpuTimeLimit", f"CPU limit of {limits.cpu_seconds} s hit (SIGXCPU)"
        if sig == signal.SIGKILL:
            return "Killed", ("killed by SIGKILL (CPU hard limit, out of memory, or the task killed itself)")
        if sig == signal.SIGSEGV:
            return "Crashed", ("crashed with SIGSEGV (stack overflow from deep recursion, or a fault in a C extension)")
        return "Killed", f"killed by signal {name}"
    detail = f"; channel: {channel_broken}" if channel_broken else ""
    return "ExitedEarly", (
        f"child exited with code {returncode} before reporting a verdict "
        f"(task code exited, closed the channel or wrote to it){detail}"
    )


class VerdictBuilder:
    """Accumulates child messages (`on_message`, yields events) and builds the verdict (`finish`)."""

    def __init__(self, episodes: int, seed: int, layers: dict, limits, workdir: str = ""):
        self.n, self.seed, self.limits, self.workdir = episodes, seed, limits, workdir
        self.layers = dict(
            layers,
            channel={"active": True, "detail": "verdict built from an HMAC-signed pipe, never from stdout/stderr"},
        )
        self.status: dict[str, str] = {}
        self.episodes: list[dict] = []
        self.error = None
        self.warnings: list[str] = []
        self.task = None
        self.timings: dict = {}
        self.done = False
        self.video_frames = 0
        self.stderr_tail: list[str] = []
        self.heard = False  # any signed message from the child at all
        self.last_frame = float("-inf")
        self.channel_broken = None

    def warn(self, text: str):
        """Add a warning to the verdict (bounded)."""
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(str(text)[:500])

    def seen_start(self, stage: str):
        """Record that `stage` started (the parent announces "syntax" itself)."""
        self.status[stage] = "start"

    def _stage_ok(self, stage, status) -> bool:
        if stage not in STAGES or status not in ("start", "pass", "fail") or stage == "success":
            return False
        i = STAGES.index(stage)
        cur = self.status.get(stage)
        if status == "start":
            return cur is None and all(self.status.get(s) == "pass" for s in STAGES[:i])
        return cur in ("start", None) and all(self.status.get(s) == "pass" for s in STAGES[:i])

    def on_message(self, kind: str, msg):
        """Take one decoded channel message; yield the events it produces."""
        if self.done:
            return
        self.heard = True
        if kind == "frame":  # throttled here too: task code could drive the frame writer
            now = time.monotonic()
            if now - self.last_frame >= self.limits.frame_interval_seconds / 2:
                self.last_frame = now
                yield FrameEvent(msg[0], msg[1])
            return
        t = msg.get("t")
        if t == "stage" and self._stage_ok(msg.get("stage"), msg.get("status")):
            if msg["stage"] == "syntax" and msg["status"] == "start":
                return  # already announced by the parent
            self.status[msg["stage"]] = msg["status"]
            yield StageEvent(Stage(msg["stage"]), msg["status"])
        elif t == "warning":
            self.warn(msg.get("warning"))
        elif t == "error" and self.error is None and isinstance(msg.get("error"), dict):
            e = msg["error"]
            self.error = {k: e.get(k) for k in ("stage", "type", "message", "line", "traceback")}
            for k in ("message", "traceback"):  # paths relative to the run's work folder
                if isinstance(self.error[k], str) and self.workdir:
                    self.error[k] = self.error[k].replace(self.workdir + "/", "")
        elif t == "episode" and isinstance(msg.get("episode"), dict):
            ep = msg["episode"]
            expected = self.seed + len(self.episodes)
            if ep.get("seed") != expected or len(self.episodes) >= self.n:
                self.warn(f"ignored an episode with seed {ep.get('seed')!r} (expected {expected})")
                return
            ep["success"] = _reward(ep) > SUCCESS_REWARD
            self.episodes.append(ep)
            self.warnings.extend(
                w for w in ep.get("warnings", [])[:10] if isinstance(w, str) and len(self.warnings) < MAX_WARNINGS
            )
            yield EpisodeEvent(ep)
        elif t == "task":
            self.task = str(msg.get("name"))[:200]
            self.timings.update(msg.get("timing") or {})
        elif t == "seccomp" or (t == "layer" and msg.get("name") in CHILD_LAYERS):
            self.layers[t if t == "seccomp" else msg["name"]] = {
                "active": bool(msg.get("active")),
                "detail": str(msg.get("detail"))[:400],
            }
        elif t == "video":
            self.video_frames = int(msg.get("frames") or 0)
        elif t == "resources":
            self.timings["peak_address_space_mib"] = msg.get("peak_address_space_mib")
            self.timings["cpu_seconds"] = msg.get("cpu_seconds")
            self.timings["render_process"] = msg.get("render_process")
        elif t == "hello":
            self.timings["child_start_seconds"] = msg.get("seconds_since_spawn")
        elif t == "internal" and self.error is None:
            self.error = {
                "stage": None,
                "type": "SandboxError",
                "message": msg.get("message"),
                "line": None,
                "traceback": msg.get("traceback"),
            }
        elif t == "done":
            self.done = True

    def _reached(self) -> str:
        for stage in reversed(STAGES):
            if stage in self.status:
                if self.status[stage] == "pass" and stage != "success":
                    return STAGES[STAGES.index(stage) + 1]
                return stage
        return "syntax"

    def finish(self, returncode: int, killed_for, video, wall_seconds: float):
        """Close the open stage, judge success, yield the remaining stage events and the verdict."""
        complete = self.done and killed_for is None and returncode == 0
        reached = self._reached()
        rate = sum(e["success"] for e in self.episodes) / self.n
        if self.status.get(reached) != "fail":
            if complete and reached == "success" and len(self.episodes) == self.n:
                yield from self._judge_success(rate)
            else:
                if complete:
                    etype, message = (
                        "IncompleteVerdict",
                        (f"child finished without passing or failing stage {reached!r}"),
                    )
                elif not self.heard and killed_for is None:
                    etype, message = (
                        "SandboxStartError",
                        (
                            f"the sandbox child failed before running the task (exit status "
                            f"{returncode}; is the interpreter or repository hidden from the sandbox?)"
                            f": {' | '.join(self.stderr_tail)[-1000:]}"
                        ),
                    )
                else:
                    etype, message = _how_it_ended(returncode, killed_for, self.limits, self.channel_broken)
                if self.error is None or self.error.get("stage") not in (None, reached):
                    self.error = {"stage": reached, "type": etype, "message": message, "line": None, "traceback": ""}
                elif self.error["stage"] is None:  # harness fault reported by the child
                    self.error["stage"] = reached
                self.status[reached] = "fail"
                yield StageEvent(Stage(reached), "fail")
        self.timings["total_seconds"] = round(wall_seconds, 3)
        self.timings["episode_seconds"] = [e.get("seconds") for e in self.episodes]
        verdict = make_verdict(
            task=self.task,
            episodes=self.episodes,
            success_rate=rate,
            stage_reached=self._reached(),
            passed={s: self.status.get(s) == "pass" for s in STAGES},
            error=self.error,
            warnings=self.warnings,
            isolation=self.layers,
            limits=self.limits.to_dict(),
            timings=self.timings,
            video=video if complete else None,
        )
        yield VerdictEvent(verdict)

    def _judge_success(self, rate: float):
        yield StageEvent(Stage.SUCCESS, "start")
        ok = rate >= 0.5
        self.status["success"] = "pass" if ok else "fail"
        if not ok:
            wins = sum(e["success"] for e in self.episodes)
            self.error = {
                "stage": "success",
                "type": "LowSuccessRate",
                "message": f"{wins} of {self.n} episodes reached reward > {SUCCESS_REWARD}; at least half must",
                "line": None,
                "traceback": "",
            }
        yield StageEvent(Stage.SUCCESS, self.status["success"])


def make_verdict(
    *,
    task,
    episodes: list,
    success_rate: float,
    stage_reached: str,
    passed: dict,
    error: dict | None,
    warnings: list,
    isolation: dict,
    limits: dict,
    timings: dict,
    video: str | None,
) -> dict:
    """The verdict dict (INTERFACES.md "sim.sandbox"): the one place its keys are written.

    `success` is `passed["success"]`; `scene` is each episode's final scene (sim.episode.final_scene),
    [] for an episode without one."""
    # Plain str keys and values: some serialisers (orjson, which Gradio uses) refuse str subclasses as keys.
    passed = {str(stage): bool(ok) for stage, ok in passed.items()}
    if error and error.get("stage") is not None:
        error = {**error, "stage": str(error["stage"])}
    return {
        "task": task,
        "episodes": episodes,
        "success_rate": success_rate,
        "stage_reached": str(stage_reached),
        "passed": passed,
        "success": passed.get(Stage.SUCCESS, False),
        "error": error,
        "warnings": warnings,
        "isolation": isolation,
        "limits": limits,
        "timings": timings,
        "video": video,
        "scene": [e.get("scene") if isinstance(e.get("scene"), list) else [] for e in episodes],
    }


def unparsed_verdict(message: str) -> dict:
    """The verdict of a model answer that holds no task code: failed at the syntax stage with a
    `ParseError` whose message is `message`; nothing ran."""
    return make_verdict(
        task=None,
        episodes=[],
        success_rate=0.0,
        stage_reached=Stage.SYNTAX,
        passed={s: False for s in STAGES},
        warnings=[],
        isolation={},
        limits={},
        timings={},
        error={"stage": Stage.SYNTAX, "type": "ParseError", "message": message, "line": None, "traceback": ""},
        video=None,
    )


def _reward(ep: dict) -> float:
    try:
        return float(ep.get("reward") or 0.0)
    except (TypeError, ValueError):
        return 0.0
