"""Per-step observations and actions between a sandbox child and its parent (recording, policies).

Two modes, chosen by the caller of `iter_run(..., steps=StepOptions(...))`:
- "record": the oracle acts; after every action the child sends one "step" message with the
  top-down observation taken before the action (sim.observation), the action, the language goal of
  that step, the reward and done. The parent yields it as a `sim.sandbox.events.StepEvent`.
- "act": a policy in the PARENT acts instead of the oracle. Before every action the child sends an
  "observe" message (observation + language goal) and blocks on an answers pipe (a FIFO the parent
  creates in the work folder before the run starts) for the action, which the parent computes with
  `StepOptions.actor`. So the policy (torch) never runs in the sandboxed process. "step"
  messages follow each action as in "record", without the arrays.

Arrays travel as JSON: {"dtype", "shape", "zlib": base64 of the zlib-compressed C-order bytes}; the
parent decodes them with a fixed dtype, bounded shape and bounded decompressed size, so nothing
depends on pickles and a hostile child can only send wrong numbers, never code.
Poses are [[x, y, z], [qx, qy, qz, qw]] (metres, quaternion xyzw).
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import json
import math
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from sim.sandbox.events import StepEvent

MODES = ("record", "act")
MESSAGES = ("step", "observe")
MAX_SIDE = 1024  # largest map side accepted from the child (standard maps are 320 x 160)
MAX_TEXT = 1000  # characters of a language goal kept
ANSWERS_NAME = "answers.fifo"
Agent = collections.namedtuple("Agent", ["act"])


@dataclasses.dataclass
class StepOptions:
    """What a run does per step. mode: "record" or "act". actor (act mode): called in the parent
    with the observation dict {"seed", "step", "lang_goal", "colour" (H, W, 3) uint8, "height"
    (H, W) float32} and returns {"pose0": pose, "pose1": pose} or None (no action this step).
    observation: "cameras" (fused task cameras) or "orthographic" (see sim.observation)."""

    mode: str
    actor: Callable[[dict], dict | None] | None = None
    observation: str = "cameras"

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"steps mode must be one of {MODES}, got {self.mode!r}")
        if (self.mode == "act") != (self.actor is not None):
            raise ValueError("an actor is required in act mode and only there")


# ------------------------------------------------------------------ encoding


def encode_array(array: np.ndarray) -> dict:
    """{"dtype", "shape", "zlib"} JSON form of `array` (level-1 zlib: maps are mostly flat)."""
    array = np.ascontiguousarray(array)
    return {
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "zlib": base64.b64encode(zlib.compress(array.tobytes(), 1)).decode("ascii"),
    }


def decode_array(obj, dtype: str, ndim: int, channels: int | None = None) -> np.ndarray:
    """Inverse of `encode_array`, trusting nothing: the dtype must equal `dtype` (numpy str such
    as "|u1", "<f4"), the shape have `ndim` dims each in 1..MAX_SIDE (last == `channels` when
    given), and the data decompress to exactly that many bytes. Raises ValueError otherwise."""
    if not isinstance(obj, dict) or obj.get("dtype") != np.dtype(dtype).str:
        raise ValueError(f"array must have dtype {np.dtype(dtype).str}")
    shape = obj.get("shape")
    if (
        not isinstance(shape, list)
        or len(shape) != ndim
        or not all(isinstance(s, int) and 1 <= s <= MAX_SIDE for s in shape)
        or (channels is not None and shape[-1] != channels)
    ):
        raise ValueError(f"bad array shape {shape!r}")
    size = math.prod(shape) * np.dtype(dtype).itemsize
    raw = zlib.decompressobj().decompress(base64.b64decode(str(obj.get("zlib", "")), validate=True), size + 1)
    if len(raw) != size:
        raise ValueError(f"array data has {len(raw)} bytes, expected {size}")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _pose_json(pose) -> list:
    return [[float(v) for v in pose[0]], [float(v) for v in pose[1]]]


def decode_pose(obj) -> tuple[tuple, tuple]:
    """[[x, y, z], [qx, qy, qz, qw]] of finite floats -> (position, quaternion) tuples; raises
    ValueError on anything else."""
    try:
        pos, quat = obj
        pos, quat = tuple(float(v) for v in pos), tuple(float(v) for v in quat)
    except (TypeError, ValueError) as e:
        raise ValueError(f"bad pose {str(obj)[:100]!r}") from e
    if len(pos) != 3 or len(quat) != 4 or not all(map(math.isfinite, pos + quat)):
        raise ValueError(f"bad pose {str(obj)[:100]!r}")
    return pos, quat


# ------------------------------------------------------------------ child side


def _primitive_name(task) -> str:
    prim = getattr(task, "primitive", None)
    return str(getattr(prim, "__name__", type(prim).__name__))


class ChildSteps:
    """Child side. Made once per run, before task code loads (it opens the answers pipe);
    `episode_kwargs(seed)` gives `run_episode` its `agent` and `on_step` ({} in a plain run)."""

    def __init__(self, cfg: dict, chan):
        self.mode, self.chan = cfg.get("steps"), chan
        self.source = cfg.get("observation", "cameras")
        self.answers = open(cfg["answers_path"], "rb") if self.mode == "act" else None
        if self.mode in MODES:
            # Here, not at the top: the parent (the app) imports this module and never loads the
            # simulator; in the child this runs before the API snapshot, so the guard watches it.
            from sim import observation

            self.observe = observation.topdown

    def episode_kwargs(self, seed: int) -> dict:
        """`run_episode` keyword arguments for the episode with `seed` ({} in a plain run)."""
        if self.mode not in MODES:
            return {}
        state = {"step": 0, "pending": None}

        def make_agent(task, env):
            oracle = task.oracle(env) if self.mode == "record" else None

            def act(obs, info):
                lang_goal = str(env.get_lang_goal())[:MAX_TEXT]
                colour, height = self.observe(env, self.source)
                if oracle is not None:
                    action = oracle.act(obs, info)
                else:
                    self.chan.send(
                        {
                            "t": "observe",
                            "seed": seed,
                            "step": state["step"],
                            "lang_goal": lang_goal,
                            "colour": encode_array(colour),
                            "height": encode_array(height),
                        }
                    )
                    action = self._read_answer()
                state["pending"] = {
                    "lang_goal": lang_goal,
                    "colour": colour,
                    "height": height,
                    "action": action,
                    "primitive": _primitive_name(task),
                }
                return action

            return Agent(act)

        def on_step(action, reward, done, info):
            pending, state["pending"] = state["pending"], None
            msg = {"t": "step", "seed": seed, "step": state["step"], "reward": float(reward), "done": bool(done)}
            state["step"] += 1
            if pending is None:
                return
            msg.update(
                lang_goal=pending["lang_goal"], primitive=pending["primitive"], acted=pending["action"] is not None
            )
            if pending["action"] is not None:
                msg.update(pose0=_pose_json(pending["action"]["pose0"]), pose1=_pose_json(pending["action"]["pose1"]))
            if self.mode == "record":
                msg.update(colour=encode_array(pending["colour"]), height=encode_array(pending["height"]))
            self.chan.send(msg)

        return {"agent": make_agent, "on_step": on_step}

    def _read_answer(self):
        """Block for the parent's answer line -> action dict with numpy poses, or None."""
        line = self.answers.readline()
        if not line:
            raise RuntimeError("the parent closed the answers pipe")
        answer = json.loads(line)
        if answer.get("action") is None:
            return None
        pose0, pose1 = (decode_pose(answer["action"][k]) for k in ("pose0", "pose1"))
        return {
            "pose0": (np.asarray(pose0[0]), np.asarray(pose0[1])),
            "pose1": (np.asarray(pose1[0]), np.asarray(pose1[1])),
        }


