"""`cliport.tasks.task` -> sim.task."""

from sim.task import Task  # noqa: F401
