"""`cliport.tasks.primitives` -> sim.primitives."""

from sim.primitives import PickPlace, push  # noqa: F401
