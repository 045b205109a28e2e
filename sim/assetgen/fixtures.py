"""Compound assets: bowl, pallet, insertion ell and fixture, stacking stand, hanoi stand and disks.

Each function returns {relative path: file text}. Geometry follows docs/assets.md#asset-catalogue,
docs/assets.md#kitting-shapes. Bodies that must hold things inside a concave shape (bowl, hanoi disks) get
collision made of convex pieces, because PyBullet replaces a dynamic body's mesh collision by its convex hull.
"""

from __future__ import annotations

import math

from sim.assetgen import mesh as meshes
from sim.assetgen.urdf import (
    BLUE,
    BOWL_GREEN,
    BROWN,
    DARK_BROWN,
    GRAY,
    GREEN,
    LIGHT_BROWN,
    RED,
    WOOD,
    YELLOW,
    Link,
    Shape,
    box,
    cylinder,
    mesh,
    robot,
    single,
)

# Bowl (metres): outer rim radius and height as the original after its (1.25, 1.25, 0.25) mesh scale.
BOWL_RADIUS, BOWL_HEIGHT, BOWL_FLOOR_RADIUS = 0.058, 0.035, 0.035
BOWL_WALL, BOWL_FLOOR, BOWL_SEGMENTS = 0.004, 0.004, 16
BOWL_SCALE = (1.25, 1.25, 0.25)  # kept so getVisualShapeData reports the original mesh scale
BOWL_INERTIAL = (-0.01, 0, 0.02)  # docs/compat.md#inertial-offset: getBasePositionAndOrientation is offset by this


def bowl() -> dict[str, str]:
    """Thin-walled revolved bowl, bottom at z = 0, rim at BOWL_HEIGHT, centred on the link origin.

    Collision: a floor disc plus BOWL_SEGMENTS flared wall boxes, so objects rest inside it.
    """
    profile = [
        (0, 0),
        (BOWL_FLOOR_RADIUS, 0),
        (BOWL_RADIUS, BOWL_HEIGHT),
        (BOWL_RADIUS - BOWL_WALL, BOWL_HEIGHT),
        (BOWL_FLOOR_RADIUS - BOWL_WALL / 2, BOWL_FLOOR),
        (0, BOWL_FLOOR),
    ]
    sx, _, sz = BOWL_SCALE
    visual = meshes.revolve([(r / sx, z / sz) for r, z in profile], 32)
    shapes = [
        Shape(mesh("bowl.obj", BOWL_SCALE), color=BOWL_GREEN, collision=False),
        Shape(cylinder(BOWL_FLOOR_RADIUS, BOWL_FLOOR), xyz=(0, 0, BOWL_FLOOR / 2), visual=False),
    ]
    # Wall boxes: inner face on the line from the floor edge (z = BOWL_FLOOR) to the rim.
    dr, dz = BOWL_RADIUS - BOWL_FLOOR_RADIUS, BOWL_HEIGHT - BOWL_FLOOR
    tilt, length = math.atan2(dr, dz), math.hypot(dr, dz)
    r_mid = (BOWL_FLOOR_RADIUS + BOWL_RADIUS) / 2 + BOWL_WALL / 2 * math.cos(tilt)
    z_mid = (BOWL_FLOOR + BOWL_HEIGHT) / 2 - BOWL_WALL / 2 * math.sin(tilt)
    chord = 2 * (BOWL_RADIUS + BOWL_WALL) * math.tan(math.pi / BOWL_SEGMENTS)  # closes the rim gaps
    for i in range(BOWL_SEGMENTS):
        yaw = 2 * math.pi * i / BOWL_SEGMENTS
        shapes.append(
            Shape(
                box((BOWL_WALL, chord, length)),
                xyz=(r_mid * math.cos(yaw), r_mid * math.sin(yaw), z_mid),
                rpy=(0, tilt, yaw),
                visual=False,
            )
        )
    return {
        "bowl/bowl.obj": meshes.obj_text(visual),
        "bowl/bowl.urdf": single("bowl.urdf", shapes, inertial_xyz=BOWL_INERTIAL),
    }


