"""Detect task code that patches the simulator or the task API from inside the task.

A task runs in the same process as the code that scores it, so it could rebind
`Task.reward`, `pybullet.getBasePositionAndOrientation` or `sim.episode.run_episode` to fake a
success. `api_snapshot()` records the identity of every function and class (and every callable
class member) in the `pybullet`, `cliport.*` and `sim.*` modules before task code runs;
`api_changes()` lists what was rebound since.
"""

from __future__ import annotations

import sys

_WATCHED_PREFIXES = ("cliport", "sim.")
_SKIPPED_PREFIXES = ("sim.sandbox",)


def _watched_modules():
    for name, module in list(sys.modules.items()):
        if module is None or name.startswith(_SKIPPED_PREFIXES):
            continue
        if name == "pybullet" or name.startswith(_WATCHED_PREFIXES):
            yield name, module


def _is_api(value) -> bool:
    return callable(value) or isinstance(value, (staticmethod, classmethod, property))


def api_snapshot() -> dict[str, int]:
    """Map "module.name" / "module.Class.member" -> id() of the object, for callables only."""
    snap = {}
    for mod_name, module in _watched_modules():
        for name, value in list(vars(module).items()):
            if not _is_api(value):
                continue
            snap[f"{mod_name}.{name}"] = id(value)
            if isinstance(value, type) and value.__module__ == mod_name:
                for member, attr in list(vars(value).items()):
                    if _is_api(attr) and not member.startswith("__"):
                        snap[f"{mod_name}.{name}.{member}"] = id(attr)
    return snap


def api_changes(snapshot: dict[str, int]) -> list[str]:
    """Names in `snapshot` now bound to a different object or deleted (sorted, at most 10)."""
    now = api_snapshot()
    changed = sorted(k for k, v in snapshot.items() if now.get(k) != v)
    return changed[:10]


def overridden_members(task_cls: type, base: type) -> list[str]:
    """Scoring members of `base` (reward, done, is_match, oracle) that `task_cls` redefines."""
    return [
        m
        for m in ("reward", "done", "is_match", "oracle")
        if any(m in vars(c) for c in task_cls.__mro__ if c is not base and issubclass(c, base))
    ]
