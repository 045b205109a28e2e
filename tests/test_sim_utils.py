"""sim.utils: colours, pose algebra, Euler conversions, heightmap and task helpers
(docs/task-api.md#utils)."""

import random

import numpy as np
import pybullet as p
import pytest

from sim import fallbacks, utils


def test_colors_values_and_unknown_name_falls_back_to_red_with_warning():
    assert utils.COLORS["blue"] == pytest.approx([78 / 255, 121 / 255, 167 / 255])
    assert isinstance(utils.COLORS["red"], list) and utils.COLORS["red"] + [1]  # list concat works
    sink = []
    fallbacks.bind(sink)
    assert utils.COLORS["light-lime-test"] == [1.0, 0.0, 0.0]
    assert any("light-lime-test" in w for w in sink)
    fallbacks.bind([])
    assert len(utils.COLORS_NAMES) == 16 and utils.COLORS_NAMES[0] == "blue"


def test_get_colors_all_and_sampled():
    rgbs, names = utils.get_colors("train")
    assert names == utils.TRAIN_COLORS and len(rgbs) == 7
    random.seed(3)
    rgbs, names = utils.get_colors("test", n_colors=3)
    assert len(set(names)) == 3 and set(names) <= set(utils.TRAIN_COLORS)
    assert rgbs[0] == utils.COLORS[names[0]]
    with pytest.raises(ValueError):
        utils.get_colors("train", n_colors=8)


@pytest.mark.parametrize("color", ["green", (0.1, 0.2, 0.3), [0.1, 0.2, 0.3], np.array([0.1, 0.2, 0.3])])
def test_as_rgb_accepts_names_tuples_lists_arrays(color):
    rgb = utils.as_rgb(color)
    assert isinstance(rgb, list) and len(rgb) == 3
    if not isinstance(color, str):
        assert rgb == pytest.approx([0.1, 0.2, 0.3])


@pytest.mark.parametrize("euler", [(0, 0, 1.2), (0.3, -0.2, 1.0), (1.0, 0.5, -0.4), (-0.7, 1.2, 3.0)])
def test_euler_round_trip(euler):
    q = utils.eulerXYZ_to_quatXYZW(euler)
    assert np.linalg.norm(q) == pytest.approx(1.0)
    assert utils.quatXYZW_to_eulerXYZ(q) == pytest.approx(euler, abs=1e-6)


def test_euler_pure_yaw_is_ordinary_yaw_and_single_axes():
    assert utils.eulerXYZ_to_quatXYZW((0, 0, 0.7)) == pytest.approx(p.getQuaternionFromEuler((0, 0, 0.7)))
    assert utils.eulerXYZ_to_quatXYZW((0.5, 0, 0)) == pytest.approx((np.sin(0.25), 0, 0, np.cos(0.25)))
    assert utils.eulerXYZ_to_quatXYZW((0, 0.5, 0)) == pytest.approx((0, np.sin(0.25), 0, np.cos(0.25)))


def test_apply_multiply_invert():
    pose = ((0.5, 0.1, 0.2), utils.eulerXYZ_to_quatXYZW((0, 0, np.pi / 2)))
    out = utils.apply(pose, (0.1, 0, 0))
    assert isinstance(out, tuple) and isinstance(out[0], np.float32)
    assert out == pytest.approx((0.5, 0.2, 0.2), abs=1e-6)
    pts = utils.apply(pose, np.zeros((3, 4)))
    assert len(pts) == 3 and pts[0].shape == (4,)
    ident = utils.multiply(pose, utils.invert(pose))
    assert ident[0] == pytest.approx((0, 0, 0), abs=1e-6)
    assert abs(ident[1][3]) == pytest.approx(1.0, abs=1e-6)


def test_q_mult_hamilton_wxyz():
    qz = (np.cos(0.5), 0, 0, np.sin(0.5))
    assert utils.q_mult(qz, qz) == pytest.approx((np.cos(1.0), 0, 0, np.sin(1.0)))


def test_pix_xyz_round_trip_and_sample_distribution():
    bounds = np.array([[0.25, 0.75], [-0.5, 0.5], [0, 0.3]])
    hmap = np.zeros((320, 160))
    hmap[100, 40] = 0.02
    xyz = utils.pix_to_xyz((100, 40), hmap, bounds, 0.003125)
    assert xyz == pytest.approx((0.25 + 40 * 0.003125, -0.5 + 100 * 0.003125, 0.02))
    assert utils.xyz_to_pix(xyz, bounds, 0.003125) == (100, 40)
    prob = np.zeros((5, 6))
    prob[2, 3] = 1
    assert tuple(utils.sample_distribution(prob)) == (2, 3)


def test_hanoi_kdtree_and_kit_helpers():
    moves = utils.solve_hanoi_all(3)
    assert len(moves) == 7 and moves[0] == [0, 0, 2] and moves[-1] == [0, 0, 2]
    np.random.seed(0)
    bboxes = []
    root = utils.TreeNode(None, [], bbox=np.array([0, 0, 0, 0.3, 0.3, 0.1]))
    utils.KDTree(root, 0.05, 0.01, bboxes)
    assert len(bboxes) > 1
    for b in bboxes:
        assert np.all(b[3:] - b[:3] > 0) and np.all(b[:3] >= 0) and np.all(b[3:] <= [0.3, 0.3, 0.1])
    assert utils.map_kit_scale((0.03, 0.03, 0.01)) == pytest.approx([0.003, 0.003, 0.001])
    assert utils.assembling_kit_shapes[0] == "letter R" and len(utils.assembling_kit_shapes) == 20
