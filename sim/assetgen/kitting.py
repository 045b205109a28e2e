"""Kitting shapes: the 20 extruded outlines `kitting/00.obj` .. `19.obj` and their symmetry table.

Ids, names, footprints and symmetries follow docs/assets.md#kitting-shapes (the Ravens kitting set): train
split ids 0..13, test split 14..19. Meshes are in "units" (the templates scale them by 0.003 in xy and
0.001 in z), footprints about 20 x 20 units, z from 0 to 20. Regular shapes are centred on their
rotation centre so that a turn by the symmetry angle maps the outline onto itself; the others are
centred on their bounding box.

Import-light on purpose: `SHAPES` is read by `sim.utils` at import in every sandboxed task run, so
the mesh builders (trimesh) are imported only inside `shape_mesh`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import trimesh

TAU = 2 * math.pi

# (id, name, symmetry in radians) as used by make_kitting_objects; 2pi means "no symmetry" (the yaw
# must match within rot_eps) and 0 means yaw is ignored (docs/assets.md#kitting-shapes).
SHAPES: list[tuple[int, str, float]] = [
    (0, "letter R", TAU),
    (1, "letter A", TAU),
    (2, "triangle", TAU / 3),
    (3, "square", TAU / 4),
    (4, "plus", TAU / 4),
    (5, "letter T", TAU),
    (6, "diamond", TAU / 2),
    (7, "pentagon", TAU / 5),
    (8, "rectangle", TAU / 2),
    (9, "flower", TAU / 4),
    (10, "star", TAU / 5),
    (11, "circle", 0.0),
    (12, "letter G", TAU),
    (13, "letter V", TAU),
    (14, "letter E", TAU),
    (15, "letter L", TAU),
    (16, "ring", 0.0),
    (17, "hexagon", TAU / 6),
    (18, "heart", TAU),
    (19, "letter M", TAU),
]

HEIGHT = 20.0  # extrusion height in mesh units (z from 0 to 20)

# Blocky glyphs: text rows, '#' filled; footprints (width, height) from the table in
# docs/assets.md#kitting-shapes.
GLYPHS: dict[int, tuple[tuple[str, ...], float, float]] = {
    0: (("#####", "#...#", "#...#", "#####", "#.##.", "#..##", "#...#"), 13.5, 18.9),
    1: ((".###.", "##.##", "#...#", "#...#", "#####", "#...#", "#...#"), 16.6, 19.0),
    4: ((".#.", "###", ".#."), 20.0, 20.0),
    5: (("#####", "..#..", "..#..", "..#..", "..#.."), 20.0, 20.0),
    12: (("#####", "#....", "#....", "#..##", "#...#", "#...#", "#####"), 15.1, 19.4),
    13: (("#...#", "#...#", "#...#", "##.##", ".#.#.", ".###.", "..#.."), 15.7, 18.9),
    14: (("####", "#...", "####", "#...", "####"), 10.7, 18.9),
    15: (("#....", "#....", "#....", "#....", "#####"), 20.0, 20.0),
    19: (("#...#", "##.##", "#####", "#.#.#", "#...#", "#...#", "#...#"), 18.0, 18.9),
}


def regular_polygon(n: int, radius: float, phase: float = math.pi / 2) -> list[tuple[float, float]]:
    """Counter-clockwise regular n-gon of circumradius `radius`, first vertex at angle `phase`."""
    return [(radius * math.cos(phase + TAU * i / n), radius * math.sin(phase + TAU * i / n)) for i in range(n)]


def star(points: int = 5, outer: float = 10.0, inner: float = 4.0) -> list[tuple[float, float]]:
    """Counter-clockwise star outline, alternating outer and inner radii, a tip pointing up."""
    return [
        (
            (outer if i % 2 == 0 else inner) * math.cos(math.pi / 2 + math.pi * i / points),
            (outer if i % 2 == 0 else inner) * math.sin(math.pi / 2 + math.pi * i / points),
        )
        for i in range(2 * points)
    ]


def flower(samples: int = 128) -> list[tuple[float, float]]:
    """Four-petal polar curve r = 7 + 3 cos(4 t): petals on the axes, radius 10 (20 x 20 footprint)."""
    return [
        ((7 + 3 * math.cos(4 * t)) * math.cos(t), (7 + 3 * math.cos(4 * t)) * math.sin(t))
        for t in (TAU * i / samples for i in range(samples))
    ]


def heart(samples: int = 96, width: float = 19.2, height: float = 17.6) -> list[tuple[float, float]]:
    """Classic parametric heart (x = 16 sin^3 t, y = 13 cos t - 5 cos 2t - 2 cos 3t - cos 4t),
    traced counter-clockwise and scaled/centred to the footprint of docs/assets.md#kitting-shapes."""
    pts = [
        (-16 * math.sin(t) ** 3, 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t))
        for t in (TAU * i / samples for i in range(samples))
    ]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    sx, sy = width / (max(xs) - min(xs)), height / (max(ys) - min(ys))
    return [((x - cx) * sx, (y - cy) * sy) for x, y in pts]


def shape_mesh(shape_id: int) -> trimesh.Trimesh:
    """Closed mesh of kitting shape `shape_id` (0..19), in units, z in [0, 20].

    Raises KeyError for an unknown id.
    """
    from sim.assetgen.mesh import extrude, extrude_cells, revolve  # trimesh: see module docstring

    if shape_id in GLYPHS:
        rows, w, h = GLYPHS[shape_id]
        return extrude_cells(rows, w, h, 0.0, HEIGHT)
    outline_and_centre = {
        2: (regular_polygon(3, 20 / math.sqrt(3)), None),  # equilateral, 20 wide, centroid at origin
        3: ([(-10, -10), (10, -10), (10, 10), (-10, 10)], None),
        6: ([(0, -10), (12.5, 0), (0, 10), (-12.5, 0)], None),
        7: (regular_polygon(5, 10.0), None),
        8: ([(-12.5, -7.5), (12.5, -7.5), (12.5, 7.5), (-12.5, 7.5)], None),
        9: (flower(), (0.0, 0.0)),
        10: (star(), (0.0, 0.0)),
        17: (regular_polygon(6, 10.0), None),
        18: (heart(), (0.0, 0.0)),
    }
    if shape_id in outline_and_centre:
        outline, centre = outline_and_centre[shape_id]
        return extrude(outline, 0.0, HEIGHT, centre)
    if shape_id == 11:
        return revolve([(0, 0), (10, 0), (10, HEIGHT), (0, HEIGHT)], 64)
    if shape_id == 16:
        return revolve([(4.2, 0), (10, 0), (10, HEIGHT), (4.2, HEIGHT)], 64)
    raise KeyError(f"unknown kitting shape id {shape_id}; valid ids are 0..{len(SHAPES) - 1}")
