"""The scripted oracle (spec §5.1): picks the goal object furthest from its nearest allowed target and
places it so that its base frame lands on that target, preserving the grasp offset."""
from __future__ import annotations

import collections

import numpy as np
import pybullet as p

from sim import fallbacks, occupancy, utils

OracleAgent = collections.namedtuple("OracleAgent", ["act"])


def _normalise_targets(targs):
    """Bare positions -> (position, identity); in place for lists (as the original). The original
    only recognised float / float32 coordinates (spec §9.4-21); any numeric 3-vector works here."""
    from sim.task import as_pose
    out = [as_pose(t) for t in targs]
    if isinstance(targs, list):
        targs[:] = out
    return out


def place_pose_for(pick_pose, obj_pose, targ_pose, sixdof=False, rotations=True):
    """Place pose bringing the object's frame onto `targ_pose` given the grasp at `pick_pose`:
    place = target * inverse(inverse(pick) * object). Orientation flattened to yaw unless `sixdof`;
    identity place orientation when `rotations` is False."""
    if not sixdof:
        yaw = utils.quatXYZW_to_eulerXYZ(obj_pose[1])[2]
        obj_pose = (obj_pose[0], utils.eulerXYZ_to_quatXYZW((0, 0, yaw)))
    obj_to_pick = utils.multiply(utils.invert(pick_pose), obj_pose)
    place_pose = utils.multiply(targ_pose, utils.invert(obj_to_pick))
    if not rotations:
        place_pose = (place_pose[0], (0, 0, 0, 1))
    return (np.asarray(place_pose[0]), np.asarray(place_pose[1]))


def make_oracle(task, env):
    """-> OracleAgent whose `act(obs, info)` returns {'pose0': pick, 'pose1': place} or None when no
    goal object is visible (then the task's goals are cleared, ending the episode unsuccessfully)."""

    def act(obs, info):
        _, hmap, obj_mask = task.get_true_image(env)
        objs, matches, targs, replace, rotations, _, _, _ = task.goals[0]
        targs = _normalise_targets(targs)
        if not replace:
            matches = matches.copy()
            for i in range(len(objs)):
                if isinstance(objs[i], (int, np.integer)):
                    objs[i] = (objs[i], (False, None))
                object_id, (symmetry, _) = objs[i]
                pose = p.getBasePositionAndOrientation(object_id)
                for j in np.argwhere(matches[i, :]).reshape(-1):
                    if task.is_match(pose, targs[j], symmetry):
                        matches[i, :] = 0
                        matches[:, j] = 0
        nn_dists, nn_targets = [], []
        for i in range(len(objs)):
            xyz, _ = p.getBasePositionAndOrientation(objs[i][0])
            targets_i = np.argwhere(matches[i, :]).reshape(-1)
            if len(targets_i) > 0:
                targets_xyz = np.float32([targs[j][0] for j in targets_i])
                dists = np.linalg.norm(targets_xyz - np.float32(xyz).reshape(1, 3), axis=1)
                nn = np.argmin(dists)
                nn_dists.append(dists[nn])
                nn_targets.append(targets_i[nn])
            else:
                nn_dists.append(0)
                nn_targets.append(-1)
        order = [i for i in np.argsort(nn_dists)[::-1] if nn_dists[i] > 0]
        pick_mask, pick_i = None, None
        for pick_i in order:
            pick_mask = occupancy.erode(obj_mask == objs[pick_i][0], 3)
            if np.sum(pick_mask) > 0:
                break
        if pick_mask is None or np.sum(pick_mask) == 0:
            task.goals = []
            task.lang_goals = []
            fallbacks.warn("oracle: object for pick is not visible; demonstration skipped")
            return None
        pick_pix = utils.sample_distribution(np.float32(pick_mask))
        pick_pos = utils.pix_to_xyz(pick_pix, hmap, task.bounds, task.pix_size)
        pick_pose = (np.asarray(pick_pos), np.asarray((0, 0, 0, 1)))
        obj_pose = p.getBasePositionAndOrientation(objs[pick_i][0])
        place_pose = place_pose_for(pick_pose, obj_pose, targs[nn_targets[pick_i]], task.sixdof,
                                    rotations)
        return {"pose0": pick_pose, "pose1": place_pose}

    return OracleAgent(act)
