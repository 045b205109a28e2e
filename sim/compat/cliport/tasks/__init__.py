"""`cliport.tasks`: the task API modules (task, primitives, grippers, cameras)."""
