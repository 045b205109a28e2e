"""Primitive assets and templates of docs/assets.md#asset-catalogue, docs/assets.md#placeholders: blocks,
boxes, balls, spheres, cylinders, markers (line, square, corner, zone), container, plane and the kitting
templates.

Each function returns {relative path: file text}. Placeholders are written verbatim (`DIM0`,
`HALF1`, ...) for `fill_template` / the dummy filler to replace. Visual-only markers have mass 0,
so one added with category 'rigid' stays put instead of falling through the floor forever
(which would also stall `env.step`'s wait-until-still loop).
"""

from __future__ import annotations

from sim.assetgen import mesh as meshes
from sim.assetgen.kitting import SHAPES, shape_mesh
from sim.assetgen.urdf import BROWN, GREEN, RED, Shape, box, cylinder, mesh, single, sphere


def _cube(name: str, size: float, **kw) -> str:
    return single(name, [Shape(box((size, size, size)), color=RED)], **kw)


def blocks() -> dict[str, str]:
    """4 cm cubes (block, stacking block 10 g, anchor block 20 g) and the 1 cm pile block."""
    return {
        "block/block.urdf": _cube("block.urdf", 0.04),
        "block/small.urdf": _cube("small.urdf", 0.01, mass=0.001, friction=0.5),
        "block/block_for_anchors.urdf": _cube("block_for_anchors.urdf", 0.04, mass=0.02),
        "stacking/block.urdf": _cube("block.urdf", 0.04, mass=0.01),
    }


def solids() -> dict[str, str]:
    """Box, ball, sphere and cylinder templates with their copies and fixed-size variants."""
    box_t = single("box.urdf", [Shape(box(("DIM0", "DIM1", "DIM2")), color=RED)])
    ball_t = single("ball.urdf", [Shape(sphere("DIM0"), color=RED)])
    ball = single("ball.urdf", [Shape(sphere(0.03), color=RED)])
    cyl_swapped = single(
        "cylinder.urdf",
        [Shape(cylinder("DIM0", "DIM2"), color=RED, collision=False), Shape(cylinder("DIM2", "DIM0"), visual=False)],
    )
    return {
        "box/box-template.urdf": box_t,
        "box/box-template_DIM.urdf": box_t,
        "ball/ball-template.urdf": ball_t,
        "ball/ball-template_DIM.urdf": ball_t,
        "ball/ball.urdf": ball,
        "ball/ball-template_COLOR.urdf": ball,
        "sphere/sphere.urdf": ball,
        "sphere/sphere-template.urdf": ball_t,
        "sphere/sphere-template_DIM.urdf": ball_t,
        "sphere/sphere_rope.urdf": single("sphere_rope.urdf", [Shape(sphere(0.005), color=RED)]),
        # Correct cylinder: radius DIM0, length DIM2 for visual and collision alike
        # (docs/compat.md#cylinder-swap).
        "cylinder/cylinder-template.urdf": single("cylinder.urdf", [Shape(cylinder("DIM0", "DIM2"), color=RED)]),
        # The original's collision swaps radius and length; kept for a compatibility flag.
        "cylinder/cylinder-template_swapped.urdf": cyl_swapped,
        "cylinder/cylinder-template_old.urdf": cyl_swapped,
        "cylinder/cylinder-template_DIMR_DIMH.urdf": single(
            "cylinder.urdf", [Shape(cylinder("DIMR0", "DIMH0"), color=RED)]
        ),
    }


def _marker(name: str, strips, colour=GREEN) -> str:
    """Visual-only flat strips: each (size xyz, centre xyz)."""
    return single(name, [Shape(box(s), xyz=c, color=colour, collision=False) for s, c in strips], mass=0)


