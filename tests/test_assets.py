"""Tests of the procedural asset tree (`python -m sim.assetgen`, docs/assets.md).

Templates are filled here with plain string replacement, the way `fill_template` does it, and
loaded into a private PyBullet DIRECT client so no global physics state is touched.
"""

import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pybullet as p
import pytest
import trimesh
from pybullet_utils.bullet_client import BulletClient

from sim.assetgen import fixtures
from sim.assetgen.build import DEFAULT_OUT, build, generated_files
from sim.assetgen.kitting import SHAPES

ASSETS = DEFAULT_OUT

# docs/assets.md#asset-catalogue table (present files) and the "other files present" list after it.
SPEC_PATHS = (
    """
block/block.urdf cylinder/cylinder-template.urdf pallet/pallet.urdf zone/zone.urdf box/box-template.urdf
container/container-template.urdf block/small.urdf corner/corner-template.urdf ball/ball-template.urdf
bowl/bowl.urdf insertion/fixture.urdf stacking/block.urdf stacking/stand.urdf sphere/sphere.urdf
line/line-template.urdf insertion/ell.urdf square/square-template.urdf sphere/sphere-template.urdf
kitting/object-template.urdf block/block_for_anchors.urdf ball/ball.urdf line/single-green-line-template.urdf
kitting/object-template-nocollision.urdf kitting/kit.urdf hanoi/stand.urdf hanoi/disk0.urdf hanoi/disk1.urdf
hanoi/disk2.urdf hanoi/disk3.urdf sphere/sphere_rope.urdf container/container-template_DIM_HALF.urdf
plane/plane.urdf zone/zone.obj pallet/pallet.obj line/line.obj
ball/ball-template_DIM.urdf ball/ball-template_COLOR.urdf box/box-template_DIM.urdf cylinder/cylinder-template_old.urdf
cylinder/cylinder-template_swapped.urdf cylinder/cylinder-template_DIMR_DIMH.urdf
corner/corner-template_DIMX_DIMY.urdf line/line-template_DIM.urdf sphere/sphere-template_DIM.urdf
square/square-template_HALF_DIM.urdf square/square-template-allsides-COLOR.urdf
square/square-template-allsides-blue.urdf square/square-template-allsides-green.urdf
square/rectangle-template-sides-1.urdf square/rectangle-template-sides-2.urdf
square/rectangle-template-sides-3.urdf square/rectangle-template-sides-4.urdf
square/rectangle-template-sides-1_test.urdf hanoi/block.urdf hanoi/slimdisk.urdf
kitting/object-template_FNAME_COLOR_SCALE.urdf
""".split()
    + [f"kitting/{i:02d}.obj" for i in range(20)]
)

# Footprints (units) per kitting id: docs/assets.md#kitting-shapes.
FOOTPRINTS = {
    0: (13.5, 18.9),
    1: (16.6, 19.0),
    2: (20, 20),
    3: (20, 20),
    4: (20, 20),
    5: (20, 20),
    6: (25, 20),
    7: (19.1, 18.1),
    8: (25, 15),
    9: (20, 20),
    10: (19.2, 20.2),
    11: (20, 20),
    12: (15.1, 19.4),
    13: (15.7, 18.9),
    14: (10.7, 18.9),
    15: (20, 20),
    16: (20, 20),
    17: (17.3, 20),
    18: (19.2, 17.6),
    19: (18.0, 18.9),
}

FILL = {
    "DIMR": (0.02,),
    "DIMH": (0.05,),
    "DIMX": (0.01, 0.02),
    "DIMY": (0.03, 0.04),
    "DIM": (0.04, 0.05, 0.06),
    "HALF": (0.02, 0.025, 0.03),
    "FNAME": (str(ASSETS / "kitting" / "03.obj"),),
    "SCALE": (0.003, 0.003, 0.001),
    "COLOR": (0.1, 0.2, 0.3),
}
PLACEHOLDER = re.compile(r"(DIM[XYRH]?|HALF|FNAME|SCALE|COLOR)\d")


def fill(text: str, values: dict) -> str:
    """fill_template-style replacement: key + index -> str(value)."""
    for key, vals in values.items():
        for i, v in enumerate(vals):
            text = text.replace(f"{key}{i}", str(v))
    return text


def load(client, rel: str, tmp_path: Path, values=FILL, pos=(0, 0, 0), fixed=False) -> int:
    """Load an asset; templates are filled into tmp_path first (meshes there use absolute paths)."""
    src = ASSETS / rel
    text = src.read_text()
    path = src
    if PLACEHOLDER.search(text):
        text = fill(text, values)
        assert not PLACEHOLDER.search(text), f"{rel}: placeholder left after filling"
        path = tmp_path / rel.replace("/", "_")
        path.write_text(text)
    return client.loadURDF(str(path), pos, useFixedBase=fixed)


@pytest.fixture
def sim():
    client = BulletClient(connection_mode=p.DIRECT)
    client.setGravity(0, 0, -9.8)
    client.loadURDF(str(ASSETS / "plane/plane.urdf"), (0, 0, -0.001))
    yield client
    client.disconnect()


