"""Parent side of the sandbox: start the child, stream its events, build the verdict.

`iter_run(source, settings)` yields the events of sim.sandbox.events (stage, log, frame, episode,
step, verdict); `run(source, settings)` returns the verdict. The task source never runs in this process.
"""

from __future__ import annotations

import collections
import os
import secrets
import select
import shutil
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sim import tmpdirs
from sim import video as sim_video
from sim.sandbox import isolation, process
from sim.sandbox.channel import ChannelReader
from sim.sandbox.events import LogEvent, SandboxEvent, Stage, StageEvent, VerdictEvent
from sim.sandbox.limits import Limits
from sim.sandbox.steps import MESSAGES as STEP_MESSAGES
from sim.sandbox.steps import ParentSteps, StepOptions
from sim.sandbox.verdict import VerdictBuilder
from sim.settings import RunSettings

MAX_SOURCE_BYTES = 1 << 20


def _safe_filename(filename: str) -> str:
    name = Path(filename).name
    if not name.endswith(".py") or not name[:-3].isidentifier():
        return "task.py"
    return name


class _LogBuffer:
    """Split a byte stream into log lines, forwarding at most `budget` bytes in total."""

    def __init__(self, stream: str, budget: list):
        self.stream, self.budget, self.partial, self.dropped = stream, budget, b"", 0
        self.tail = collections.deque(maxlen=5)  # last lines, kept even past the budget

    def feed(self, data: bytes, final: bool = False) -> list[LogEvent]:
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = b"" if final else lines.pop()
        if len(self.partial) > 2000:  # an endless line: cut it, keep reading
            lines.append(self.partial)
            self.partial = b""
        out = []
        for raw in lines:
            if final and not raw:
                continue
            self.tail.append(raw[:300].decode("utf-8", "replace"))
            if self.budget[0] <= 0:
                self.dropped += len(raw) + 1
                continue
            raw = raw[:2000]
            self.budget[0] -= len(raw) + 1
            out.append(LogEvent(self.stream, raw.decode("utf-8", "replace")))
        return out


