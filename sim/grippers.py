"""End effectors (docs/environment.md#robot-grippers, module `cliport.tasks.grippers`): suction cup and
spatula.

The environment instantiates the task's `ee` class as `ee(assets_root, robot_id, 9, obj_ids)`; the
gripper bodies are separate URDFs fixed to the arm's tool mount (link 9) by constraints.
"""

from __future__ import annotations

import os

import pybullet as p


class Gripper:
    """Base class: no grasping ability."""

    def __init__(self, assets_root, env=None):
        self.assets_root = str(assets_root)
        self.activated = False

    def _mount(self, robot, ee, urdf, max_force=None):
        """Load `urdf` at the tool-mount pose and fix it there; returns the body id."""
        state = p.getLinkState(robot, ee)
        body = p.loadURDF(os.path.join(self.assets_root, urdf), state[4], state[5])
        cid = p.createConstraint(
            parentBodyUniqueId=robot,
            parentLinkIndex=ee,
            childBodyUniqueId=body,
            childLinkIndex=-1,
            jointType=p.JOINT_FIXED,
            jointAxis=(0, 0, 0),
            parentFramePosition=(0, 0, 0),
            childFramePosition=(0, 0, 0),
        )
        if max_force is not None:
            p.changeConstraint(cid, maxForce=max_force)
        return body

    def step(self):
        """Per-step hook (nothing for rigid grippers)."""

    def activate(self, objects=None):
        """Grasp (no-op for the base class)."""

    def release(self):
        """Let go (no-op for the base class)."""

    def detect_contact(self):
        """Whether the gripper touches something (never, for the base class)."""
        return False

    def check_grasp(self):
        """Whether something is held (never, for the base class)."""
        return False


class Spatula(Gripper):
    """Flat blade for the push primitive; no activate/detect logic (docs/environment.md#robot-grippers)."""

    def __init__(self, assets_root, robot, ee, obj_ids):
        super().__init__(assets_root)
        self.body = self._mount(robot, ee, "ur5/spatula/spatula-base.urdf")
        self.obj_ids = obj_ids


class Suction(Gripper):
    """Suction cup: `activate` attaches the rigid object touched by the tip (last contact point) with
    a fixed constraint keeping the current relative pose; 'fixed' objects cannot be picked."""

    def __init__(self, assets_root, robot, ee, obj_ids):
        super().__init__(assets_root)
        self.base = self._mount(robot, ee, "ur5/suction/suction-base.urdf")
        self.body = self._mount(robot, ee, "ur5/suction/suction-head.urdf", max_force=100)
        self.obj_ids = obj_ids
        self.contact_constraint = None
        self.held = None
        self.unfiltered = None  # released object whose tip collisions are still filtered

    def activate(self, objects=None):
        """Attach the body of the tip's last contact point if it is in obj_ids['rigid']; marks the
        suction active even when nothing was attached (as the original)."""
        if self.activated:
            return
        points = p.getContactPoints(bodyA=self.body, linkIndexA=0)
        if points:
            obj_id, contact_link = points[-1][2], points[-1][4]
            if obj_id in self.obj_ids["rigid"]:
                tip = p.getLinkState(self.body, 0)
                obj_pose = p.getBasePositionAndOrientation(obj_id)
                world_to_tip = p.invertTransform(tip[0], tip[1])
                obj_to_tip = p.multiplyTransforms(world_to_tip[0], world_to_tip[1], obj_pose[0], obj_pose[1])
                self.contact_constraint = p.createConstraint(
                    parentBodyUniqueId=self.body,
                    parentLinkIndex=0,
                    childBodyUniqueId=obj_id,
                    childLinkIndex=contact_link,
                    jointType=p.JOINT_FIXED,
                    jointAxis=(0, 0, 0),
                    parentFramePosition=obj_to_tip[0],
                    parentFrameOrientation=obj_to_tip[1],
                    childFramePosition=(0, 0, 0),
                    childFrameOrientation=(0, 0, 0),
                )
                # The held object moves with the tip: their contact would only fight the constraint.
                self.held = obj_id
                p.setCollisionFilterPair(self.body, obj_id, 0, -1, 0)
        self.activated = True

    def release(self):
        """Remove the grasp constraint, if any."""
        if self.activated:
            self.activated = False
            if self.contact_constraint is not None:
                try:
                    p.removeConstraint(self.contact_constraint)
                except p.error:  # the object was removed by task code
                    pass
                self.contact_constraint = None
                # Collisions come back once the tip has left the object (see detect_contact):
                # re-enabling them while the two overlap would kick the object away.
                self.unfiltered, self.held = self.held, None

    def detect_contact(self):
        """Any contact of the tip, or (while holding) of the held object other than with the head."""
        if self.unfiltered is not None:
            try:
                if not p.getClosestPoints(self.body, self.unfiltered, 0.002, 0, -1):
                    p.setCollisionFilterPair(self.body, self.unfiltered, 0, -1, 1)
                    self.unfiltered = None
            except p.error:  # removed by task code
                self.unfiltered = None
        body, link = self.body, 0
        if self.activated and self.contact_constraint is not None:
            try:
                info = p.getConstraintInfo(self.contact_constraint)
                body, link = info[2], info[3]
            except p.error:
                self.contact_constraint = None
        points = p.getContactPoints(bodyA=body, linkIndexA=link)
        if self.activated:
            points = [pt for pt in points if pt[2] != self.body]
        return bool(points)

    def check_grasp(self):
        """True iff an object is attached."""
        return self.contact_constraint is not None