# ------------------------------------------------------------------ parent side


class ParentSteps:
    """Parent side of one run: `config()` goes into the child's run config, `on_message(msg)`
    turns "step" / "observe" messages into events (and answers observations), `close()` at the
    end. In act mode the answers FIFO is created in `workdir` and opened here, before the child
    gets its config (so before any task code could replace it)."""

    def __init__(self, workdir: Path, options: StepOptions):
        self.options, self.fd, self.path = options, -1, None
        self.warnings: list[str] = []
        if options.mode == "act":
            self.path = Path(workdir) / ANSWERS_NAME
            os.mkfifo(self.path, 0o644)
            self.fd = os.open(self.path, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
            if not stat.S_ISFIFO(os.fstat(self.fd).st_mode):
                raise RuntimeError("answers pipe is not a FIFO")

    def config(self) -> dict:
        """Keys for the child's run config."""
        return {
            "steps": self.options.mode,
            "observation": self.options.observation,
            "answers_path": str(self.path) if self.path else None,
        }

    def on_message(self, msg: dict) -> Iterator[StepEvent]:
        """Yield a `StepEvent` for a "step" message; answer an "observe" one.
        Malformed messages are dropped with a warning (kept in `self.warnings`)."""
        try:
            if msg.get("t") == "step":
                yield StepEvent(self._decode_step(msg))
            elif msg.get("t") == "observe" and self.fd >= 0:
                obs = self._decode_observation(msg)
                action = self.options.actor(obs)
                self._answer(action)
        except (ValueError, TypeError, KeyError) as e:
            self.warnings.append(f"dropped a malformed {msg.get('t')} message: {e}"[:300])
            if msg.get("t") == "observe":
                self._answer(None)

    def _decode_observation(self, msg) -> dict:
        obs = {
            "seed": int(msg["seed"]),
            "step": int(msg["step"]),
            "lang_goal": str(msg.get("lang_goal", ""))[:MAX_TEXT],
            "colour": decode_array(msg["colour"], "|u1", 3, channels=3),
            "height": decode_array(msg["height"], "<f4", 2),
        }
        if obs["colour"].shape[:2] != obs["height"].shape:
            raise ValueError("colour and height maps differ in size")
        return obs

    def _decode_step(self, msg) -> dict:
        step = {
            "seed": int(msg["seed"]),
            "step": int(msg["step"]),
            "reward": float(msg["reward"]),
            "done": bool(msg["done"]),
            "lang_goal": str(msg.get("lang_goal", ""))[:MAX_TEXT],
            "primitive": str(msg.get("primitive", ""))[:100],
            "acted": bool(msg.get("acted", False)),
        }
        if not math.isfinite(step["reward"]):
            raise ValueError("reward is not finite")
        if step["acted"]:
            step["pose0"], step["pose1"] = decode_pose(msg["pose0"]), decode_pose(msg["pose1"])
        if "colour" in msg:
            step["colour"] = decode_array(msg["colour"], "|u1", 3, channels=3)
            step["height"] = decode_array(msg["height"], "<f4", 2)
        return step

    def _answer(self, action):
        """Write one answer line; a full pipe (a child that stopped reading) stops the answers."""
        if self.fd < 0:
            return
        if action is not None:
            action = {"pose0": _pose_json(action["pose0"]), "pose1": _pose_json(action["pose1"])}
        try:
            os.write(self.fd, (json.dumps({"action": action}) + "\n").encode())
        except BlockingIOError:
            self.warnings.append("the child stopped reading actions")
            self.close()

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
