"""Every helper of the task API (`cliport.utils` functions and classes, `Task` methods, the
environment calls tasks use) is called at least once by task code running in the sandbox, so a
helper whose dependency is missing there (trimesh's point-in-mesh test needs rtree) fails here."""

import inspect

import sim.utils
from sim.sandbox import Limits, iter_run
from sim.sandbox.events import LogEvent
from sim.settings import RunSettings
from sim.task import Task

ALL_HELPERS = '''
import os

import numpy as np
import pybullet as p

from cliport.tasks import cameras
from cliport.tasks.task import Task
from cliport.utils import pybullet_utils, utils


def called(name, value=None):
    print("called:", name)
    return value


class AllHelpers(Task):
    """Calls every helper once while building its scene; one pick-and-place step."""

    def __init__(self):
        super().__init__()
        self.max_steps = 1
        self.lang_template = "put the block on the zone"
        self.task_completed_desc = "done"
        self.num_blocks = 4
        called("additional_reset", self.additional_reset())

    def reset(self, env):
        super().reset(env)
        root = self.assets_root
        called("set_assets_root", self.set_assets_root(root))
        assert called("get_asset_full_path", self.get_asset_full_path("x.urdf")) == "x.urdf"
        assert called("check_require_obj", self.check_require_obj("block/block.urdf"))

        # cliport.utils: colours, poses, heightmaps, packing, hanoi
        assert called("get_colors_names", utils.get_colors_names("train"))
        rgbs, names = called("get_colors", utils.get_colors("train", n_colors=2))
        called("get_random_color", utils.get_random_color())
        assert called("as_rgb", utils.as_rgb(names[0])) == list(rgbs[0])[:3]
        q = called("eulerXYZ_to_quatXYZW", utils.eulerXYZ_to_quatXYZW((0, 0, 0.3)))
        assert abs(called("quatXYZW_to_eulerXYZ", utils.quatXYZW_to_eulerXYZ(q))[2] - 0.3) < 1e-6
        pose = ((0.5, 0.0, 0.02), q)
        called("multiply", utils.multiply(pose, called("invert", utils.invert(pose))))
        called("apply", utils.apply(pose, (0.01, 0.0, 0.0)))
        called("q_mult", utils.q_mult((1, 0, 0, 0), (1, 0, 0, 0)))
        called("sample_distribution", utils.sample_distribution(np.ones((4, 4))))
        config = cameras.RealSenseD415.CONFIG[0]
        color, depth, _ = env.render_camera(config)
        intrinsics = np.array(config["intrinsics"]).reshape(3, 3)
        points = called("get_pointcloud", utils.get_pointcloud(depth, intrinsics))
        points = called("transform_pointcloud", utils.transform_pointcloud(points, np.eye(4)))
        hmap, _ = called("get_heightmap",
                         utils.get_heightmap(points, color, self.bounds, self.pix_size))
        called("reconstruct_heightmaps", utils.reconstruct_heightmaps(
            [color], [depth], [config], self.bounds, self.pix_size))
        u, v = called("xyz_to_pix", utils.xyz_to_pix((0.5, 0.0, 0.0), self.bounds, self.pix_size))
        called("pix_to_xyz", utils.pix_to_xyz((u, v), hmap, self.bounds, self.pix_size))
        assert called("map_kit_scale", utils.map_kit_scale([1.0, 2.0, 3.0])) == [0.1, 0.2, 0.3]
        assert len(called("solve_hanoi_all", utils.solve_hanoi_all(3))) == 7
        node = called("TreeNode", utils.TreeNode(None, [], bbox=np.float32([0, 0, 0, .3, .3, .3])))
        boxes = []
        called("KDTree", utils.KDTree(node, 0.05, 0.01, boxes))
        assert boxes
        called("set_seed", utils.set_seed(7))
        assert utils.COLORS["red"] and utils.assembling_kit_shapes[0]
        block_path = os.path.join(root, "block/block.urdf")
        called("load_urdf", pybullet_utils.load_urdf(p, block_path, (0.3, 0.4, 0.02), q))

        # the environment calls tasks use
        size = called("get_random_size", self.get_random_size(0.03, 0.05, 0.03, 0.05, 0.03, 0.05))
        block_pose = called("get_random_pose", self.get_random_pose(env, size))
        block = env.add_object("block/block.urdf", block_pose, color="blue")
        env.set_color(block, utils.COLORS["green"])
        assert env.get_object_pose(block) and env.get_object_size(block) > 0
        box_file = called("fill_template", self.fill_template(
            "box/box-template.urdf", {"DIM": (0.04, 0.04, 0.04), "HALF": (0.02, 0.02, 0.02),
                                      "COLOR": "red"}))
        print("template in the work folder:", os.path.realpath(box_file).startswith(os.getcwd()))
        box = env.add_object(box_file, self.get_random_pose(env, (0.04, 0.04, 0.04)))
        called("color_random_brown", self.color_random_brown(box))
        assert called("get_box_object_points", self.get_box_object_points(box)).shape[0] == 3
        assert called("get_sphere_object_points", self.get_sphere_object_points(box)).shape[0] == 3
        called("add_corner_anchor_for_pose", self.add_corner_anchor_for_pose(env, (0.6, 0.3, 0)))

        # piles, ropes, kitting, sample points
        assert len(called("make_piles", self.make_piles(env, block_color="yellow"))) == 4
        corners = ((0.4, -0.3, 0.0), (0.5, -0.3, 0.0))
        objects, targets, matches = called("make_ropes", self.make_ropes(env, corners, n_parts=4))
        called("make_rope", self.make_rope(env, ((0.6, -0.3, 0), (0.7, -0.3, 0)), n_parts=3))
        shapes = called("get_kitting_shapes", self.get_kitting_shapes(2))
        kit_targets = [self.get_random_pose(env, (0.08, 0.08, 0.02)) for _ in range(2)]
        kits, kit_matches = called("make_kitting_objects", self.make_kitting_objects(
            env, kit_targets, shapes, 2, ["red", "blue"]))
        assert called("get_mesh_object_points", self.get_mesh_object_points(kits[0][0])).shape[0] == 3
        mesh = os.path.join(root, "kitting", f"{int(shapes[0]):02d}.obj")
        samples = called("get_target_sample_surface_points", self.get_target_sample_surface_points(
            mesh, (0.003, 0.003, 0.001), kit_targets[0], num_points=10))
        assert samples and len(samples[0]) == 2

        # a goal met where it stands (reward() pays and pops it), then one for the oracle's step
        objs = called("zip_obj_ids", self.zip_obj_ids([block], [np.pi / 2]))
        here = env.get_object_pose(block)
        assert called("is_match", self.is_match(here, here, np.pi / 2))
        called("add_goal", self.add_goal(
            objs=objs, matches=np.ones((1, 1)), targ_poses=[here], replace=False,
            rotations=True, metric="pose", params=None, step_max_reward=0.5))
        assert called("reward", self.reward())[0] == 0.5 and not self.goals
        assert called("done", self.done()) and called("get_reward", self.get_reward()) == 0.5
        self.add_goal(objs=objs, matches=np.ones((1, 1)),
                      targ_poses=[self.get_random_pose(env, size)], replace=False, rotations=True,
                      metric="pose", params=None, step_max_reward=0.5,
                      language_goal=self.lang_template)
        called("get_true_image", self.get_true_image(env))
        assert called("get_lang_goal", self.get_lang_goal()) == self.lang_template
        called("oracle", self.oracle(env))
'''


def _expected() -> set[str]:
    """Public functions/classes defined in sim.utils (= cliport.utils.utils), pybullet_utils'
    load_urdf, and every public Task method but `reset` (the task overrides it)."""
    utils = {
        name
        for name, obj in vars(sim.utils).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == "sim.utils"
    }
    task = {name for name, _ in inspect.getmembers(Task, inspect.isfunction) if not name.startswith("_")} - {"reset"}
    return utils | task | {"load_urdf"}


def test_every_task_api_helper_runs_in_the_sandbox():
    events = list(
        iter_run(
            ALL_HELPERS,
            RunSettings(episodes=1, video=False, limits=Limits(wall_seconds=240, cpu_seconds=200)),
            filename="all_helpers.py",
        )
    )
    verdict = events[-1].verdict
    assert verdict["passed"]["runtime"], verdict["error"]
    lines = [e.line for e in events if isinstance(e, LogEvent) and e.stream == "stdout"]
    called = {line.split("called: ", 1)[1] for line in lines if line.startswith("called: ")}
    assert _expected() - called == set()
    assert "template in the work folder: True" in lines
