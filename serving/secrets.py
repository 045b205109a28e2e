"""Server-side secrets: which endpoint a key belongs to, and the one scrubber for text shown to people.

Two rules live here and nowhere else:
- **A key stays with its URL.** The server's `OPENAI_API_KEY` is only ever sent to the server's own
  endpoint: `GENSIM_BASE_URL`, or api.openai.com when only the key is set (`server_key_for`). Any
  other base URL gets only a key its caller brought.
- **Secrets are never echoed.** Every error or log line shown to a visitor or printed by a CLI goes
  through `scrub`, which masks the configured secrets and common key shapes.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

DEFAULT_OPENAI_URL = "https://api.openai.com/v1"
MASK = "***"
# Environment variables that may hold a secret of the operator's. Names ending in these suffixes
# count too (e.g. ANTHROPIC_API_KEY, GITHUB_TOKEN), so a new secret is masked without a code change.
SECRET_SUFFIXES = ("_API_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
# Key shapes of the services users paste keys for: OpenAI (sk-..., sk-proj-...), Hugging Face (hf_...),
# and bearer headers quoted back in error bodies. 16+ characters keeps ordinary words untouched.
KEY_PATTERNS = re.compile(r"(?:\bsk-[A-Za-z0-9_\-]{16,}|\bhf_[A-Za-z0-9]{16,}|(?<=Bearer )[A-Za-z0-9_\-.=]{16,})")
MIN_SECRET_CHARS = 4  # masking 1-3 characters everywhere would garble every message


def normalise_url(url: str | None) -> str:
    """`url` in a comparable form: scheme and host lower-cased, default port and trailing '/' dropped.

    'HTTPS://API.openai.com:443/v1/' -> 'https://api.openai.com/v1'. Returns '' for an empty URL.
    """
    if not url or not url.strip():
        return ""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def server_endpoint() -> str:
    """The server's own OpenAI-compatible endpoint: `GENSIM_BASE_URL`, else api.openai.com (normalised)."""
    return normalise_url(os.environ.get("GENSIM_BASE_URL") or DEFAULT_OPENAI_URL)


def is_server_endpoint(base_url: str | None) -> bool:
    """Whether `base_url` (None = the default) is the server's own endpoint."""
    return normalise_url(base_url or server_endpoint()) == server_endpoint()


def server_key_for(base_url: str | None) -> str | None:
    """The server's `OPENAI_API_KEY` if `base_url` is the server's own endpoint, else None.

    This is the only place the server's key is read for sending: a caller who points a backend
    elsewhere must bring their own key.
    """
    key = os.environ.get("OPENAI_API_KEY") or None
    return key if key and is_server_endpoint(base_url) else None


def configured_secrets(environ=None) -> list[str]:
    """Values of the environment variables that hold secrets (see SECRET_SUFFIXES), longest first."""
    environ = os.environ if environ is None else environ
    values = {v for k, v in environ.items() if k.upper().endswith(SECRET_SUFFIXES) and v and len(v) >= MIN_SECRET_CHARS}
    return sorted(values, key=len, reverse=True)


def scrub(text: str, extra: tuple[str, ...] | list[str] = ()) -> str:
    """`text` with every configured secret, each of `extra` (e.g. a key a visitor typed) and anything
    shaped like an API key replaced by '***'.

    Long secrets are also masked by their first and last 8 characters, as OpenAI quotes keys
    ("sk-abc...wxyz"). Non-strings are returned unchanged.
    """
    if not isinstance(text, str) or not text:
        return text
    secrets = sorted(
        {s for s in (*configured_secrets(), *extra) if s and len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True
    )
    for secret in secrets:
        text = text.replace(secret, MASK)
        if len(secret) > 12:
            text = text.replace(secret[:8], MASK).replace(secret[-8:], MASK)
    return KEY_PATTERNS.sub(MASK, text)


def scrub_tree(value, extra: tuple[str, ...] | list[str] = ()):
    """`scrub` applied to every string inside dicts, lists and tuples (e.g. a verdict); other values as is."""
    if isinstance(value, str):
        return scrub(value, extra)
    if isinstance(value, dict):
        return {k: scrub_tree(v, extra) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub_tree(v, extra) for v in value)
    return value
