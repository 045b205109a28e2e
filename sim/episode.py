"""One oracle episode of a task class (docs/oracle.md#episode), with errors from task code captured.

`run_episode(task_cls, seed)` seeds numpy and `random`, builds the task and the scene ("reset" phase),
then lets the oracle act at most `task.max_steps` times ("oracle" phase). Success = total reward
> 0.99. Exceptions raised by task code become the `error` dict (line number in the task file and a
traceback trimmed to the task file's frames); they are never raised.
"""

from __future__ import annotations

import inspect
import random
import time
import traceback

import numpy as np
import pybullet as p

from sim import utils, video
from sim.env import Environment, SimBudgetExceeded
from sim.errors import error_name

SUCCESS_THRESHOLD = 0.99


def _task_file(task_cls) -> str | None:
    try:
        return inspect.getsourcefile(task_cls)
    except TypeError:
        return None


def error_dict(exc: BaseException, phase: str, task_file: str | None) -> dict:
    """{"type", "message", "line", "traceback", "phase"} for `exc` (type and message: `error_name`);
    `line` is the last line of the task file in the traceback (None if the file is not in it) and
    `traceback` keeps only the task file's frames plus the exception line."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if task_file and f.filename == task_file]
    if isinstance(exc, SyntaxError) and task_file and exc.filename == task_file:
        line = exc.lineno
    else:
        line = own[-1].lineno if own else None
    text = "Traceback (most recent call last):\n" if own else ""
    text += "".join(traceback.format_list(own))
    text += "".join(traceback.format_exception_only(type(exc), exc))
    kind, message = error_name(exc)
    return {"type": kind, "message": message, "line": line, "traceback": text, "phase": phase}


MAX_SCENE_OBJECTS = 60  # a rope is 20 beads; more than this is not worth sending


def final_scene(env) -> list[dict]:
    """The task's fixed and rigid objects where they are now: [{"id", "name" (URDF robot name without
    '.urdf', '' for bodies built in code), "category", "color" (nearest utils.COLORS name within 0.1
    RGB distance, else None), "position" [x, y, z] m, "size" [dx, dy, dz] m (world AABB)}].
    Never raises: a body that cannot be read is left out."""
    out = []
    for category in ("fixed", "rigid"):
        for body in list(env.obj_ids.get(category, []))[: MAX_SCENE_OBJECTS - len(out)]:
            try:
                name = p.getBodyInfo(body)[1].decode(errors="replace").removesuffix(".urdf")
                pos = p.getBasePositionAndOrientation(body)[0]
                lo, hi = p.getAABB(body)
                shapes = p.getVisualShapeData(body)
            except (p.error, IndexError):
                continue
            rgb = np.asarray(shapes[0][7][:3]) if shapes else None
            color = None
            if rgb is not None:
                dist, best = min((float(np.linalg.norm(rgb - np.asarray(c[:3]))), n) for n, c in utils.COLORS.items())
                color = best if dist < 0.1 else None
            out.append(
                {
                    "id": body,
                    "name": name,
                    "category": category,
                    "color": color,
                    "position": [round(float(v), 4) for v in pos],
                    "size": [round(float(high - low), 4) for low, high in zip(lo, hi)],
                }
            )
    return out


def run_episode(
    task_cls,
    seed,
    *,
    env=None,
    on_phase=None,
    on_frame=None,
    record=False,
    video_size=video.SIZE,
    fps=video.FPS,
    max_sim_steps=None,
    agent=None,
    on_step=None,
) -> dict:
    """Run one oracle episode -> {"seed", "reward", "success", "steps", "seconds", "warnings",
    "error", "scene" (`final_scene` after the last action)} (+ "frames" when `record`).

    `env` is reused when given (one Environment per process: PyBullet's global client); `on_phase`
    gets "reset" then "oracle"; `on_frame(rgb HxWx3 uint8)` gets video frames every 1/fps simulated
    seconds; `video_size` is (width, height); `max_sim_steps` bounds physics steps (exhausting it
    ends the episode with a warning, not an error). `agent(task, env)` makes the actor (an object
    with `act(obs, info)`, default `task.oracle(env)`; sim.sandbox.steps uses it to record or to
    let a policy act); `on_step(act, reward, done, info)` is called after every `env.step`.
    """
    start = time.perf_counter()
    random.seed(seed)
    np.random.seed(seed)
    env = env or Environment()
    env.max_sim_steps = max_sim_steps
    frames = []
    sinks = [s for s in (on_frame, frames.append if record else None) if s is not None]
    result = {"seed": seed, "reward": 0.0, "success": False, "steps": 0, "seconds": 0.0, "warnings": [], "error": None}
    task_file = _task_file(task_cls)
    phase = "reset"
    total = 0.0
    try:
        if on_phase:
            on_phase("reset")
        task = task_cls()
        env.set_task(task)
        env.frame_callback = None
        obs = env.reset()
        info = env.info
        phase = "oracle"
        if on_phase:
            on_phase("oracle")
        if sinks:
            env.video_size = tuple(video_size)
            env.frame_every = max(1, int(round(env.hz / fps)))
            env.frame_callback = lambda frame: [s(frame) for s in sinks]
            env.emit_frame()
        oracle = agent(task, env) if agent is not None else task.oracle(env)
        for _ in range(task.max_steps):
            act = oracle.act(obs, info)
            obs, reward, done, info = env.step(act)
            result["steps"] += 1
            total += reward
            if on_step is not None:
                on_step(act, reward, done, info)
            if done:
                break
    except SimBudgetExceeded as exc:
        env.warnings.append(str(exc))
    except Exception as exc:  # task code may raise anything; it is reported, never raised
        result["error"] = error_dict(exc, phase, task_file)
    finally:
        try:
            env.flush_frames()  # the frames still rendering in the second process
        finally:
            env.frame_callback = None
    result["scene"] = final_scene(env)
    result["reward"] = float(total)
    result["success"] = bool(total > SUCCESS_THRESHOLD and result["error"] is None)
    result["warnings"] = list(env.warnings)
    result["seconds"] = round(time.perf_counter() - start, 3)
    if record:
        result["frames"] = frames
    return result
