"""Geometry the offline generator places objects with: asset per kind, sizes and target slots.

Sizes are metres (x, y, z); slots are offsets (dx, dy, dz) in the frame of a base pose, turned into
targets by the generated code with `utils.apply(base_pose, slot)`. Spacing keeps 4 cm blocks at least
1 cm apart, so the oracle's contact descent (docs/oracle.md#pick-place) never lands on a neighbour, and every
slot is more than `pos_eps` (1 cm, docs/task-api.md#metric-pose) from every other one.
"""

from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class Asset:
    """How to spawn one object kind.

    urdf: path under the assets root (docs/assets.md#asset-catalogue); fill: placeholder dict for
    `fill_template` (values are Python literals written into the code) or None for a plain URDF; size:
    footprint passed to `get_random_pose`; height: top of the object above its base frame bottom, used to
    stack on it; symmetry: yaw symmetry for `add_goal` (0 = yaw ignored, docs/task-api.md#task-goals).
    """

    urdf: str
    size: tuple
    fill: dict | None = None
    height: float = 0.04
    symmetry: str = "np.pi / 2"


def cylinder(radius: float, length: float) -> Asset:
    """An upright cylinder from cylinder-template (DIM0 = radius, DIM2 = length; our asset collides as it
    looks, unlike the original's swapped one, docs/compat.md#cylinder-swap)."""
    return Asset(
        "cylinder/cylinder-template.urdf",
        (2 * radius, 2 * radius, length),
        {"DIM": (radius, radius, length)},
        length,
        "0",
    )


def box(size: tuple, symmetry: str = "np.pi / 2") -> Asset:
    """A solid box of full extents `size` from box-template (DIM = extents, docs/assets.md#placeholders)."""
    return Asset("box/box-template.urdf", size, {"DIM": size}, size[2], symmetry)


# (kind, size word) -> Asset. Medium blocks are the 4 cm stacking cube of the original tasks.
ASSETS = {
    ("block", "medium"): Asset("stacking/block.urdf", (0.04, 0.04, 0.04)),
    ("block", "small"): box((0.03, 0.03, 0.03)),
    ("block", "large"): box((0.05, 0.05, 0.05)),
    ("box", "medium"): box((0.05, 0.05, 0.05)),
    ("box", "small"): box((0.04, 0.04, 0.03)),
    ("box", "large"): box((0.06, 0.06, 0.05)),
    ("plank", "medium"): box((0.12, 0.04, 0.02), "np.pi"),
    ("plank", "small"): box((0.07, 0.07, 0.015)),
    ("plank", "large"): box((0.09, 0.09, 0.02)),
    ("cylinder", "medium"): cylinder(0.02, 0.04),
    ("cylinder", "small"): cylinder(0.015, 0.03),
    ("cylinder", "large"): cylinder(0.025, 0.05),
    ("wheel", "medium"): cylinder(0.025, 0.025),  # a puck: flat top for the chassis
    ("ball", "medium"): Asset("ball/ball-template.urdf", (0.04, 0.04, 0.04), {"DIM": (0.02,)}, 0.04, "0"),
    ("ball", "small"): Asset("ball/ball-template.urdf", (0.03, 0.03, 0.03), {"DIM": (0.015,)}, 0.03, "0"),
    ("ball", "large"): Asset("ball/ball-template.urdf", (0.05, 0.05, 0.05), {"DIM": (0.025,)}, 0.05, "0"),
    ("ell", "medium"): Asset("insertion/ell.urdf", (0.1, 0.1, 0.04), None, 0.04, "2 * np.pi"),
    # Scenery (added 'fixed').
    ("bowl", "medium"): Asset("bowl/bowl.urdf", (0.12, 0.12, 0), None, 0.0),
    ("zone", "medium"): Asset("zone/zone.urdf", (0.12, 0.12, 0), None, 0.0),
    ("container", "medium"): Asset(
        "container/container-template.urdf",
        (0.15, 0.15, 0.05),
        {"DIM": (0.15, 0.15, 0.05), "HALF": (0.075, 0.075, 0.025)},
        -0.025,
    ),
    ("pallet", "medium"): Asset("pallet/pallet.urdf", (0.3, 0.25, 0.04), None, 0.02),
    ("stand", "medium"): Asset("stacking/stand.urdf", (0.05, 0.15, 0.005), None, 0.005),
    # L marker hugging one corner of a 5 cm box at the marker's pose (align-box-corner's DIMX/DIMY rule).
    ("corner", "medium"): Asset(
        "corner/corner-template.urdf", (0.1, 0.1, 0), {"DIMX": (0.0025, 0.0275), "DIMY": (0.0275, 0.0025)}, 0.0
    ),
    ("fixture", "medium"): Asset("insertion/fixture.urdf", (0.1, 0.1, 0.04), None, 0.0),
}
# A thin grey plate that reserves the build area of structures without a named base.
PLATE_THICKNESS = 0.002


def asset(kind: str, size: str = "medium") -> Asset:
    """The Asset of `kind` at `size`, falling back to medium; KeyError for an unknown kind."""
    return ASSETS.get((kind, size)) or ASSETS[(kind, "medium")]


