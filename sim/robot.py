"""UR5 arm motion: inverse kinematics, joint-space moves and the straight-line contact descent.

Motion semantics follow the original `movej`/`movep`/`solve_ik` (docs/environment.md#motion) with two changes:
the timeouts are budgets of simulation steps (`timeout` simulated seconds at the physics rate), not
wall-clock seconds, so outcomes do not depend on machine load (docs/compat.md#wall-clock-timeouts); and
`movep` retries an IK solution that misses its target (see `UR5.movep`).
"""

from __future__ import annotations

import math

import numpy as np
import pybullet as p

from sim import config

HOME_J = np.array([-1, -0.5, 0.5, -0.5, -0.5, 0]) * np.pi  # docs/task-api.md#key-numbers
EE_MOUNT, EE_TIP = 9, 10
# IK limits of the original solve_ik (docs/environment.md#motion): the shoulder pan/lift ranges pick the
# elbow-up, facing-forward branch; wrist joints are free.
IK_LOWER = [-3 * np.pi / 2, -2.3562, -17, -17, -17, -17]
IK_UPPER = [-np.pi / 2, 0, 17, 17, 17, 17]
IK_RANGES = [np.pi, 2.3562, 34, 34, 34, 34]
IK_REST = np.float32(HOME_J).tolist()  # the original passes its float32 home pose as rest poses
# movej below TRACK_BELOW rad per step (the rope primitive's 0.001) follows a reference and adds
# HOLD_GAIN of the remaining joint error to the command per step once the reference has reached the
# target (an integral term: the position motors hold a load only with a steady error). Faster moves
# keep the original command; block-insertion lost 2 of 30 seeds when every move tracked.
TRACK_BELOW = 0.002
HOLD_GAIN = 0.01
IK_MISS = 0.01  # m: movep retries an IK solution whose tip lands farther than this from the target


_COPIES: dict[str, tuple[int, int]] = {}


def _kinematic_copy(urdf_path: str) -> tuple[int, int]:
    """(physics client, body) of an arm loaded from `urdf_path` in its own DIRECT client, created
    once per process; only its joint positions are ever set (no stepping)."""
    copy = _COPIES.get(urdf_path)
    if copy is None or not p.isConnected(copy[0]):
        client = p.connect(p.DIRECT)
        copy = _COPIES[urdf_path] = (client, p.loadURDF(urdf_path, physicsClientId=client))
    return copy


