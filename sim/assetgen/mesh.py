"""Procedural triangle meshes for the asset tree, and their deterministic OBJ text.

Three builders cover every mesh we ship: `revolve` (bowl, hanoi disks, zone frame, circle, ring),
`extrude` (convex or star-shaped kitting outlines) and `extrude_cells` (blocky letter glyphs drawn on
a grid, holes allowed). All return closed, consistently wound `trimesh.Trimesh` objects with
outward normals (positive volume), so PyBullet and trimesh agree on inside/outside.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh
from trimesh.exchange.obj import export_obj


def _finish(vertices, faces) -> trimesh.Trimesh:
    """Build a mesh, merge duplicate vertices and flip it if its normals point inwards."""
    mesh = trimesh.Trimesh(np.asarray(vertices, float), np.asarray(faces, int), process=True)
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def revolve(profile: Sequence[tuple[float, float]], segments: int, phase: float = 0.0) -> trimesh.Trimesh:
    """Revolve a closed (r, z) profile polygon about the z axis.

    profile: polygon vertices (radius >= 0, height), in any orientation; points with r == 0 lie on
    the axis and become a single vertex. segments: number of angular steps (4 gives a square frame
    whose corners sit at angle `phase`). Units are whatever the caller uses.
    Raises ValueError for a negative radius or fewer than 3 segments.
    """
    if segments < 3 or any(r < 0 for r, _ in profile):
        raise ValueError(f"revolve needs >= 3 segments and radii >= 0, got {segments}, {profile}")
    vertices, index = [], {}

    def vid(k: int, j: int) -> int:
        r, z = profile[k]
        key = (k, 0 if r == 0 else j % segments)
        if key not in index:
            a = phase + 2 * math.pi * (j % segments) / segments
            index[key] = len(vertices)
            vertices.append((r * math.cos(a), r * math.sin(a), z))
        return index[key]

    faces = []
    for k in range(len(profile)):
        k2 = (k + 1) % len(profile)
        for j in range(segments):
            a0, a1, b0, b1 = vid(k, j), vid(k, j + 1), vid(k2, j), vid(k2, j + 1)
            for tri in ((a0, a1, b1), (a0, b1, b0)):
                if len(set(tri)) == 3:  # quads touching the axis collapse to one triangle
                    faces.append(tri)
    return _finish(vertices, faces)


def extrude(outline: Sequence[tuple[float, float]], z0: float, z1: float, centre=None) -> trimesh.Trimesh:
    """Extrude a counter-clockwise 2-D outline between heights z0 < z1.

    Caps are triangle fans: from the first vertex when `centre` is None (outline must be convex),
    else from `centre` (outline must be star-shaped around it). Raises ValueError when a fan
    triangle is not counter-clockwise, i.e. the outline does not meet that precondition.
    """
    pts = [tuple(map(float, p)) for p in outline]
    n = len(pts)
    verts = [(x, y, z0) for x, y in pts] + [(x, y, z1) for x, y in pts]
    fans = [(0, i, i + 1) for i in range(1, n - 1)] if centre is None else [(n, i, (i + 1) % n) for i in range(n)]
    ring = pts + ([tuple(map(float, centre))] if centre is not None else [])
    for a, b, c in fans:
        (ax, ay), (bx, by), (cx, cy) = ring[a], ring[b], ring[c]
        if (bx - ax) * (cy - ay) - (by - ay) * (cx - ax) <= 0:
            raise ValueError("outline is not convex / star-shaped around the fan centre, or not CCW")
    faces = []
    if centre is not None:  # fan index n stands for the centre: vertices 2n (bottom) and 2n + 1 (top)
        verts += [(centre[0], centre[1], z0), (centre[0], centre[1], z1)]
    bot = [*range(n), 2 * n]
    top = [*range(n, 2 * n), 2 * n + 1]
    for a, b, c in fans:
        faces.append((top[a], top[b], top[c]))
        faces.append((bot[a], bot[c], bot[b]))
    for i in range(n):
        j = (i + 1) % n
        faces += [(i, j, j + n), (i, j + n, i + n)]
    return _finish(verts, faces)


def extrude_cells(rows: Sequence[str], width: float, height: float, z0: float, z1: float) -> trimesh.Trimesh:
    """Extrude a glyph drawn as text rows ('#' filled, '.' empty, top row first).

    The glyph is scaled to `width` x `height` and centred on the origin. Only boundary faces are
    emitted, so the result is watertight with holes (the counters of A and R) kept open.
    Raises ValueError when two filled cells touch only at a corner (non-manifold vertex).
    """
    nr, nc = len(rows), len(rows[0])

    def filled(r: int, c: int) -> bool:
        return 0 <= r < nr and 0 <= c < nc and rows[r][c] == "#"

    for r in range(nr - 1):
        for c in range(nc - 1):
            a, b, d, e = filled(r, c), filled(r, c + 1), filled(r + 1, c), filled(r + 1, c + 1)
            if (a and e and not b and not d) or (b and d and not a and not e):
                raise ValueError(f"cells touch only at a corner at row {r}, column {c}")
    cw, ch = width / nc, height / nr

    def corner(r: int, c: int) -> tuple[float, float]:  # grid point -> xy, row 0 at the top (+y)
        return c * cw - width / 2, height / 2 - r * ch

    verts, faces = [], []

    def quad(p0, p1, p2, p3):
        base = len(verts)
        verts.extend((p0, p1, p2, p3))
        faces.extend(((base, base + 1, base + 2), (base, base + 2, base + 3)))

    for r in range(nr):
        for c in range(nc):
            if not filled(r, c):
                continue
            # cell corners counter-clockwise seen from +z: bottom-left, bottom-right, top-right, top-left
            bl, br, tr, tl = corner(r + 1, c), corner(r + 1, c + 1), corner(r, c + 1), corner(r, c)
            quad(*[(x, y, z1) for x, y in (bl, br, tr, tl)])
            quad(*[(x, y, z0) for x, y in (bl, tl, tr, br)])
            for (dr, dc), (p, q) in (((1, 0), (bl, br)), ((0, 1), (br, tr)), ((-1, 0), (tr, tl)), ((0, -1), (tl, bl))):
                if not filled(r + dr, c + dc):  # wall between this cell and an empty neighbour
                    quad((*p, z0), (*q, z0), (*q, z1), (*p, z1))
    return _finish(verts, faces)


def boxes(specs: Sequence[tuple[Sequence[float], Sequence[float]]]) -> trimesh.Trimesh:
    """One mesh holding several closed boxes, each given as (full extents xyz, centre xyz)."""
    parts = [trimesh.creation.box(extents=e, transform=trimesh.transformations.translation_matrix(c)) for e, c in specs]
    return trimesh.util.concatenate(parts)


def obj_text(mesh: trimesh.Trimesh) -> str:
    """OBJ text with 6-decimal vertices and no header, so identical meshes give identical bytes."""
    clean = trimesh.Trimesh(np.round(mesh.vertices, 6) + 0.0, mesh.faces, process=False)
    return export_obj(clean, include_normals=False, include_color=False, include_texture=False, digits=6, header=None)
