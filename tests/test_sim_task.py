"""Task base class semantics (docs/task-api.md#task-class, docs/environment.md#add-object,
docs/oracle.md#oracle-act): goals, is_match, zone metric, random poses, add_object fallbacks, scene helpers
and the oracle's place-pose algebra."""

import numpy as np
import pybullet as p
import pytest

from sim import task_helpers, utils
from sim.env import Environment
from sim.grippers import Spatula
from sim.oracle import place_pose_for
from sim.primitives import PickPlace, push
from sim.task import Task


class Empty(Task):
    def __init__(self):
        super().__init__()
        self.max_steps = 1
        self.lang_template = "nothing"


@pytest.fixture(scope="module")
def env():
    return Environment()


@pytest.fixture
def scene(env):
    task = Empty()
    env.set_task(task)
    env.reset()
    return env, task


def add_goal(task, objs, targ_poses, metric="pose", params=None, **extra):
    """task.add_goal with every object matching every target, no replacement, rotations checked and
    a full step reward; `extra`: further keyword arguments."""
    matches = np.ones((len(objs), len(targ_poses)))
    task.add_goal(
        objs=objs,
        matches=matches,
        targ_poses=targ_poses,
        replace=False,
        rotations=True,
        metric=metric,
        params=params,
        step_max_reward=1,
        **extra,
    )


def test_defaults_and_additional_reset():
    t = Empty()
    assert t.pos_eps == 0.01 and t.rot_eps == pytest.approx(np.deg2rad(15)) and t.num_blocks == 50
    assert t.bounds.shape == (3, 2) and t.mode == "train" and t.assets_root is None
    t.lang_template = "put the blocks in the bowl"
    t.additional_reset()
    assert t.pos_eps == 0.05
    t.lang_template = "push the piles"
    t.additional_reset()
    assert t.ee is Spatula and t.primitive is push
    t.lang_template = "lay the rope"
    t.additional_reset()
    assert isinstance(t.primitive, PickPlace) and t.primitive.height == 0.02 and t.pos_eps == 0.02


def test_reset_requires_assets_root(env):
    with pytest.raises(ValueError):
        Empty().reset(env)


def test_is_match_translation_and_symmetries():
    t = Empty()
    yaw = lambda a: utils.eulerXYZ_to_quatXYZW((0, 0, a))  # noqa: E731
    base = ((0.5, 0.0, 0.0), yaw(0.0))
    assert t.is_match(base, ((0.505, 0.0, 0.3), yaw(1.0)), 0)  # z and yaw ignored
    assert not t.is_match(base, ((0.52, 0.0, 0.0), yaw(0.0)), 0)
    assert t.is_match(base, (0.505, 0.0, 0.0), 0)  # bare position target
    assert t.is_match(base, ((0.5, 0, 0), yaw(np.pi / 2 + 0.1)), np.pi / 2)
    assert not t.is_match(base, ((0.5, 0, 0), yaw(np.pi / 4)), np.pi / 2)
    assert not t.is_match(base, ((0.5, 0, 0), yaw(np.pi / 2)), 2 * np.pi)
    assert t.is_match(base, ((0.5, 0, 0), yaw(2 * np.pi - 0.1)), 2 * np.pi)


def test_add_goal_zip_and_language_and_truncation(scene):
    env, t = scene
    add_goal(t, [5, 6, 7], [(0.5, 0, 0)], symmetries=[np.pi / 2], language_goal="a", lang_goal="ignored")
    objs = t.goals[0][0]
    assert objs == [(5, (np.pi / 2, None))]  # the original's zip truncation
    assert any("symmetries" in w for w in env.warnings)
    t.add_goal(
        objs=[(5, (0, None))],
        matches=[[1]],
        targ_poses=[],
        replace=False,
        rotations=True,
        metric="pose",
        params=None,
        step_max_reward=1,
        language_goal=["b", "c"],
    )
    assert t.lang_goals == ["a", "b", "c"] and isinstance(t.goals[1][1], np.ndarray)


