"""`cliport.utils`: `utils` and `pybullet_utils`."""
