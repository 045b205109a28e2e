"""Stub of IPython: two generated tasks import it (docs/task-api.md#module-paths); `embed()` does nothing."""


def embed(*args, **kwargs):
    """No-op."""
