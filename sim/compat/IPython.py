"""Stub of IPython: two generated tasks import it (docs/task-api.md#module-paths); `embed()` does nothing.

Once imported it is `sys.modules["IPython"]` for the whole process, so libraries that probe for a
running IPython (ray's log deduplicator imports `get_ipython`) find one that says "not running"."""


def embed(*args, **kwargs):
    """No-op."""


def get_ipython():
    """None: no IPython shell is running (IPython's own answer outside a shell)."""
    return None
