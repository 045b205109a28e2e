"""Warnings for the original's silent fallbacks (unknown colour -> red, missing URDF -> block,
unfilled template -> random size, no free space -> image centre).

The fallbacks still happen (docs/compat.md#silent-fallbacks: existing tasks rely on them) but each is recorded
once per episode. The environment binds its `env.warnings` list at reset; `sim.episode` copies it into the
episode dict's `warnings`.
"""

from __future__ import annotations

_sink: list[str] = []


def bind(target: list[str]) -> None:
    """Route later warnings into `target` (the current environment's `warnings` list)."""
    global _sink
    _sink = target


def warn(message: str) -> None:
    """Record `message` once (duplicates within an episode are dropped)."""
    if message not in _sink:
        _sink.append(message)
