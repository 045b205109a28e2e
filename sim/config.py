"""Compatibility flags: switch our bug fixes back to the original GenSim behaviour (spec §9.4, §10.1
"May fix behind a compatibility flag"). Defaults are the fixed behaviour; `CompatFlags.original()`
reproduces the original where the fix changes outcomes of existing task files.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class CompatFlags:
    """Each flag True = behave like the original.

    swapped_cylinder: load `cylinder/cylinder-template_swapped.urdf` for `cylinder-template.urdf`
        (collision radius/length swapped, spec §9.4-17).
    single_slide_push: `primitives.push` computes every intermediate waypoint as the final one
        (spec §9.4-24): one long slide instead of 1 cm increments.
    uint8_segmentation: `get_true_image` and camera segmentation cast body ids to uint8 (ids >= 256
        alias, background 255; spec §9.4-22).
    """
    swapped_cylinder: bool = False
    single_slide_push: bool = False
    uint8_segmentation: bool = False

    @classmethod
    def original(cls) -> "CompatFlags":
        """All flags on: the original's behaviour."""
        return cls(**{f.name: True for f in fields(cls)})


_active = {"flags": CompatFlags()}


def active() -> CompatFlags:
    """Flags of the environment that was reset last (task helpers without an env read them)."""
    return _active["flags"]


def activate(flags: CompatFlags) -> None:
    """Make `flags` the active ones (called by `Environment.reset`)."""
    _active["flags"] = flags
