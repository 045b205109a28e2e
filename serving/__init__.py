"""Model backends behind one interface (`serving.base`); see serving/README.md."""

from serving.base import Backend, BackendError, GenerationParams, make_backend

__all__ = ["Backend", "BackendError", "GenerationParams", "make_backend"]