def test_pose_reward_progress_and_done(scene):
    env, t = scene
    a = env.add_object("block/block.urdf", ((0.4, 0.1, 0.02), (0, 0, 0, 1)))
    b = env.add_object("block/block.urdf", ((0.6, -0.1, 0.02), (0, 0, 0, 1)))
    add_goal(t, [a, b], [(0.4, 0.1, 0.02), (0.5, 0.3, 0.02)], language_goal="g")
    reward, _ = t.reward()
    assert reward == pytest.approx(0.5) and not t.done()
    p.resetBasePositionAndOrientation(b, (0.5, 0.3, 0.02), (0, 0, 0, 1))
    reward, _ = t.reward()
    assert reward == pytest.approx(0.5) and t.done() and t.get_lang_goal() == "task completed."


def test_zone_reward_counts_points_inside(scene):
    env, t = scene
    block = env.add_object("block/block.urdf", ((0.4, 0.0, 0.02), (0, 0, 0, 1)))
    zone_pose = ((0.6, 0.0, 0.0), (0, 0, 0, 1))
    add_goal(t, [block], [zone_pose], "zone", [(zone_pose, (0.12, 0.12, 0))])
    assert t.reward()[0] == 0
    assert t.obj_points_cache[block].shape == (3, 8)  # 0.04 cube -> 2x2x2 grid
    p.resetBasePositionAndOrientation(block, (0.6 + 0.06, 0.0, 0.02), (0, 0, 0, 1))
    assert t.reward()[0] == pytest.approx(0.5)  # half of the points inside
    p.resetBasePositionAndOrientation(block, (0.6, 0.0, 0.02), (0, 0, 0, 1))
    assert t.reward()[0] == pytest.approx(0.5) and t.done()


def test_get_random_pose_bounds_z_and_free_space(scene):
    env, t = scene
    np.random.seed(0)
    for size in [(0.04, 0.04, 0.04), (0.1, 0.2, 0.06)]:
        pos, rot = t.get_random_pose(env, size)
        assert isinstance(pos, list) and len(rot) == 4
        assert 0.25 <= pos[0] <= 0.75 and -0.5 <= pos[1] <= 0.5 and pos[2] == pytest.approx(size[2] / 2)
    big = env.add_object("box/box-template.urdf", ((0.5, 0.0, 0.02), (0, 0, 0, 1)), "fixed")
    assert env.obj_ids["fixed"] == [big]
    lo, hi = p.getAABB(big)
    for _ in range(5):
        pos, _ = t.get_random_pose(env, (0.04, 0.04, 0.04))
        inside = lo[0] - 0.02 < pos[0] < hi[0] + 0.02 and lo[1] - 0.02 < pos[1] < hi[1] + 0.02
        assert not inside
    pos, _ = t.get_random_pose(env, (2.0, 2.0, 0.1))  # nothing free: centre + warning
    assert pos[:2] == pytest.approx([0.5, 0.0], abs=0.01)
    assert any("no free space" in w for w in env.warnings)


def test_add_object_fallbacks_and_colours(scene):
    env, t = scene
    rid = env.add_object("nothing/missing.urdf", (0.4, 0.2, 0.02), color=(0.1, 0.2, 0.3))
    assert rid in env.obj_ids["rigid"] and any("missing" in w for w in env.warnings)
    assert p.getVisualShapeData(rid)[0][7] == pytest.approx((0.1, 0.2, 0.3, 1.0))
    tid = env.add_object("block/block-template.urdf", ((0.5, 0.2, 0.02), (0, 0, 0, 1)), color="no-such")
    assert p.getVisualShapeData(tid)[0][7] == pytest.approx((1, 0, 0, 1))
    cid = env.add_object(
        urdf="cylinder/cylinder-template.urdf",
        pose=((0.6, 0.2, 0.02), (0, 0, 0, 1)),
        category="rigid",
        color=np.array([0, 1, 0]),
    )
    assert any("cylinder-template" in w and "random" in w for w in env.warnings)
    assert p.getVisualShapeData(cid)[0][7] == pytest.approx((0, 1, 0, 1))
    with pytest.raises(KeyError):
        env.add_object("block/block.urdf", (0.5, 0, 0.02), "bogus")