def iter_run(
    source: str,
    settings: RunSettings | None = None,
    *,
    filename: str = "task.py",
    stream_frames: bool = True,
    cancel: threading.Event | None = None,
    steps: StepOptions | None = None,
) -> Iterator[SandboxEvent]:
    """Run task `source` in an isolated child; yield events (sim.sandbox.events), the last one a
    `VerdictEvent`.

    settings: episodes (seeds seed .. seed+episodes-1), video, video size (width, height) px, fps
    and limits of the run (`RunSettings()` defaults when None). The mp4 (verdict["video"]) is
    written to a fresh temp folder owned by the caller, who deletes it. Wall and CPU limits scale
    with the episode count unless fixed (Limits.for_episodes); a run without progress for
    limits.stall_seconds is stopped (error type "Stalled"). filename: shown in tracebacks (a safe
    `name.py`, else "task.py"). stream_frames: send live `FrameEvent`s. cancel: set to stop the run
    (error type "Cancelled"). steps: record per-step observations or let a policy in this process
    act (sim.sandbox.steps; adds `StepEvent`s).
    Raises ValueError for a non-str source or one larger than 1 MiB.
    """
    if not isinstance(source, str):
        raise ValueError(f"source must be str, got {type(source).__name__}")
    if len(source.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        raise ValueError(f"task source is larger than {MAX_SOURCE_BYTES} bytes")
    settings = settings or RunSettings()
    limits = (settings.limits or Limits()).for_episodes(settings.episodes)
    t_start = time.monotonic()
    child = process.take(limits)
    try:
        yield from _supervise(
            child, source, _safe_filename(filename), settings, limits, stream_frames, cancel, t_start, steps
        )
    finally:
        child.dispose()  # also when the caller abandons the generator mid-run
        process.release(limits)


def run(source: str, settings: RunSettings | None = None, **options) -> dict:
    """Consume `iter_run(source, settings, **options)` and return its verdict (INTERFACES.md
    "sim.sandbox"); options as `iter_run`'s keywords."""
    for event in iter_run(source, settings, **options):
        match event:
            case VerdictEvent(verdict=verdict):
                return verdict
    raise RuntimeError("sandbox run ended without a verdict")  # iter_run always yields one


def _supervise(child, source, filename, settings: RunSettings, limits, stream_frames, cancel, t_start, steps):
    workdir, proc, chan_fd = child.workdir, child.proc, child.chan_fd
    task_path = workdir / filename
    task_path.write_text(source)
    key = secrets.token_bytes(32)
    builder = VerdictBuilder(settings.episodes, settings.seed, child.plan.layers, limits, str(workdir))
    step_io = ParentSteps(workdir, steps) if steps is not None else None
    child.send_config(
        {
            **(step_io.config() if step_io else {}),
            "key": key.hex(),
            "task_path": str(task_path),
            "episodes": settings.episodes,
            "seed": settings.seed,
            "video": settings.video,
            "video_size": list(settings.video_size),
            "fps": settings.fps,
            "video_path": str(workdir / "video.mp4"),
            "stream_frames": bool(stream_frames),
            "frame_interval": limits.frame_interval_seconds,
            "seccomp": isolation.seccomp_requested(),
            "render_process": sim_video.render_process_enabled(),  # the switch is not in the child's env
            "sent_at": time.time(),
        }
    )
    reader = ChannelReader(key)
    budget = [limits.log_bytes]
    logs = {proc.stdout.fileno(): _LogBuffer("stdout", budget), proc.stderr.fileno(): _LogBuffer("stderr", budget)}
    open_fds = {chan_fd, *logs}
    stop, killed = threading.Event(), []
    progress = [time.monotonic()]  # when the child last sent a signed message
    watchdog = threading.Thread(
        target=_watchdog,
        daemon=True,
        args=(child, cancel, t_start + limits.wall_seconds, stop, killed, progress, limits),
    )
    watchdog.start()
    try:
        yield StageEvent(Stage.SYNTAX, "start")
        builder.seen_start("syntax")
        while open_fds:
            ready, _, _ = select.select(list(open_fds), [], [], 0.05)
            for fd in ready:
                data = os.read(fd, 1 << 16)
                if not data:
                    open_fds.discard(fd)
                if fd == chan_fd:
                    messages = reader.feed(data)
                    if messages:
                        progress[0] = time.monotonic()
                    for kind, msg in messages:
                        if step_io and kind == "json" and msg.get("t") in STEP_MESSAGES:
                            yield from step_io.on_message(msg)
                        else:
                            yield from builder.on_message(kind, msg)
                else:
                    yield from logs[fd].feed(data, final=not data)
    finally:
        stop.set()
        if step_io:
            step_io.close()
            for w in step_io.warnings[:10]:
                builder.warn(w)
        watchdog.join()
    if not _exited(proc, timeout=5):  # all pipes closed but alive: it closed them itself
        killed.append("closed-pipes")
    child.kill()  # leftovers in its group; the unreaped leader holds the id
    returncode = proc.wait()
    killed_for = killed[0] if killed else None
    if child.plan.argv_prefix and 128 < returncode < 128 + 65:
        returncode = 128 - returncode  # bwrap reports a signal death of its child as 128 + signo
    dropped = sum(b.dropped for b in logs.values())
    if dropped:
        builder.warn(f"log output truncated: {dropped} bytes beyond the {limits.log_bytes}-byte budget were dropped")
        yield LogEvent("stderr", f"[sandbox] output truncated, {dropped} bytes dropped")
    builder.stderr_tail = list(logs[proc.stderr.fileno()].tail)
    if reader.broken:
        builder.channel_broken = reader.broken
        builder.warn(f"channel: {reader.broken}")
    video_path = _collect_video(workdir / "video.mp4", limits) if settings.video and builder.video_frames else None
    yield from builder.finish(returncode, killed_for, video_path, wall_seconds=time.monotonic() - t_start)


def _exited(proc, timeout: float) -> bool:
    """Wait up to `timeout` s for `proc` to exit WITHOUT reaping it (so its pid, which is also its
    process group id, cannot be reused before we kill the group)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(0.01)
    return False


def _watchdog(child, cancel, deadline: float, stop: threading.Event, killed: list, progress: list, limits: Limits):
    """Kill the child on cancel, at the wall-clock deadline, when its last signed message
    (progress[0], monotonic s) is more than `limits.stall_seconds` old, even while the caller is
    not iterating, or when its work folder holds more than `limits.disk_bytes` or
    `limits.disk_entries` (measured every 0.25 s); records why in `killed`. Unread bytes on the
    channel count as progress: a caller that is slow to iterate does not make its child look
    stalled."""
    ticks = 0
    while not stop.wait(0.05):
        now = time.monotonic()
        ticks += 1
        if now - progress[0] > limits.stall_seconds and select.select([child.chan_fd], [], [], 0)[0]:
            progress[0] = now
        reason = (
            "cancelled"
            if cancel is not None and cancel.is_set()
            else "wall"
            if now > deadline
            else "stalled"
            if now - progress[0] > limits.stall_seconds
            else "disk"
            if ticks % 5 == 0 and _over_disk_limit(child.workdir, limits)
            else None
        )
        if reason:
            killed.append(reason)
            child.kill()
            return


def _over_disk_limit(folder: Path, limits: Limits) -> bool:
    """Whether `folder` holds more than `limits.disk_bytes` (allocated blocks of every file, links
    not followed) or more than `limits.disk_entries` files and folders; stops counting at either.
    A folder this process may not read (the task took the permissions away) counts as over."""
    used, entries, pending = 0, 0, [folder]
    while pending:
        try:
            with os.scandir(pending.pop()) as it:
                for entry in it:
                    entries += 1
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:  # removed meanwhile
                        continue
                    used += st.st_blocks * 512
                    if stat.S_ISDIR(st.st_mode):
                        pending.append(entry.path)
                    if used > limits.disk_bytes or entries > limits.disk_entries:
                        return True
        except PermissionError:
            return True
        except OSError:  # removed meanwhile
            continue
    return False


def _collect_video(path: Path, limits: Limits) -> str | None:
    """Move the child's mp4 (a regular, non-empty file, not a link) to a caller-owned temp dir."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size == 0 or st.st_size > limits.file_size_bytes:
        return None
    out = tmpdirs.make("video") / "episodes.mp4"
    shutil.copyfile(path, out, follow_symlinks=False)
    return str(out)
