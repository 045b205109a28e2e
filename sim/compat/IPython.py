"""Stub of IPython: two generated tasks import it (spec §1.1); `embed()` does nothing."""


def embed(*args, **kwargs):
    """No-op."""
