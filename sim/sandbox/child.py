"""Child side of the sandbox: runs ONE task file through the stages, reporting on the signed channel.

Started by `sim.sandbox.process.spawn` only, as
    python -I -c "<repo on sys.path>; from sim.sandbox.child import main; main()" CTL CHAN UID RLIMITS
        CONFINE
with the run's config (JSON, including the channel key) on fd CTL, the rlimits (JSON) in RLIMITS
and the `isolation.confine_child` arguments (JSON: work folder, Landlock wanted) in CONFINE.
This module trusts its parent, not the task.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import traceback
from pathlib import Path

import sim
from sim.errors import error_name
from sim.sandbox import heartbeat
from sim.sandbox.api_guard import api_changes, api_snapshot, overridden_members
from sim.sandbox.channel import ChannelWriter
from sim.sandbox.isolation import apply_rlimits, confine_child
from sim.sandbox.static_check import check_source
from sim.sandbox.steps import ChildSteps
from sim.sandbox.syscalls import install_seccomp


class _StageFailed(Exception):
    """Stop the run: the stage named in the already-sent error failed."""


def _error(stage: str, exc: BaseException, task_path: str) -> dict:
    """Verdict error for `exc`, its traceback trimmed to frames in the task file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == task_path]
    line = frames[-1].lineno if frames else None
    if isinstance(exc, SyntaxError) and exc.filename == task_path:
        line = exc.lineno
    trimmed = "".join(traceback.format_list(frames))
    trimmed += "".join(traceback.format_exception_only(type(exc), exc))
    kind, message = error_name(exc)  # a write past RLIMIT_FSIZE is named FileSizeLimit
    return {
        "stage": stage,
        "type": kind,
        "message": message[:2000],
        "line": line,
        "traceback": trimmed[-8000:],
    }


class _Frames:
    """on_frame callback: every frame to the mp4 encoder, a throttled JPEG to the parent."""

    def __init__(self, chan: ChannelWriter, encoder, size, interval: float, stream: bool):
        self.chan, self.encoder, self.size = chan, encoder, tuple(size)
        self.interval, self.stream = interval, stream
        self.episode, self.last, self.bad_shape, self.encoded = 0, 0.0, 0, 0

    def __call__(self, rgb):
        if rgb.shape[1::-1] != self.size or rgb.ndim != 3:
            self.bad_shape += 1
            return
        if self.encoder is not None:
            self.encoder.send(rgb.tobytes())
            self.encoded += 1
        now = time.monotonic()
        if self.stream and now - self.last >= self.interval:
            from PIL import Image  # after confine_child (see main), like all but the harness

            buf = io.BytesIO()
            Image.fromarray(rgb).save(buf, format="JPEG", quality=70)
            self.chan.send_frame(self.episode, buf.getvalue())
            self.last = now


def _start_encoder(path: Path, size, fps: int):
    """Start ffmpeg before seccomp forbids execve; returns the primed imageio-ffmpeg generator."""
    import imageio_ffmpeg  # after confine_child (see main), like all but the harness

    gen = imageio_ffmpeg.write_frames(
        str(path),
        tuple(size),
        fps=fps,
        codec="libx264",
        pix_fmt_out="yuv420p",
        macro_block_size=1,
        output_params=["-movflags", "+faststart"],
    )
    gen.send(None)
    return gen