def settle(client, steps=480):
    for _ in range(steps):
        client.stepSimulation()


def test_spec_paths_exist_and_missing_ones_stay_missing():
    missing = [rel for rel in SPEC_PATHS if not (ASSETS / rel).is_file()]
    assert not missing
    # the original lacks these; add_object's fallbacks depend on their absence
    # (docs/assets.md#asset-catalogue)
    assert not (ASSETS / "block/block-template.urdf").exists()
    assert not (ASSETS / "cylinder/cylinder.urdf").exists()


def test_committed_tree_is_current_and_small():
    for rel, text in generated_files().items():
        assert (ASSETS / rel).read_text() == text, f"{rel} is stale: run python -m sim.assetgen"
    total = sum(f.stat().st_size for f in ASSETS.rglob("*") if f.is_file())
    assert total < 5e6


def test_generator_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    files_a = build(a, robot=False)
    build(b, robot=False)
    assert len(files_a) == len(generated_files())
    for path in files_a:
        rel = path.relative_to(a)
        assert path.read_bytes() == (b / rel).read_bytes(), rel


@pytest.mark.parametrize("rel", sorted(r for r in generated_files() if r.endswith(".urdf")))
def test_urdf_parses_and_loads(rel, sim, tmp_path):
    root = ET.parse(ASSETS / rel).getroot()
    assert root.tag == "robot" and root.find("link") is not None
    body = load(sim, rel, tmp_path, fixed=True)
    assert body >= 0
    assert sim.getNumJoints(body) == len(root.findall("joint"))


def test_fill_template_colour_element_format():
    # fill_template's COLOR key rewrites <color rgba="..."/>: every coloured file must use that form
    for rel, text in generated_files().items():
        if rel.endswith(".urdf") and "<color" in text:
            assert all(re.fullmatch(r'<color rgba="[^"]+ 1"/>', c) for c in re.findall(r"<color[^>]*>", text)), rel


def test_kitting_meshes_watertight_with_spec_footprints():
    assert [s[0] for s in SHAPES] == list(range(20))
    assert dict((i, s) for i, _, s in SHAPES)[2] == pytest.approx(2 * math.pi / 3)
    for i, name, _ in SHAPES:
        mesh = trimesh.load(ASSETS / "kitting" / f"{i:02d}.obj", force="mesh")
        assert mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0, name
        lo, hi = mesh.bounds
        assert lo[2] == pytest.approx(0) and hi[2] == pytest.approx(20)
        width, depth = hi[:2] - lo[:2]
        want_w, want_d = FOOTPRINTS[i]
        assert abs(width - want_w) < 0.15 * want_w and abs(depth - want_d) < 0.15 * want_d, (name, width, depth)
        assert abs((lo[0] + hi[0]) / 2) < 3 and abs((lo[1] + hi[1]) / 2) < 3, name
        assert len(mesh.vertices) < 400


def aabb_size(client, body):
    lo, hi = client.getAABB(body)
    return [high - low for low, high in zip(lo, hi)]


def test_cylinder_collision_matches_visual_and_swapped_variant_swaps(sim, tmp_path):
    dims = {"DIM": (0.02, 0.02, 0.1)}  # radius 0.02, length 0.1
    ok = load(sim, "cylinder/cylinder-template.urdf", tmp_path, dims, pos=(0, 0, 1), fixed=True)
    sx, sy, sz = aabb_size(sim, ok)
    assert sx == pytest.approx(0.04, abs=0.005) and sz == pytest.approx(0.1, abs=0.005)
    for variant in ("cylinder/cylinder-template_swapped.urdf", "cylinder/cylinder-template_old.urdf"):
        bad = load(sim, variant, tmp_path, dims, pos=(1, 0, 1), fixed=True)
        sx, sy, sz = aabb_size(sim, bad)  # disc of radius 0.1 and height 0.02 (docs/compat.md#cylinder-swap)
        assert sx == pytest.approx(0.2, abs=0.005) and sz == pytest.approx(0.02, abs=0.005)
        assert sim.getVisualShapeData(bad)[0][3][:2] == pytest.approx((0.1, 0.02))  # visual: length, radius


def test_block_on_plane_rests_at_floor_level(sim, tmp_path):
    block = load(sim, "block/block.urdf", tmp_path, pos=(0.5, 0, 0.05))
    settle(sim)
    assert sim.getBasePositionAndOrientation(block)[0][2] == pytest.approx(0.02, abs=0.002)


