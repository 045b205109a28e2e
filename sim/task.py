"""The `Task` base class of the CLIPort/GenSim task API (docs/task-api.md#task-class, module
`cliport.tasks.task`).

Subclasses set `max_steps` and `lang_template` in `__init__`, build the scene in `reset(env)` with
`get_random_pose`, `fill_template` and `env.add_object`, and register goals with `add_goal`. Goals,
rewards and the oracle follow the original semantics (docs/task-api.md#task-goals, docs/oracle.md#oracle-act).
Scene helpers (piles, ropes, kitting, anchors) live in `sim.task_helpers.SceneHelpers`.
"""

from __future__ import annotations

import os

import numpy as np
import pybullet as p

from sim import camera, config, fallbacks, occupancy, templates, utils
from sim.grippers import Spatula, Suction
from sim.oracle import as_pose, make_oracle
from sim.primitives import PickPlace, push
from sim.task_helpers import SceneHelpers


class Task(SceneHelpers):
    """Base class of all tasks; see docs/task-api.md#task-defaults for the attribute defaults."""

    def __init__(self):
        self.ee = Suction
        self.mode = "train"
        self.sixdof = False
        self.primitive = PickPlace()
        self.oracle_cams = camera.Oracle.CONFIG
        self.rng = None
        self.pos_eps = 0.01
        self.rot_eps = np.deg2rad(15)
        self.num_blocks = 50
        self.pix_size = 0.003125
        self.bounds = np.array([[0.25, 0.75], [-0.5, 0.5], [0, 0.3]])
        self.zone_bounds = np.copy(self.bounds)
        self.goals = []
        self.lang_goals = []
        self.obj_points_cache = {}
        self.task_completed_desc = "task completed."
        self.progress = 0
        self._rewards = 0
        self.train_set = np.arange(0, 14)
        self.test_set = np.arange(14, 20)
        self.assets_root = None
        self.homogeneous = False

    # ------------------------------------------------------------ lifecycle

    def reset(self, env):
        """Clear goals and progress; subclasses call it first, then build the scene.
        Raises ValueError when `assets_root` is unset (the environment sets it)."""
        if not self.assets_root:
            raise ValueError("assets_root must be set for task, call set_assets_root().")
        self.goals = []
        self.lang_goals = []
        self.progress = 0
        self._rewards = 0
        self.obj_points_cache = {}

    def additional_reset(self):
        """Keyword rules on `lang_template` (docs/task-api.md#additional-reset): 'bowl' -> pos_eps 0.05;
        'piles' -> spatula and push; 'rope' -> slow low PickPlace and pos_eps 0.02."""
        template = getattr(self, "lang_template", "") or ""
        if "bowl" in template:
            self.pos_eps = 0.05
        if "piles" in template:
            self.ee = Spatula
            self.primitive = push
        if "rope" in template:
            self.primitive = PickPlace(height=0.02, speed=0.001)
            self.pos_eps = 0.02

    def set_assets_root(self, assets_root):
        """Set the folder asset paths are relative to."""
        self.assets_root = str(assets_root)

    def get_asset_full_path(self, path):
        """Identity (the original's hook for asset lookups)."""
        return path

    def check_require_obj(self, path):
        """Whether the asset `path` exists under the assets root."""
        return os.path.exists(os.path.join(self.assets_root, path))

    def oracle(self, env):
        """Scripted expert: an object whose `act(obs, info)` returns {'pose0', 'pose1'} or None."""
        return make_oracle(self, env)

    # ------------------------------------------------------------ goals and rewards

    def add_goal(
        self,
        objs,
        matches,
        targ_poses,
        replace,
        rotations,
        metric,
        params,
        step_max_reward,
        symmetries=None,
        language_goal=None,
        **kwargs,
    ):
        """Register one goal (docs/task-api.md#task-goals). Extra keyword arguments are ignored, as in the
        original."""
        objs = self.zip_obj_ids(objs, symmetries)
        if isinstance(matches, list):
            matches = np.asarray(matches)
        self.goals.append((objs, matches, targ_poses, replace, rotations, metric, params, step_max_reward))
        if isinstance(language_goal, str):
            self.lang_goals.append(language_goal)
        elif isinstance(language_goal, list):
            self.lang_goals.extend(language_goal)

    def zip_obj_ids(self, obj_ids, symmetries):
        """Pair ids with symmetries -> [(id, (symmetry, None))]; lists of pairs pass unchanged.
        Like the original, a shorter `symmetries` list truncates the objects (recorded as a warning)."""
        if isinstance(obj_ids[0], tuple):
            return obj_ids
        if symmetries is None:
            symmetries = [0.0] * len(obj_ids)
        if len(symmetries) < len(obj_ids):
            fallbacks.warn(
                f"add_goal: {len(symmetries)} symmetries for {len(obj_ids)} objects; "
                "extra objects dropped from the goal (original behaviour)"
            )
        return [(obj_id, (symmetry, None)) for obj_id, symmetry in zip(obj_ids, symmetries)]

    def is_match(self, pose0, pose1, symmetry):
        """xy distance < pos_eps and, when symmetry > 0, yaw difference modulo symmetry < rot_eps."""
        pose0, pose1 = as_pose(pose0), as_pose(pose1)
        dist_pos = np.linalg.norm(np.float32(pose0[0][:2]) - np.float32(pose1[0][:2]))
        diff_rot = 0
        if symmetry > 0:
            rot0 = np.array(utils.quatXYZW_to_eulerXYZ(pose0[1]))[2]
            rot1 = np.array(utils.quatXYZW_to_eulerXYZ(pose1[1]))[2]
            diff_rot = np.abs(rot0 - rot1) % symmetry
            if diff_rot > (symmetry / 2):
                diff_rot = symmetry - diff_rot
        return bool((dist_pos < self.pos_eps) and (diff_rot < self.rot_eps))

    def _zone_reward(self, objs, params, max_reward):
        if len(self.obj_points_cache) == 0 or objs[0][0] not in self.obj_points_cache:
            for obj_id, _ in objs:
                self.obj_points_cache[obj_id] = self.get_box_object_points(obj_id)
        zone_pts, total_pts = 0, 0
        for zone_pose, zone_size in params:
            world_to_zone = utils.invert(as_pose(zone_pose))
            for obj_id, _ in objs:
                pts = self.obj_points_cache[obj_id]
                obj_pose = p.getBasePositionAndOrientation(obj_id)
                pts = np.float32(utils.apply(utils.multiply(world_to_zone, obj_pose), pts))
                sx = zone_size[0]
                sy = zone_size[1] if len(zone_size) > 1 else zone_size[0]
                valid = np.logical_and.reduce(
                    [
                        pts[0, :] > -sx / 2,
                        pts[0, :] < sx / 2,
                        pts[1, :] > -sy / 2,
                        pts[1, :] < sy / 2,
                        pts[2, :] < self.zone_bounds[2, 1],
                    ]
                )
                zone_pts += np.sum(np.float32(valid))
                total_pts += pts.shape[1]
        if total_pts == 0:
            fallbacks.warn("zone goal: objects have no sample points (spheres, cylinders); it can never pay out")
            return 0.0
        return max_reward * (zone_pts / total_pts)

    def reward(self):
        """Delta reward of the current goal (docs/task-api.md#reward-done) -> (delta, {}); pops the goal when
        done."""
        objs, matches, targs, _, _, metric, params, max_reward = self.goals[0]
        step_reward = 0
        if metric == "pose":
            for i in range(len(objs)):
                object_id, (symmetry, _) = objs[i]
                pose = p.getBasePositionAndOrientation(object_id)
                for j in np.argwhere(matches[i, :]).reshape(-1):
                    if self.is_match(pose, targs[j], symmetry):
                        step_reward += max_reward / len(objs)
                        break
        elif metric == "zone":
            step_reward = self._zone_reward(objs, params, max_reward)
        reward = self.progress + step_reward - self._rewards
        self._rewards = self.progress + step_reward
        if np.abs(max_reward - step_reward) < 0.01:
            self.progress += max_reward
            self.goals.pop(0)
            if len(self.lang_goals) > 0:
                self.lang_goals.pop(0)
        return reward, {}

    def done(self):
        """True when no goals remain or the cumulative reward exceeds 0.99."""
        return (len(self.goals) == 0) or (self._rewards > 0.99)

    def get_reward(self):
        """Cumulative returned reward."""
        return float(self._rewards)

    def get_lang_goal(self):
        """The current language goal, or `task_completed_desc` when none remain."""
        return self.lang_goals[0] if len(self.lang_goals) > 0 else self.task_completed_desc

    # ------------------------------------------------------------ scene queries

    def get_true_image(self, env, supersample=2):
        """Top-down (colormap uint8 (320,160,3), heightmap float (320,160), id mask int (320,160)):
        highest point per cell of 2x2 samples, like the original's back-projected oracle view."""
        cmap, hmap, mask = occupancy.render_topdown(
            self.bounds, self.pix_size, supersample, getattr(env, "table_bodies", ())
        )
        if config.active().uint8_segmentation:
            mask = np.where(mask > 0, mask % 256, 255)
        return cmap, hmap, mask

    def get_random_pose(self, env, obj_size=0.1, **kwargs):
        """Random collision-free pose for an object of `obj_size` (sx, sy[, sz]) metres
        (docs/task-api.md#random-pose) -> ([x, y, z] list, quaternion); z = sz/2 (0.05 when only 2 sizes are
        given). Free space excludes every object in env.obj_ids, eroded by the object's xy diagonal; when
        nothing is free the workspace centre is used and a warning is recorded."""
        if np.isscalar(obj_size):
            fallbacks.warn(f"get_random_pose: scalar size {obj_size} used as a cube")
            obj_size = (obj_size, obj_size, obj_size)
        max_size = np.sqrt(obj_size[0] ** 2 + obj_size[1] ** 2)
        erode_size = int(np.round(max_size / self.pix_size))
        # One sample per cell is enough here (the erosion by the object size dominates) at a quarter
        # of the oracle view's render cost.
        _, hmap, obj_mask = self.get_true_image(env, supersample=1)
        ids = [i for ids in env.obj_ids.values() for i in ids]
        free = ~np.isin(obj_mask, ids)
        free[0, :], free[:, 0], free[-1, :], free[:, -1] = False, False, False, False
        free = occupancy.erode(free, erode_size)
        if np.sum(free) == 0:
            fallbacks.warn(
                "get_random_pose: no free space for an object of size "
                f"{tuple(round(float(s), 3) for s in obj_size)}; using the workspace centre"
            )
            pix = (obj_mask.shape[0] // 2, obj_mask.shape[1] // 2)
        else:
            pix = utils.sample_distribution(np.float32(free))
        pos = utils.pix_to_xyz(pix, hmap, self.bounds, self.pix_size)
        if len(obj_size) == 2:
            fallbacks.warn("get_random_pose: size without z; z = 0.05")
            pos = [pos[0], pos[1], 0.05]
        else:
            pos = [pos[0], pos[1], obj_size[2] / 2]
        theta = np.random.rand() * 2 * np.pi
        return pos, utils.eulerXYZ_to_quatXYZW((0, 0, theta))

    def fill_template(self, template, replace):
        """Fill placeholders of `template` (relative to assets_root) -> loadable path
        (docs/task-api.md#fill-template)."""
        return templates.fill_template(self.assets_root, template, replace)
