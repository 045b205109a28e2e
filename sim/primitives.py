"""Motion primitives (docs/oracle.md#primitives, module `cliport.tasks.primitives`).

Called as `primitive(movej, movep, ee, pose0, pose1)` and return a timeout flag. When `movep` is
bound to our Environment the contact searches use its continuous straight-line descent; with other
callers they fall back to the original's per-millimetre `movep` loop.
"""

from __future__ import annotations

import numpy as np

from sim import config, utils

_DOWN_1MM = (np.float32([0, 0, -0.001]), (0.0, 0.0, 0.0, 1.0))


def _descend(movep, ee, pose, speed):
    """Lower ee_tip from `pose` along its -z until `ee.detect_contact()`; True on timeout."""
    env = getattr(movep, "__self__", None)
    if env is not None and hasattr(env, "descend_until_contact"):
        return env.descend_until_contact(pose, ee.detect_contact, speed)
    timeout = False
    while not ee.detect_contact():
        pose = utils.multiply(pose, _DOWN_1MM)
        timeout |= movep(pose, speed)
        if timeout:
            return True
    return False


class PickPlace:
    """Suction pick-and-place: above the pick pose by 0.32 m, descend to contact, grasp, lift to
    `height`, over the place pose, descend to contact, release, retreat 0.32 m up."""

    def __init__(self, height=0.32, speed=0.01):
        self.height, self.speed = height, speed

    def __call__(self, movej, movep, ee, pose0, pose1):
        pick_pose, place_pose = pose0, pose1
        prepick_pose = utils.multiply(pick_pose, ((0, 0, 0.32), (0, 0, 0, 1)))
        postpick_pose = utils.multiply(pick_pose, ((0, 0, self.height), (0, 0, 0, 1)))
        timeout = movep(prepick_pose)
        if _descend(movep, ee, prepick_pose, 0.01):
            return True
        ee.activate()
        timeout |= movep(postpick_pose, self.speed)
        if ee.check_grasp():
            preplace_pose = utils.multiply(place_pose, ((0, 0, self.height), (0, 0, 0, 1)))
            postplace_pose = utils.multiply(place_pose, ((0, 0, 0.32), (0, 0, 0, 1)))
            timeout |= movep(preplace_pose, self.speed)
            if _descend(movep, ee, preplace_pose, self.speed):
                return True
            ee.release()
            timeout |= movep(postplace_pose)
        else:
            ee.release()
            timeout |= movep(prepick_pose)
        return timeout


def push(movej, movep, ee, pose0, pose1):
    """Spatula push from pose0 to pose1 (xy only, at z 0.005): start 2 cm behind pose0, end 5 cm
    short of pose1, blade yaw aligned with the direction, sliding in 1 cm increments at speed 0.003.
    With `CompatFlags.single_slide_push` every increment targets the end (the original's bug)."""
    pos0 = np.float32((pose0[0][0], pose0[0][1], 0.005))
    pos1 = np.float32((pose1[0][0], pose1[0][1], 0.005))
    vec = pos1 - pos0
    length = np.linalg.norm(vec)
    vec = vec / length if length > 0 else np.float32([1, 0, 0])
    pos0 -= vec * 0.02
    pos1 -= vec * 0.05
    rot = utils.eulerXYZ_to_quatXYZW((0, 0, np.arctan2(vec[1], vec[0])))
    over0 = (pos0[0], pos0[1], 0.31)
    over1 = (pos1[0], pos1[1], 0.31)
    timeout = movep((over0, rot))
    timeout |= movep((pos0, rot))
    n_push = int(np.floor(np.linalg.norm(pos1 - pos0) / 0.01))
    single = config.active().single_slide_push
    for i in range(n_push):
        target = pos0 + vec * (n_push if single else i + 1) * 0.01
        timeout |= movep((target, rot), speed=0.003)
    timeout |= movep((pos1, rot), speed=0.003)
    timeout |= movep((over1, rot))
    return timeout