def pallet() -> dict[str, str]:
    """Slatted pallet: mesh in units (1.2 x 1.0 x 0.15, scale 0.25 -> 0.30 x 0.25 x 0.0375 m).

    Collision is one box of the pallet's hull: that is what PyBullet made of the original mesh
    (convex hull), so objects rest on the top deck at z = +0.019 exactly as before.
    """
    specs = []
    for x0, x1 in (
        (-0.6, -0.46),
        (-0.39, -0.29),
        (-0.22, -0.12),
        (-0.05, 0.05),
        (0.12, 0.22),
        (0.29, 0.39),
        (0.46, 0.6),
    ):
        for z in (0.065, -0.065):  # top and bottom deck boards, 0.02 thick
            specs.append(((x1 - x0, 1.0, 0.02), ((x0 + x1) / 2, 0, z)))
    for y0, y1 in ((-0.5, -0.46), (-0.02, 0.02), (0.46, 0.5)):  # stringers between the decks
        specs.append(((1.2, y1 - y0, 0.11), (0, (y0 + y1) / 2, 0)))
    shapes = [
        Shape(mesh("pallet.obj", (0.25, 0.25, 0.25)), color=WOOD, collision=False),
        Shape(box((0.3, 0.25, 0.0375)), visual=False),
    ]
    return {
        "pallet/pallet.obj": meshes.obj_text(meshes.boxes(specs)),
        "pallet/pallet.urdf": single("pallet.urdf", shapes),
    }


# The ell footprint spans -0.015..0.065 in x and y (two 0.03-wide arms); the fixture's walls stand
# INSERTION_CLEARANCE outside it so an ell placed within a few millimetres drops in.
INSERTION_CLEARANCE, INSERTION_WALL, INSERTION_HEIGHT = 0.004, 0.002, 0.04


def insertion() -> dict[str, str]:
    """L-shaped block `insertion/ell.urdf` and its slot `insertion/fixture.urdf` (friction 0.3)."""
    ell = [
        Shape(box((0.08, 0.03, 0.04)), xyz=(0.025, 0, 0), color=RED),
        Shape(box((0.03, 0.08, 0.0399)), xyz=(0, 0.025, 0), color=RED),
    ]
    c, t, h = INSERTION_CLEARANCE, INSERTION_WALL, INSERTION_HEIGHT
    x0 = y0 = -0.015 - c
    x1 = y1 = 0.065 + c
    xi = yi = 0.015 + c  # inner corner of the L
    walls = [  # (size xy, centre xy) for the six edges of the L outline, walls outside it
        ((x1 - x0 + 2 * t, t), ((x0 + x1) / 2, y0 - t / 2)),
        ((t, yi + t - y0), (x1 + t / 2, (y0 + yi + t) / 2)),
        ((x1 + t - xi, t), ((xi + x1 + t) / 2, yi + t / 2)),
        ((t, y1 + t - yi), (xi + t / 2, (yi + y1 + t) / 2)),
        ((xi - x0 + 2 * t, t), ((x0 + xi) / 2, y1 + t / 2)),
        ((t, y1 - y0 + 2 * t), (x0 - t / 2, (y0 + y1) / 2)),
    ]
    fixture = [Shape(box((sx, sy, h)), xyz=(cx, cy, 0), color=GRAY) for (sx, sy), (cx, cy) in walls]
    fixture.append(Shape(box((0.02, 0.02, 0.001)), xyz=(0, 0, -0.02), visual=False))
    return {
        "insertion/ell.urdf": single("ell.urdf", ell, friction=0.3),
        "insertion/fixture.urdf": single("fixture.urdf", fixture, friction=0.3),
    }


