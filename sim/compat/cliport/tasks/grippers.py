"""`cliport.tasks.grippers` -> sim.grippers."""

from sim.grippers import Gripper, Spatula, Suction  # noqa: F401
