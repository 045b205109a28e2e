"""`cliport.utils.pybullet_utils`: `load_urdf` with retries and a block fallback
(docs/task-api.md#pybullet-utils)."""

import os

from sim import ASSETS_ROOT, fallbacks


def load_urdf(pybullet_client, file_path, *args, **kwargs):
    """`loadURDF` retried up to 6 times, then `stacking/block.urdf` from the same folder root
    (recorded as a warning)."""
    for _ in range(6):
        try:
            return pybullet_client.loadURDF(file_path, *args, **kwargs)
        except pybullet_client.error:
            pass
    fallbacks.warn(f"load_urdf: cannot load {os.path.basename(str(file_path))!r}; block instead")
    return pybullet_client.loadURDF(os.path.join(ASSETS_ROOT, "stacking/block.urdf"), *args, **kwargs)