def _tiles(size, offsets_colours, extra=None, **kwargs) -> list[Link]:
    """Base tile at the origin plus child tiles at y offsets; `extra(y)` adds shapes per tile."""
    links = []
    for name, y, colour in offsets_colours:
        shapes = [Shape(box(size), color=colour)] + (extra() if extra else [])
        links.append(Link(name, shapes, origin=(0, y, 0), **kwargs))
    return links


def stacking_stand() -> dict[str, str]:
    """Three 0.05 x 0.05 x 0.005 tiles along y: light brown (-0.05), brown (0, base), dark (+0.05)."""
    links = _tiles((0.05, 0.05, 0.005), [("base", 0, BROWN), ("left", -0.05, LIGHT_BROWN), ("right", 0.05, DARK_BROWN)])
    return {"stacking/stand.urdf": robot("stand.urdf", links)}


HANOI_INNER, HANOI_OUTER, HANOI_THICKNESS = 0.015, (0.030, 0.035, 0.040, 0.045), 0.01
HANOI_COLOURS = (RED, YELLOW, GREEN, BLUE)
HANOI_SEGMENTS = 6  # contacts dominate step cost: 12 pieces ~7 ms/step for a 4-disk stack, 6 ~2 ms


def _ring_boxes(inner: float, outer: float, thickness: float) -> list[Shape]:
    """Annulus as HANOI_SEGMENTS radial boxes (convex pieces), so the hole stays open."""
    chord = 2 * outer * math.tan(math.pi / HANOI_SEGMENTS)
    mid = (inner + outer) / 2
    return [
        Shape(
            box((outer - inner, chord, thickness)),
            visual=False,
            xyz=(mid * math.cos(a), mid * math.sin(a), 0),
            rpy=(0, 0, a),
        )
        for a in (2 * math.pi * i / HANOI_SEGMENTS for i in range(HANOI_SEGMENTS))
    ]


def hanoi() -> dict[str, str]:
    """Hanoi stand (three 0.12 tiles with rods, friction 0.5), disks 0..3, slim disk and block."""

    def rod():
        return [Shape(cylinder(0.005, 0.05), xyz=(0, 0, 0.03), color=GRAY)]

    links = _tiles(
        (0.12, 0.12, 0.01),
        [("base", 0, BROWN), ("left", -0.12, LIGHT_BROWN), ("right", 0.12, DARK_BROWN)],
        extra=rod,
        friction=0.5,
    )
    files = {
        "hanoi/stand.urdf": robot("stand.urdf", links),
        "hanoi/block.urdf": single("block.urdf", [Shape(box((0.04, 0.04, 0.04)), color=RED)]),
    }
    half_mm = HANOI_THICKNESS * 1000 / 2
    for n, (outer, colour) in enumerate(zip(HANOI_OUTER, HANOI_COLOURS)):
        ring = meshes.revolve(
            [
                (HANOI_INNER * 1000, -half_mm),
                (outer * 1000, -half_mm),
                (outer * 1000, half_mm),
                (HANOI_INNER * 1000, half_mm),
            ],
            64,
        )
        files[f"hanoi/disk{n}.obj"] = meshes.obj_text(ring)
        shapes = [Shape(mesh(f"disk{n}.obj", (0.001, 0.001, 0.001)), color=colour, collision=False)]
        files[f"hanoi/disk{n}.urdf"] = single(
            f"disk{n}.urdf", shapes + _ring_boxes(HANOI_INNER, outer, HANOI_THICKNESS)
        )
    slim = [Shape(mesh("disk3.obj", (0.001, 0.001, 0.0005)), color=BLUE, collision=False)]
    files["hanoi/slimdisk.urdf"] = single(
        "slimdisk.urdf", slim + _ring_boxes(HANOI_INNER, HANOI_OUTER[3], HANOI_THICKNESS / 2)
    )
    return files


def all_files() -> dict[str, str]:
    """Every compound asset, by path relative to the assets root."""
    files: dict[str, str] = {}
    for part in (bowl, pallet, insertion, stacking_stand, hanoi):
        files.update(part())
    return files