def test_make_piles_ropes_and_kitting(scene):
    env, t = scene
    np.random.seed(1)
    t.num_blocks = 5
    piles = t.make_piles(env, block_color="green")
    for i in piles:
        x, y, z = p.getBasePositionAndOrientation(i)[0]
        assert 0.40 <= x <= 0.60 and -0.10 <= y <= 0.10
    assert p.getVisualShapeData(piles[0])[0][7][:3] == pytest.approx(utils.COLORS["green"])
    objs, targs, matches = t.make_ropes(env, corners=((0.3, -0.2, 0), (0.3, 0.2, 0)), n_parts=4)
    assert len(objs) == 4 and matches.shape == (4, 4) and matches[0, 3] == 1 and matches[0, 0] == 1
    assert targs[0][0] == pytest.approx((0.3, -0.15, 0)) and objs[0][0] in env.obj_ids["rigid"]
    shapes = t.get_kitting_shapes(3)
    assert all(0 <= s < 14 for s in shapes)
    kit_objs, kit_matches = t.make_kitting_objects(
        env, targets=[None] * 3, obj_shapes=shapes, n_objects=3, colors=["red", "blue", "green"]
    )
    assert kit_matches.shape == (3, 3) and np.all(np.diag(kit_matches) == 1)
    # the symmetry of the shape (task_helpers.KITTING_SYMMETRY, which a test checks against the asset generator)
    assert kit_objs[0][1][0] == pytest.approx(task_helpers.KITTING_SYMMETRY[shapes[0]])
    t.add_corner_anchor_for_pose(env, (0.5, 0.3, 0))
    assert len(env.obj_ids["fixed"]) == 1
    size = t.get_random_size(0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
    assert 0.1 <= size[0] <= 0.2 and 0.3 <= size[1] <= 0.4 and 0.5 <= size[2] <= 0.6


def test_oracle_place_pose_algebra():
    pick = (np.array([0.42, 0.05, 0.04]), np.array([0, 0, 0, 1.0]))
    obj = ((0.4, 0.06, 0.02), utils.eulerXYZ_to_quatXYZW((0, 0, 0.3)))
    target = ((0.6, -0.2, 0.02), utils.eulerXYZ_to_quatXYZW((0, 0, 1.1)))
    place = place_pose_for(pick, obj, target)
    # Applying the same pick->place motion to the object brings it onto the target.
    moved = utils.multiply(place, utils.multiply(utils.invert(pick), obj))
    assert moved[0] == pytest.approx(target[0], abs=1e-6)
    assert utils.quatXYZW_to_eulerXYZ(moved[1])[2] == pytest.approx(1.1, abs=1e-6)
    flat = place_pose_for(pick, obj, target, rotations=False)
    assert tuple(flat[1]) == (0, 0, 0, 1)


def test_oracle_moves_block_onto_target(scene):
    env, t = scene
    np.random.seed(2)
    block = env.add_object("block/block.urdf", ((0.45, -0.1, 0.02), utils.eulerXYZ_to_quatXYZW((0, 0, 0.4))))
    target = ((0.55, 0.15, 0.02), utils.eulerXYZ_to_quatXYZW((0, 0, 1.0)))
    add_goal(t, [block], [target], symmetries=[np.pi / 2])
    act = t.oracle(env).act(None, None)
    _, reward, done, _ = env.step(act)
    pos, rot = p.getBasePositionAndOrientation(block)
    assert np.linalg.norm(np.subtract(pos[:2], target[0][:2])) < 0.005
    assert reward == pytest.approx(1.0) and done


def test_kitting_symmetry_table_matches_the_asset_generator():
    # task_helpers keeps a literal copy so task imports do not load trimesh; the generator is the source.
    from sim.assetgen.kitting import SHAPES

    assert task_helpers.KITTING_SYMMETRY == pytest.approx([symmetry for _, _, symmetry in SHAPES])
