"""`cliport.tasks.cameras` -> sim.camera."""

from sim.camera import KinectFranka, Oracle, RealSenseD415, RS200Gazebo  # noqa: F401
