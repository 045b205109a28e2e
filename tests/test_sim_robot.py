"""UR5 kinematics, suction semantics and the cliport compatibility package (docs/task-api.md#module-paths,
docs/environment.md#robot-grippers)."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pybullet as p
import pytest

from sim.env import Environment
from sim.robot import EE_TIP
from sim.task import Task

ROOT = Path(__file__).resolve().parents[1]


class Empty(Task):
    def __init__(self):
        super().__init__()
        self.max_steps = 1
        self.lang_template = ""


@pytest.fixture(scope="module")
def env():
    e = Environment()
    e.set_task(Empty())
    e.reset()
    return e


def test_body_ids_and_links(env):
    assert env.ur5 == 2 and env.ee.base == 3 and env.ee.body == 4
    assert len(env.joints) == 6 and env.ee_tip == EE_TIP == 10
    assert p.getJointInfo(env.ur5, 9)[12] == b"tool_mount"


@pytest.mark.parametrize(
    "xyz", [(0.25, -0.5, 0.02), (0.25, 0.5, 0.02), (0.75, -0.45, 0.02), (0.75, 0.45, 0.02), (0.5, 0.0, 0.32)]
)
def test_ik_reaches_workspace_top_down(env, xyz):
    joints = env.solve_ik((xyz, (0, 0, 0, 1)))
    for j, q in zip(env.joints, joints):
        p.resetJointState(env.ur5, j, q)
    state = p.getLinkState(env.ur5, EE_TIP, computeForwardKinematics=True)
    assert np.linalg.norm(np.subtract(state[4], xyz)) < 0.015
    tool_z = np.array(p.getMatrixFromQuaternion(state[5])).reshape(3, 3)[:, 2]
    assert tool_z[2] > 0.999  # identity orientation = pointing straight down


def test_tip_position_matches_the_arm_and_leaves_it_alone(env):
    joints = env.solve_ik(((0.5, 0.1, 0.2), (0, 0, 0, 1)))
    before = p.getJointStates(env.ur5, env.joints)
    tip = env.robot.tip_position(joints)
    assert p.getJointStates(env.ur5, env.joints) == before
    for j, q in zip(env.joints, joints):
        p.resetJointState(env.ur5, j, q)
    assert np.allclose(tip, p.getLinkState(env.ur5, EE_TIP, computeForwardKinematics=True)[4], atol=1e-9)


def test_movep_recovers_from_an_ik_stuck_at_a_shoulder_limit(env):
    """From this arm pose (palletizing-boxes, seed 6, carrying a box over to the pallet) the damped IK
    settles against the shoulder-lift limit 0.29 m from a reachable target; movep retries from home."""
    start = [-3.825, -1.359, 1.154, -1.366, -1.571, -0.673]
    pose = ((0.4193, 0.2219, 0.5601), (0.0, 0.0, 0.99963, -0.02737))
    for j, q in zip(env.joints, start):
        p.resetJointState(env.ur5, j, q)
    stuck = env.robot.tip_position(env.solve_ik(pose))
    assert np.linalg.norm(stuck - pose[0]) > 0.2
    for j, q in zip(env.joints, start):
        p.resetJointState(env.ur5, j, q)
    assert env.movep(pose) is False
    tip = p.getLinkState(env.ur5, EE_TIP)[4]
    assert np.linalg.norm(np.subtract(tip, pose[0])) < 0.02

    from sim import config

    for j, q in zip(env.joints, start):
        p.resetJointState(env.ur5, j, q)
    config.activate(config.CompatFlags(no_ik_retry=True))  # the original: no check, no retry
    try:
        env.movep(pose)
    finally:
        config.activate(env.flags)
    tip = p.getLinkState(env.ur5, EE_TIP)[4]
    assert np.linalg.norm(np.subtract(tip, pose[0])) > 0.2


def test_suction_picks_rigid_but_not_fixed(env):
    for category, expect in (("rigid", True), ("fixed", False)):
        env.reset()  # fresh scene (the IK test teleported the arm away from its gripper bodies)
        block = env.add_object("block/block.urdf", ((0.5, 0.1, 0.02), (0, 0, 0, 1)), category)
        assert not env.movep(((0.5, 0.1, 0.1), (0, 0, 0, 1)))
        assert not env.descend_until_contact(((0.5, 0.1, 0.1), (0, 0, 0, 1)), env.ee.detect_contact)
        env.ee.activate()
        assert env.ee.check_grasp() is expect
        env.movep(((0.5, 0.1, 0.2), (0, 0, 0, 1)))
        lifted = p.getBasePositionAndOrientation(block)[0][2] > 0.1
        assert lifted is expect
        env.ee.release()


def test_compat_imports_without_torch():
    code = (
        "import sys; sys.path.insert(0, 'sim/compat');"
        "import numpy as np, os, pybullet as p, random, IPython;"
        "from cliport.tasks import primitives; from cliport.tasks.grippers import Spatula, Suction;"
        "from cliport.tasks.task import Task; from cliport.utils import utils;"
        "from cliport.tasks import cameras; from cliport.utils import pybullet_utils;"
        "assert primitives.PickPlace and primitives.push and cameras.Oracle.CONFIG;"
        "assert utils.COLORS['red'] and pybullet_utils.load_urdf and IPython.embed() is None;"
        "assert 'torch' not in sys.modules and 'trimesh' not in sys.modules; print('ok')"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().endswith("ok")


def test_robot_urdf_build_is_deterministic(tmp_path):
    from sim.assetgen import ur5 as robot

    a = [f.read_bytes() for f in robot.build(tmp_path / "a")]
    b = [f.read_bytes() for f in robot.build(tmp_path / "b")]
    assert a == b and len(a) == 5 + len(robot.ARM_LINKS)
    for path in robot.build(tmp_path / "a"):
        shipped = ROOT / "assets" / path.relative_to(tmp_path / "a")
        assert shipped.read_bytes() == path.read_bytes(), shipped


def test_arm_visuals_are_meshes_with_their_own_colours_and_primitive_collisions():
    """Each link keeps its colour (PyBullet keeps the first colour of a material name, which once
    painted the whole arm dark) and collides as the primitive cylinder, not the visual mesh."""
    from sim.assetgen import ur5 as robot

    client = p.connect(p.DIRECT)
    try:
        body = p.loadURDF(str(ROOT / "assets" / "ur5" / "ur5.urdf"), physicsClientId=client)
        visuals = p.getVisualShapeData(body, physicsClientId=client)
        assert [v[2] for v in visuals] == [p.GEOM_MESH] * len(robot.ARM_LINKS)
        colours = [tuple(round(c, 2) for c in v[7]) for v in visuals]
        expected = [tuple(float(c) for c in link[5].split()) for link in robot.ARM_LINKS]
        assert colours == expected and len(set(colours)) == 3
        urdf = ET.parse(ROOT / "assets" / "ur5" / "ur5.urdf").getroot()
        for link, (name, radius, length, *_rest, collides, _mass) in enumerate(robot.ARM_LINKS):
            geometry = urdf.findall(f"link[@name='{name}']/collision/geometry/cylinder")
            assert [(float(g.get("radius")), float(g.get("length"))) for g in geometry] == (
                [(radius, length)] if collides else []
            )
            assert bool(p.getCollisionShapeData(body, link, physicsClientId=client)) == collides
    finally:
        p.disconnect(client)