class UR5:
    """The arm: `body` id, the 6 revolute joint indices, and motions that advance the world through
    `step()` (the environment's single-step function, which also records video frames)."""

    def __init__(self, urdf_path: str, step, hz: int):
        self.urdf_path = urdf_path
        self.body = p.loadURDF(urdf_path)
        self.step = step
        self.hz = hz
        self.joints = [
            j for j in range(p.getNumJoints(self.body)) if p.getJointInfo(self.body, j)[2] == p.JOINT_REVOLUTE
        ]
        self._gains = [1.0] * len(self.joints)
        for j, q in zip(self.joints, HOME_J):
            p.resetJointState(self.body, j, q)

    def joint_positions(self) -> np.ndarray:
        """Current joint angles (6,) in radians."""
        return np.array([s[0] for s in p.getJointStates(self.body, self.joints)])

    def solve_ik(self, pose, iterations: int = 100, start=None) -> np.ndarray:
        """Joint angles (6,) reaching `pose` with link ee_tip; joints 3-6 wrapped to [-pi, pi).
        The damped IK iterates from the current joints, or from `start` (6,) if given."""
        seed = {} if start is None else {"currentPositions": [float(q) for q in start]}
        joints = p.calculateInverseKinematics(
            bodyUniqueId=self.body,
            endEffectorLinkIndex=EE_TIP,
            targetPosition=pose[0],
            targetOrientation=pose[1],
            lowerLimits=IK_LOWER,
            upperLimits=IK_UPPER,
            jointRanges=IK_RANGES,
            restPoses=IK_REST,
            maxNumIterations=iterations,
            residualThreshold=1e-5,
            **seed,
        )
        joints = np.float32(joints)
        joints[2:] = (joints[2:] + np.pi) % (2 * np.pi) - np.pi
        return joints

    def _command(self, targets) -> None:
        p.setJointMotorControlArray(
            bodyIndex=self.body,
            jointIndices=self.joints,
            controlMode=p.POSITION_CONTROL,
            targetPositions=targets,
            positionGains=self._gains,
        )

    def movej(self, targj, speed=0.01, timeout=5) -> bool:
        """Move joints towards `targj` by at most `speed` rad per simulation step until every joint is
        within 1e-2 rad. Returns True on timeout (more than `timeout` simulated seconds).

        Below TRACK_BELOW rad per step the command is a reference that starts at the current joints
        and advances `speed` rad per step towards `targj`; once it is there, the remaining error is
        integrated into the command (HOLD_GAIN per step). The original (and faster moves here)
        commands the current joints plus one step (`CompatFlags.relative_movej`): the servo error
        never exceeds `speed`, so a load on the tool (a rope bead dragged at the rope primitive's
        0.001) turns the wrist away step by step (1.4 rad in two-ropes seed 1); and the wrist's
        position motor, driving PyBullet's ~1e-7 kg m^2 default inertia of a link without collision
        shape, holds a load only with a steady error (~0.03 rad there).
        """
        targj = np.asarray(targj, dtype=np.float64)
        relative = speed >= TRACK_BELOW or config.active().relative_movej
        ref, bias = self.joint_positions(), 0.0
        for _ in range(int(timeout * self.hz)):
            currj = self.joint_positions()
            diffj = targj - currj
            if (np.abs(diffj) < 1e-2).all():
                return False
            if relative:
                norm = math.sqrt(diffj.dot(diffj))  # == np.linalg.norm(diffj), without its overhead
                command = currj + (diffj / norm * speed if norm > 0 else 0)
            else:
                ahead = targj - ref
                norm = math.sqrt(ahead.dot(ahead))
                if norm > speed:
                    ref = ref + ahead / norm * speed
                else:
                    ref, bias = targj, bias + HOLD_GAIN * diffj
                command = ref + bias
            self._command(command)
            self.step()
        return True

    def tip_position(self, joints) -> np.ndarray:
        """ee_tip position (3,) in metres with the arm at `joints` (6,), computed on a kinematic copy
        of the arm in a private physics client: resetting this arm's joints, even to the same values,
        perturbs the simulation."""
        client, body = _kinematic_copy(self.urdf_path)
        for j, q in zip(self.joints, joints):
            p.resetJointState(body, j, q, physicsClientId=client)
        return np.array(p.getLinkState(body, EE_TIP, computeForwardKinematics=True, physicsClientId=client)[4])

    def movep(self, pose, speed=0.01, timeout=5) -> bool:
        """Move the ee_tip to `pose` (IK then movej). Returns True on timeout.

        From some arm poses the damped IK settles against a shoulder limit with the tip far from a
        reachable target (palletizing-boxes, seed 6: 0.29 m off); when the solution misses by more
        than IK_MISS it is solved again from the home pose and the closer of the two is used
        (`CompatFlags.no_ik_retry` turns this off).
        """
        joints = self.solve_ik(pose)
        if config.active().no_ik_retry:
            return self.movej(joints, speed, timeout)
        miss = np.linalg.norm(self.tip_position(joints) - pose[0])
        if miss > IK_MISS:
            retry = self.solve_ik(pose, start=HOME_J)
            if np.linalg.norm(self.tip_position(retry) - pose[0]) < miss:
                joints = retry
        return self.movej(joints, speed, timeout)

    def descend_until_contact(
        self, pose, detect_contact, speed=0.01, max_travel=1.0, timeout=5, moving=(), margin=0.04
    ) -> bool:
        """Move ee_tip from its current target `pose` straight down along the pose's -z until
        `detect_contact()` is true; checks contact after every simulation step.

        Replaces the original's per-millimetre IK + movej loop (docs/oracle.md#pick-place) with the same
        outcome (stop at first contact) in far fewer IK solves. The target advances 0.1 x `speed` metres per
        step (1 mm at the default 0.01, 0.1 mm for the rope primitive's 0.001), and 4x that while
        the bodies in `moving` (gripper, held object) have more than `margin` metres of free space
        below them (broadphase AABB query; the table top is z = 0). The target never leads the
        tip by more than 4 mm, so the arm cannot arrive at speed. Returns True on timeout: no
        contact within `max_travel` metres or `timeout` simulated seconds.
        """
        rot = np.array(p.getMatrixFromQuaternion(pose[1])).reshape(3, 3)
        down = -rot[:, 2]
        target = np.array(pose[0], dtype=np.float64)
        delta = 0.1 * speed
        travelled = 0.0
        ignore = set(moving) | {self.body}
        for _ in range(int(timeout * self.hz)):
            if detect_contact():
                self._command(self.joint_positions())  # hold here: do not press into the contact
                return False
            if travelled > max_travel:
                return True
            tip = np.array(p.getLinkState(self.body, EE_TIP)[4])
            if np.dot(tip - target, down) > -0.004:  # the arm is within 4 mm of the target: advance
                fast = moving and self._clear_below(moving, ignore, margin)
                step = delta * 4 if fast else delta
                target = target + down * step
                travelled += step
            self._command(self.solve_ik((target, pose[1]), iterations=10))
            self.step()
        return not detect_contact()

    @staticmethod
    def _clear_below(moving, ignore, margin) -> bool:
        """Whether nothing but `ignore` lies within `margin` below the lowest of `moving`'s AABBs."""
        boxes = [p.getAABB(b, link) for b in moving for link in range(-1, p.getNumJoints(b))]
        lo = np.min([b[0] for b in boxes], axis=0)
        hi = np.max([b[1] for b in boxes], axis=0)
        if lo[2] - margin <= 0:
            return False
        hits = p.getOverlappingObjects((lo[0], lo[1], lo[2] - margin), (hi[0], hi[1], lo[2])) or ()
        return all(body in ignore for body, _ in hits)
