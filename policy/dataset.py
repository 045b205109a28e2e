"""The demonstration dataset on disk: Hugging Face `datasets` parquet shards plus a dataset card.

Layout of a dataset folder DIR (`datasets.load_dataset(DIR)` reads it through the card's `configs`):
    README.md                       dataset card, YAML header (tasks, splits, seeds, simulator)
    data/<split>/<task>-<first seed>-<last seed>.parquet
    attempts.jsonl                  one line per recorded episode attempt, kept or not (resume)
One row per oracle action; the schema is FEATURES (documented in policy/README.md). Shards are
written with `Dataset.to_parquet`, which stores the feature types in the parquet metadata, so the
colour map loads back as a PIL image and the height map as a (320, 160) float32 array.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from PIL import Image

MAP_SHAPE = (320, 160)  # rows (y, 1.0 m) x columns (x, 0.5 m) at 0.003125 m per pixel
SPLITS = ("train", "val", "test")


def features():
    """The row schema as `datasets.Features`."""
    from datasets import Array2D, Features, Sequence, Value  # ~1.4 s to import: only when writing
    from datasets import Image as ImageFeature

    return Features(
        {
            "task": Value("string"),
            "seed": Value("int64"),
            "step": Value("int32"),
            "lang_goal": Value("string"),
            "colour": ImageFeature(),
            "height": Array2D(shape=MAP_SHAPE, dtype="float32"),
            "pick_position": Sequence(Value("float32"), length=3),
            "pick_rotation": Sequence(Value("float32"), length=4),
            "place_position": Sequence(Value("float32"), length=3),
            "place_rotation": Sequence(Value("float32"), length=4),
            "primitive": Value("string"),
            "reward": Value("float32"),
            "done": Value("bool"),
            "episode_steps": Value("int32"),
            "episode_reward": Value("float32"),
            "episode_success": Value("bool"),
        }
    )


def episode_rows(task: str, episode: dict, steps: list[dict]) -> list[dict]:
    """Rows of one episode: `episode` is the sandbox episode dict (seed, reward, success), `steps`
    the decoded "step" events that carry an action (sim.sandbox.steps). Raises ValueError when a
    map does not have MAP_SHAPE."""
    rows = []
    for s in steps:
        if s["height"].shape != MAP_SHAPE or s["colour"].shape != MAP_SHAPE + (3,):
            raise ValueError(f"maps of shape {s['colour'].shape}, expected {MAP_SHAPE}")
        rows.append(
            {
                "task": task,
                "seed": int(episode["seed"]),
                "step": int(s["step"]),
                "lang_goal": s["lang_goal"],
                "colour": s["colour"],
                "height": s["height"],
                "pick_position": list(s["pose0"][0]),
                "pick_rotation": list(s["pose0"][1]),
                "place_position": list(s["pose1"][0]),
                "place_rotation": list(s["pose1"][1]),
                "primitive": s["primitive"],
                "reward": s["reward"],
                "done": s["done"],
                "episode_steps": len(steps),
                "episode_reward": float(episode["reward"]),
                "episode_success": bool(episode["success"]),
            }
        )
    return rows


def write_shard(rows: list[dict], path: Path) -> int:
    """Write `rows` as one parquet shard (atomically: temp name, then rename) -> bytes written."""
    import datasets  # ~1.4 s to import: only when writing (see features)

    datasets.disable_progress_bars()  # ours (tqdm in policy.record) is the one that matters
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    datasets.Dataset.from_list(rows, features=features()).to_parquet(str(tmp))
    tmp.replace(path)
    return path.stat().st_size


def read_attempts(root: Path) -> list[dict]:
    """Every attempt logged in root/attempts.jsonl ({"task", "split", "seed", "success", "reward",
    "kept", "seconds", "steps"}); [] when there is none."""
    path = Path(root) / "attempts.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def log_attempt(root: Path, attempt: dict):
    """Append one attempt to root/attempts.jsonl."""
    with open(Path(root) / "attempts.jsonl", "a") as f:
        f.write(json.dumps(attempt) + "\n")


def shard_files(root: Path, split: str | None = None) -> list[Path]:
    """Parquet shards under root/data (of one split when given), sorted."""
    base = Path(root) / "data"
    return sorted((base / split if split else base).rglob("*.parquet"))


def summary(root: Path) -> dict:
    """Counts from the shards themselves: {split: {task: {"episodes", "steps", "seeds": [..]}}}."""
    out: dict = {}
    for path in shard_files(root):
        split = path.parent.name
        table = pq.read_table(path, columns=["task", "seed"]).to_pydict()
        for task, seed in zip(table["task"], table["seed"]):
            entry = out.setdefault(split, {}).setdefault(task, {"episodes": 0, "steps": 0, "seeds": []})
            entry["steps"] += 1
            if seed not in entry["seeds"]:
                entry["seeds"].append(seed)
                entry["episodes"] += 1
    return out


def load_arrays(root: Path, split: str = "train", tasks=None, scale: int = 1) -> dict:
    """Load a split into numpy for training -> {"colour" (N, H, W, 3) uint8, "height" (N, H, W)
    float32, "pick" (N, 3), "place" (N, 3) float32 metres, "place_yaw" (N,) radians, "lang_goal"
    [str], "task" [str]}; maps downsampled by `scale` (2: 160 x 80; colour averaged, height
    max-pooled so thin tops stay visible). place_yaw is the place yaw relative to the pick yaw
    (CLIPort's p1_theta - p0_theta): the suction cup turns what it holds with it and the policy picks
    at yaw 0, so this is the turn its place must make for the object to end as the oracle left it.
    Raises FileNotFoundError when the split has no shard and ValueError when no row matches `tasks`."""
    files = shard_files(root, split)
    if not files:
        raise FileNotFoundError(f"no shards for split {split!r} under {root}/data")
    cols = {k: [] for k in ("colour", "height", "pick", "place", "place_yaw", "lang_goal", "task")}
    for path in files:
        table = pq.read_table(path).to_pydict()
        for i, task in enumerate(table["task"]):
            if tasks and task not in tasks:
                continue
            colour = np.asarray(Image.open(io.BytesIO(table["colour"][i]["bytes"])).convert("RGB"))
            height = np.asarray(table["height"][i], dtype=np.float32)
            cols["colour"].append(downsample(colour, scale, "mean"))
            cols["height"].append(downsample(height, scale, "max"))
            cols["pick"].append(table["pick_position"][i])
            cols["place"].append(table["place_position"][i])
            cols["place_yaw"].append(yaw_of(table["place_rotation"][i]) - yaw_of(table["pick_rotation"][i]))
            cols["lang_goal"].append(table["lang_goal"][i])
            cols["task"].append(task)
    if not cols["task"]:
        raise ValueError(f"no rows of tasks {tasks} in split {split!r}")
    out = {k: np.stack(v) if k in ("colour", "height") else v for k, v in cols.items()}
    out["pick"], out["place"] = np.float32(out["pick"]), np.float32(out["place"])
    out["place_yaw"] = np.float32(out["place_yaw"])
    return out


def downsample(image: np.ndarray, scale: int, how: str) -> np.ndarray:
    """(H, W[, C]) -> (H/scale, W/scale[, C]) by block mean ("mean", rounded for uint8) or block
    max ("max"); scale 1 returns the input. H and W must be multiples of `scale`."""
    if scale == 1:
        return image
    h, w = image.shape[:2]
    blocks = image.reshape(h // scale, scale, w // scale, scale, *image.shape[2:])
    if how == "max":
        return blocks.max(axis=(1, 3))
    out = blocks.astype(np.float32).mean(axis=(1, 3))
    return np.uint8(np.round(out)) if image.dtype == np.uint8 else out.astype(image.dtype)


def yaw_of(quat) -> float:
    """Yaw (rotation about z, radians in (-pi, pi]) of a quaternion xyzw."""
    x, y, z, w = (float(v) for v in quat)
    return float(np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z)))