def _run(cfg: dict, chan: ChannelWriter, env):
    task_path = str(Path(cfg["task_path"]))
    source = Path(task_path).read_text()
    stage = lambda s, status: chan.send({"t": "stage", "stage": s, "status": status})  # noqa: E731

    def fail(stage_name, exc):
        chan.send({"t": "error", "error": _error(stage_name, exc, task_path)})
        stage(stage_name, "fail")
        raise _StageFailed

    stage("syntax", "start")
    try:
        compile(source, task_path, "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:  # parser limits too
        fail("syntax", e)
    for w in check_source(source, Path(task_path).name):
        chan.send({"t": "warning", "warning": w})
    stage("syntax", "pass")

    stage("load", "start")
    t0 = time.monotonic()
    # The simulator loads only after the child confined itself (main: confine_child, then _preload
    # imports these); a failed import is reported by this stage.
    from sim import loader
    from sim.env import Environment

    try:
        chan.send({"t": "task", "name": loader.find_task_class_name(source)})
    except Exception as e:  # TaskLoadError or a parser limit; both are load failures
        fail("load", e)
    env = env or Environment()  # one PyBullet world for all episodes, up before seccomp
    if (cfg["video"] or cfg["stream_frames"]) and cfg.get("render_process", True):
        # Forked now: seccomp denies fork later. The worker runs only our code, under the same filter.
        env.start_render_process(confine=lambda: install_seccomp(cfg["seccomp"]))
    heartbeat.start(chan, env)  # progress reports: the parent stops a stalled run
    encoder = _start_encoder(Path(cfg["video_path"]), cfg["video_size"], cfg["fps"]) if cfg["video"] else None
    frames = _Frames(chan, encoder, cfg["video_size"], cfg["frame_interval"], cfg["stream_frames"])
    try:
        _load_and_run(cfg, chan, env, frames, fail, stage, t0)
    finally:  # finish the mp4 also when a stage failed: it shows what went wrong
        if encoder is not None:
            encoder.close()
            chan.send({"t": "video", "frames": frames.encoded})
        if frames.bad_shape:
            chan.send(
                {
                    "t": "warning",
                    "warning": f"{frames.bad_shape} frames had the wrong size and were left out of the video",
                }
            )


def _load_and_run(cfg, chan, env, frames, fail, stage, t0):
    """Seccomp, import the task, check the API is intact, run the episodes (stages load..runtime)."""
    # After confinement (see _run); cliport resolves once _preload put sim.COMPAT_DIR on sys.path.
    import cliport.tasks.task as cliport_task

    from sim import episode as sim_episode
    from sim import loader

    task_path = cfg["task_path"]
    steps = ChildSteps(cfg, chan)  # opens the answers pipe before seccomp and task code
    chan.send({"t": "seccomp", **install_seccomp(cfg["seccomp"])})
    snapshot = api_snapshot()
    try:
        task_cls = loader.load_task_class(task_path)
    except BaseException as e:  # SystemExit/KeyboardInterrupt from task code too
        fail("load", e)
    if not (isinstance(task_cls, type) and issubclass(task_cls, cliport_task.Task)):
        fail("load", TypeError(f"{task_cls!r} is not a Task subclass"))
    patched = api_changes(snapshot)
    if patched:
        fail("load", RuntimeError(f"task code patched the task API: {', '.join(patched)}"))
    for member in overridden_members(task_cls, cliport_task.Task):
        chan.send(
            {
                "t": "warning",
                "warning": f"task overrides Task.{member}, which scores episodes; its reward is taken as given",
            }
        )
    chan.send({"t": "task", "name": task_cls.__name__, "timing": {"load_seconds": round(time.monotonic() - t0, 3)}})
    stage("load", "pass")
    in_runtime = [False]
    for i in range(cfg["episodes"]):
        frames.episode = i

        def on_phase(name, i=i):
            if i == 0 and name == "reset":
                stage("reset", "start")
            elif i == 0 and name == "oracle":
                stage("reset", "pass")
                stage("runtime", "start")
                in_runtime[0] = True

        try:
            ep = sim_episode.run_episode(
                task_cls,
                cfg["seed"] + i,
                env=env,
                on_phase=on_phase,
                on_frame=frames if (frames.encoder or cfg["stream_frames"]) else None,
                video_size=tuple(cfg["video_size"]),
                fps=cfg["fps"],
                **steps.episode_kwargs(cfg["seed"] + i),
            )
        except BaseException as e:  # run_episode should catch; SystemExit may not be
            fail("runtime" if in_runtime[0] else "reset", e)
        patched = api_changes(snapshot)
        if patched and not ep.get("error"):
            ep["error"] = {
                "type": "APIPatched",
                "phase": "oracle",
                "line": None,
                "traceback": "",
                "message": f"task code patched the task API: {', '.join(patched)}",
            }
        ep.pop("frames", None)
        chan.send({"t": "episode", "episode": ep})
        if ep.get("error"):
            err = dict(ep["error"])
            failed = "runtime" if in_runtime[0] else "reset"
            chan.send(
                {
                    "t": "error",
                    "error": {"stage": failed, **{k: err.get(k) for k in ("type", "message", "line", "traceback")}},
                }
            )
            stage(failed, "fail")
            break
    else:
        stage("runtime", "pass")


def _preload():
    """Import what every run needs and start the PyBullet world before the config arrives (lets a
    spare child start early) -> the Environment or None. Errors are left for the load stage.
    Called after confine_child (Landlock binds the calling thread and the threads it starts later),
    so the simulator and its libraries load confined, here and not at the top of this module."""
    sys.path.insert(0, str(sim.COMPAT_DIR))
    for name in (
        "numpy",
        "pybullet",
        "PIL.Image",
        "imageio_ffmpeg",
        "pyseccomp",
        "sim.env",
        "sim.episode",
        "sim.loader",
        "cliport.tasks.task",
    ):
        try:
            __import__(name)
        except Exception:  # reported by the stage that needs it
            pass
    try:
        from sim.env import Environment  # see the docstring: after confinement

        return Environment()
    except Exception:  # the load stage retries and reports
        return None


def _peak_address_space_mib():
    """VmPeak of this process in MiB (what RLIMIT_AS bounds), or None off Linux."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmPeak:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None


def main():
    """Entry point (see module docstring): demote, read config, run, send "done", exit."""
    ctl_fd, chan_fd, uid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    apply_rlimits(json.loads(sys.argv[4]))  # first: nothing of the task's runs without them
    if uid >= 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    layers = confine_child(json.loads(sys.argv[5]))  # before any thread: Landlock binds threads
    env = _preload()
    with os.fdopen(ctl_fd, "rb") as ctl:  # blocks until the run starts (spare children wait)
        data = ctl.read()
    if not data:
        os._exit(0)  # parent gone or spare discarded
    cfg = json.loads(data)
    chan = ChannelWriter(chan_fd, bytes.fromhex(cfg.pop("key")))
    chan.send({"t": "hello", "pid": os.getpid(), "seconds_since_spawn": round(time.time() - cfg["sent_at"], 3)})
    for name, layer in layers.items():
        chan.send({"t": "layer", "name": name, **layer})
    try:
        _run(cfg, chan, env)
    except _StageFailed:
        pass
    except BaseException as e:  # a harness fault must still reach the parent
        chan.send({"t": "internal", "message": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-4000:]})
    chan.send(
        {
            "t": "resources",
            "peak_address_space_mib": _peak_address_space_mib(),
            "cpu_seconds": round(time.process_time(), 2),
            "render_process": bool(env is not None and env.render_process is not None and env.render_process.alive),
        }
    )  # what RLIMIT_CPU counts
    chan.send({"t": "done"})
    sys.stdout.flush()
    os._exit(0)  # skip atexit hooks a task may have registered
