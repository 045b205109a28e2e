"""The dataset card (README.md with a YAML header) of a demonstration dataset folder.

The header is what `datasets.load_dataset(DIR)` and the Hub read: `configs` maps each split to its
parquet shards; `gensim` records tasks, episodes and seeds per split (counted from the shards, so
the card is right after a resumed or partial recording), the observation source and the simulator
version (PyBullet version, git commit of this repository when known).
"""

from __future__ import annotations

import importlib.metadata
import subprocess
from pathlib import Path

import yaml

from policy import dataset


def _commit() -> str:
    """Git commit of this checkout, or "unknown" (no git, not a checkout)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=Path(__file__).resolve().parent,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def _seed_text(seeds: list[int]) -> str:
    seeds = sorted(seeds)
    return (
        ", ".join(map(str, seeds))
        if len(seeds) <= 6
        else f"{seeds[0]}, {seeds[1]}, ..., {seeds[-1]} ({len(seeds)} seeds)"
    )


def write_card(root: Path, *, observation: str, license: str = "mit", keep_failures: bool = False) -> Path:
    """Write root/README.md from the shards under root/data -> its path."""
    root = Path(root)
    counts = dataset.summary(root)
    splits = [s for s in dataset.SPLITS if s in counts]
    header = {
        "license": license,
        "task_categories": ["robotics"],
        "tags": ["cliport", "ravens", "transporter-networks", "gensim", "pybullet"],
        # Shards listed one by one, not as a glob: `datasets` keys its cache on these strings, so
        # a resumed recording (more shards) is not served from the cache of the shorter one.
        "configs": [
            {
                "config_name": "default",
                "data_files": [
                    {"split": s, "path": [str(f.relative_to(root)) for f in dataset.shard_files(root, s)]}
                    for s in splits
                ],
            }
        ],
        "gensim": {
            "tasks": sorted({t for s in splits for t in counts[s]}),
            "splits": {
                s: {
                    t: {"episodes": c["episodes"], "steps": c["steps"], "seeds": _seed_text(c["seeds"])}
                    for t, c in sorted(counts[s].items())
                }
                for s in splits
            },
            "observation": observation,
            "kept": "all episodes" if keep_failures else "successful episodes only (reward > 0.99)",
            "simulator": {"pybullet": importlib.metadata.version("pybullet"), "commit": _commit()},
        },
    }
    lines = [
        f"| {s} | {t} | {c['episodes']} | {c['steps']} | {_seed_text(c['seeds'])} |"
        for s in splits
        for t, c in sorted(counts[s].items())
    ]
    body = (
        f"""
# GenSim Studio demonstrations

Oracle demonstrations recorded in the GenSim Studio sandbox (PyBullet re-implementation of the
CLIPort/Ravens task API) with `python -m policy.record`. One row per pick-and-place action: the
top-down observation before the action (colour `Image` and `height` map, 320 x 160 cells of
3.125 mm over x in [0.25, 0.75] m, y in [-0.5, 0.5] m; row <-> y, column <-> x; source:
`{observation}`), the action (pick and place poses: position in metres, quaternion xyzw), the
language goal of that step, reward and done, and per episode the task, seed, total reward and
success. {header["gensim"]["kept"].capitalize()}.

Seeds follow CLIPort's `demos.py`: train 0, 2, 4, ...; val 1, 3, 5, ...; test 10001, 10003, ...

| split | task | episodes | steps | seeds |
|---|---|---|---|---|
"""
        + "\n".join(lines)
        + """

```python
import datasets
ds = datasets.load_dataset("PATH_OR_REPO_ID")
```
"""
    )
    path = root / "README.md"
    path.write_text("---\n" + yaml.safe_dump(header, sort_keys=False) + "---\n" + body)
    return path