@pytest.mark.parametrize("offset", [(0, 0), (0.01, 0), (-0.012, 0.01)])
def test_block_dropped_into_bowl_stays_inside(sim, tmp_path, offset):
    bowl = load(sim, "bowl/bowl.urdf", tmp_path, pos=(0.5, 0, 0))
    com = sim.getBasePositionAndOrientation(bowl)[0]
    assert com == pytest.approx((0.49, 0, 0.02), abs=1e-6)  # inertial origin kept (docs/compat.md#inertial-offset)
    block = load(sim, "block/block.urdf", tmp_path, pos=(0.5 + offset[0], offset[1], 0.1))
    settle(sim)
    x, y, z = sim.getBasePositionAndOrientation(block)[0]
    assert math.hypot(x - 0.5, y) < fixtures.BOWL_RADIUS - 0.02
    assert z < fixtures.BOWL_HEIGHT  # inside, not resting on a hull lid at the rim
    bowl_pos, bowl_orn = sim.getBasePositionAndOrientation(bowl)
    assert bowl_pos == pytest.approx(com, abs=0.002) and bowl_orn == pytest.approx((0, 0, 0, 1), abs=0.01)


def test_hanoi_disk_slides_onto_rod(sim, tmp_path):
    load(sim, "hanoi/stand.urdf", tmp_path, pos=(0.5, 0, 0.005), fixed=True)
    disk = load(sim, "hanoi/disk3.urdf", tmp_path, pos=(0.5, -0.12, 0.08))
    settle(sim)
    x, y, z = sim.getBasePositionAndOrientation(disk)[0]
    assert (x, y) == pytest.approx((0.5, -0.12), abs=0.012)
    assert z == pytest.approx(0.015, abs=0.003)  # resting on the tile, around the rod


def test_ell_fits_into_fixture(sim, tmp_path):
    load(sim, "insertion/fixture.urdf", tmp_path, pos=(0.5, 0.1, 0.02), fixed=True)
    ell = load(sim, "insertion/ell.urdf", tmp_path, pos=(0.503, 0.098, 0.07))
    settle(sim)
    pos, orn = sim.getBasePositionAndOrientation(ell)
    assert pos[2] == pytest.approx(0.02, abs=0.003)
    assert abs(sim.getEulerFromQuaternion(orn)[2]) < 0.1


def _props(rel):
    root = ET.parse(ASSETS / rel).getroot()
    link = root.find("link")
    friction = link.find("contact/lateral_friction")
    return (
        float(link.find("inertial/mass").get("value")),
        float(friction.get("value")) if friction is not None else None,
        len(root.findall(".//collision")),
        len(root.findall(".//visual")),
    )


# (mass kg, lateral friction) of docs/assets.md#asset-catalogue; everything else is Ravens' 0.1 kg / 1.0.
SPEC_MASS_FRICTION = {
    "block/small.urdf": (0.001, 0.5),
    "stacking/block.urdf": (0.01, 1.0),
    "block/block_for_anchors.urdf": (0.02, 1.0),
    "container/container-template.urdf": (0.1, 0.3),
    "insertion/ell.urdf": (0.1, 0.3),
    "insertion/fixture.urdf": (0.1, 0.3),
    "hanoi/stand.urdf": (0.1, 0.5),
    "block/block.urdf": (0.1, 1.0),
    "bowl/bowl.urdf": (0.1, 1.0),
}
VISUAL_ONLY = {
    "zone/zone.urdf",
    "line/line-template.urdf",
    "line/single-green-line-template.urdf",
    "square/square-template.urdf",
    "corner/corner-template.urdf",
    "kitting/object-template-nocollision.urdf",
}


def test_masses_frictions_and_visual_only_markers():
    for rel, (mass, friction) in SPEC_MASS_FRICTION.items():
        assert _props(rel)[:2] == (pytest.approx(mass), pytest.approx(friction)), rel
    for rel in VISUAL_ONLY:
        mass, _, n_collision, n_visual = _props(rel)
        assert n_collision == 0 and n_visual > 0 and mass == 0, rel
    for rel in ("block/block.urdf", "box/box-template.urdf", "kitting/object-template.urdf", "pallet/pallet.urdf"):
        assert _props(rel)[2] > 0, rel
    _, _, n_collision, n_visual = _props("plane/plane.urdf")
    assert n_collision == 1 and n_visual == 0  # collision-only floor (docs/environment.md#env-reset)


def test_block_falls_through_zone_marker_onto_floor(sim, tmp_path):
    load(sim, "zone/zone.urdf", tmp_path, pos=(0.5, 0, 0.03), fixed=True)
    block = load(sim, "block/block.urdf", tmp_path, pos=(0.5, 0, 0.05))
    settle(sim)
    assert sim.getBasePositionAndOrientation(block)[0][2] == pytest.approx(0.02, abs=0.002)


def test_shapes_table_import_is_light():
    # sim.utils reads SHAPES in every sandboxed run; trimesh must not come with it
    code = "import sys; from sim.assetgen.kitting import SHAPES; print('trimesh' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.stdout.strip() == "False"


def test_object_parked_ten_metres_away_rests_on_the_floor(sim, tmp_path):
    # palletizing parks boxes at y - 10 m; they must land (the 200 x 200 m plane,
    # docs/environment.md#env-reset)
    block = load(sim, "block/block.urdf", tmp_path, pos=(0.5, -10.25, 0.1))
    settle(sim)
    assert sim.getBasePositionAndOrientation(block)[0][2] == pytest.approx(0.02, abs=0.002)
