"""Offline rule-based task generator: the default backend, needing no API key and no model weights.

from serving.offline import OfflineBackend
code, spec = OfflineBackend().write_task("stack three blocks")
"""

from serving.offline.backend import OfflineBackend, Refusal

__all__ = ["OfflineBackend", "Refusal"]