def markers() -> dict[str, str]:
    """Line, square, rectangle and corner outlines (green, 1 mm high, no collision), zone frame."""
    line = _marker("line.urdf", [(("DIM0", 0.01, 0.001), (0, 0, 0))])
    square = _marker(
        "square.urdf",
        [
            (("DIM0", 0.01, 0.001), (0, "-HALF0", 0)),
            ((0.01, "DIM0", 0.001), ("HALF0", 0, 0)),
            ((0.01, "DIM0", 0.001), ("-HALF0", 0, 0)),
        ],
    )
    allsides = [
        (("DIM0", 0.01, 0.001), (0, "HALF0", 0)),
        (("DIM0", 0.01, 0.001), (0, "-HALF0", 0)),
        ((0.01, "DIM0", 0.001), ("HALF0", 0, 0)),
        ((0.01, "DIM0", 0.001), ("-HALF0", 0, 0)),
    ]
    rectangle = _marker(
        "rectangle.urdf",
        [
            (("DIM0", 0.01, 0.001), (0, "HALF1", 0)),
            (("DIM0", 0.01, 0.001), (0, "-HALF1", 0)),
            ((0.01, "DIM1", 0.001), ("HALF0", 0, 0)),
            ((0.01, "DIM1", 0.001), ("-HALF0", 0, 0)),
        ],
    )
    corner = _marker(
        "corner.urdf", [((0.055, 0.005, 0.001), ("DIMX0", "DIMY0", 0)), ((0.005, 0.055, 0.001), ("DIMX1", "DIMY1", 0))]
    )
    # Zone/line frame: outer 20 x 20, inner 18 x 18, 20 high (units); 4 segments at 45 degrees make
    # a revolved square whose corners sit at radius half-side * sqrt(2).
    frame = meshes.obj_text(
        meshes.revolve(
            [(9 * 2**0.5, 0), (10 * 2**0.5, 0), (10 * 2**0.5, 20), (9 * 2**0.5, 20)], 4, phase=3.141592653589793 / 4
        )
    )
    zone = single(
        "zone.urdf",
        [Shape(mesh("zone.obj", (0.006, 0.006, 0.00005)), color=GREEN, collision=False)],
        mass=0,
        inertial_xyz=(-0.01, 0, 0.02),
    )  # as the original (docs/compat.md#inertial-offset)
    files = {
        "line/line-template.urdf": line,
        "line/line-template_DIM.urdf": line,
        "line/single-green-line-template.urdf": line,
        "line/line.obj": frame,
        "square/square-template.urdf": square,
        "square/square-template_HALF_DIM.urdf": square,
        "square/square-template-allsides-COLOR.urdf": _marker("square.urdf", allsides, ("COLOR0", "COLOR1", "COLOR2")),
        "square/square-template-allsides-blue.urdf": _marker("square.urdf", allsides, (0, 0.5, 0.9)),
        "square/square-template-allsides-green.urdf": _marker("square.urdf", allsides),
        "square/rectangle-template-sides-1_test.urdf": rectangle,
        "corner/corner-template.urdf": corner,
        "corner/corner-template_DIMX_DIMY.urdf": corner,
        "zone/zone.obj": frame,
        "zone/zone.urdf": zone,
    }
    for k in range(1, 5):
        files[f"square/rectangle-template-sides-{k}.urdf"] = rectangle
    return files


def container() -> dict[str, str]:
    """Open-top box of 0.002 m plates around a DIM0 x DIM1 x DIM2 interior (friction 0.3, brown)."""
    plates = [
        (("DIM0", "DIM1", 0.002), (0, 0, "-HALF2")),
        (("DIM0", 0.002, "DIM2"), (0, "HALF1", 0)),
        (("DIM0", 0.002, "DIM2"), (0, "-HALF1", 0)),
        ((0.002, "DIM1", "DIM2"), ("HALF0", 0, 0)),
        ((0.002, "DIM1", "DIM2"), ("-HALF0", 0, 0)),
    ]
    text = single("container.urdf", [Shape(box(s), xyz=c, color=BROWN) for s, c in plates], friction=0.3)
    return {"container/container-template.urdf": text, "container/container-template_DIM_HALF.urdf": text}


def plane() -> dict[str, str]:
    """Collision-only 200 x 200 x 10 m floor slab (the original's size); its top is at z = 0 when
    loaded at z = -0.001 (docs/environment.md#env-reset). It must be that large: tasks park objects 10 m away
    (e.g. palletizing) and expect them to rest there, not fall forever and keep env.step waiting."""
    return {
        "plane/plane.urdf": single("plane.urdf", [Shape(box((200, 200, 10)), xyz=(0, 0, -4.999), visual=False)], mass=0)
    }


def kitting() -> dict[str, str]:
    """Kit board, object templates (FNAME0 mesh scaled by SCALE0..2, colour COLOR0..2) and meshes 00..19."""
    geom = mesh("FNAME0", ("SCALE0", "SCALE1", "SCALE2"))
    colour = ("COLOR0", "COLOR1", "COLOR2")
    obj = single("object.urdf", [Shape(geom, color=colour)])
    files = {
        "kitting/kit.urdf": single("kit.urdf", [Shape(box((0.28, 0.2, 0.005)), color=BROWN)]),
        "kitting/object-template.urdf": obj,
        "kitting/object-template_FNAME_COLOR_SCALE.urdf": obj,
        "kitting/object-template-nocollision.urdf": single(
            "object.urdf", [Shape(geom, color=colour, collision=False)], mass=0
        ),
    }
    for shape_id, _, _ in SHAPES:
        files[f"kitting/{shape_id:02d}.obj"] = meshes.obj_text(shape_mesh(shape_id))
    return files


def all_files() -> dict[str, str]:
    """Every primitive asset and template, by path relative to the assets root."""
    files: dict[str, str] = {}
    for part in (blocks, solids, markers, container, plane, kitting):
        files.update(part())
    return files