def grid(n: int, spacing: float) -> list[tuple]:
    """n slots on a near-square grid centred on the origin, `spacing` apart (z = 0)."""
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    out = []
    for k in range(n):
        r, c = divmod(k, cols)
        out.append((round((c - (cols - 1) / 2) * spacing, 4), round((r - (rows - 1) / 2) * spacing, 4), 0.0))
    return out


def row(n: int, spacing: float) -> list[tuple]:
    """n slots along the base's x axis, centred, `spacing` apart."""
    return [(round((k - (n - 1) / 2) * spacing, 4), 0.0, 0.0) for k in range(n)]


def ring(n: int, chord: float = 0.07) -> tuple[float, list[tuple]]:
    """(radius, n slots evenly on a circle) with neighbours `chord` apart (at least 6 cm radius)."""
    radius = max(0.06, chord / (2 * math.sin(math.pi / max(n, 2))))
    return radius, [
        (round(radius * math.cos(2 * math.pi * k / n), 4), round(radius * math.sin(2 * math.pi * k / n), 4), 0.0)
        for k in range(n)
    ]


# Slots inside or on a target, for several objects sharing it (zone/container/pallet/stand).
def slots_on(kind: str, n: int) -> list[tuple]:
    """Where n objects go on a target of `kind`; bowls take every object in the middle (they stack)."""
    if kind == "bowl" or n == 1:
        return [(0.0, 0.0, 0.0)] * n
    if kind == "stand":
        return [(0.0, round(0.05 * (k % 3 - 1), 3), 0.04 * (k // 3)) for k in range(n)]
    if kind == "pallet":
        return grid(n, 0.07)
    return grid(n, 0.05 if n <= 4 else 0.045)


def pyramid_slots(n: int) -> list[list[tuple]]:
    """Rows of a block pyramid (bottom first) on a base, 4 cm blocks 5 cm apart: 2-1 for 3 blocks,
    else the 3-2-1 rows filled bottom-up with the first min(n, 6) slots (an unfinished pyramid)."""
    if n == 3:
        return [[(0, -0.025, 0.02), (0, 0.025, 0.02)], [(0, 0, 0.06)]]
    rows = [[(0, -0.05, 0.02), (0, 0, 0.02), (0, 0.05, 0.02)], [(0, -0.025, 0.06), (0, 0.025, 0.06)], [(0, 0, 0.10)]]
    out, left = [], n
    for r in rows:
        if left > 0:
            out.append(r[:left])
            left -= len(r)
    return out


# Directions of the relations in world coordinates (x, y), as seen in the video: its camera stands in
# front of the table (+x) looking back towards the robot (sim/camera.py VIDEO), so the viewer's left is -y.
RELATION_AXES = {
    "left": (0.0, -1.0),
    "right": (0.0, 1.0),
    "front": (1.0, 0.0),
    "behind": (-1.0, 0.0),
    "next": (0.0, 1.0),
}
ROUND_KINDS = ("bowl", "ball", "cylinder", "wheel", "disk")
GAP = 0.03  # free space between a reference object and what is placed next to it


def half_extent(kind: str, size: str = "medium") -> float:
    """Radius of the footprint of `kind` in metres: round objects their radius, others half their
    diagonal (they may be spawned at any yaw)."""
    sx, sy = asset(kind, size).size[:2]
    return round(max(sx, sy) / 2 if kind in ROUND_KINDS else math.hypot(sx, sy) / 2, 4)


def side_slots(relation: str, ref_half: float, mover_half: float, n: int) -> list[tuple]:
    """n (dx, dy) offsets from a reference's centre for objects placed `relation` of it, side by side
    across the relation's axis, 2 cm apart."""
    ax, ay = RELATION_AXES[relation]
    d = ref_half + mover_half + GAP
    step = 2 * mover_half + 0.02
    return [
        (round(ax * d + ay * (k - (n - 1) / 2) * step, 4), round(ay * d + ax * (k - (n - 1) / 2) * step, 4))
        for k in range(n)
    ]


def ring_around(ref_half: float, mover_half: float, n: int) -> list[tuple]:
    """n (dx, dy) offsets evenly around a reference, far enough that neighbours keep 2 cm apart."""
    chord = 2 * mover_half + 0.02
    radius = max(ref_half + mover_half + GAP, chord / (2 * math.sin(math.pi / max(n, 2))))
    return [
        (
            round(radius * math.cos(2 * math.pi * k / n + math.pi / 2), 4),
            round(radius * math.sin(2 * math.pi * k / n + math.pi / 2), 4),
        )
        for k in range(n)
    ]


def square_slots(n: int, spacing: float) -> list[tuple]:
    """4 corners of a square, or its 8 corner-and-side points, `spacing` apart (z = 0)."""
    if n == 4:
        return [
            (round(x * spacing / 2, 4), round(y * spacing / 2, 4), 0.0) for x, y in ((-1, -1), (-1, 1), (1, 1), (1, -1))
        ]
    pts = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
    return [(round(x * spacing, 4), round(y * spacing, 4), 0.0) for x, y in pts[:n]]


def grid_slots(rows: int, cols: int, spacing: float, n: int) -> list[tuple]:
    """The first n of rows x cols slots, row by row (rows along x, columns along y), centred."""
    out = [
        (round((r - (rows - 1) / 2) * spacing, 4), round((c - (cols - 1) / 2) * spacing, 4), 0.0)
        for r in range(rows)
        for c in range(cols)
    ]
    return out[:n]
