"""What a visitor types, checked and turned into arguments for `generation` and `serving`.

Every function here raises `InputError` with a message meant for the visitor; the handlers show it
and the app keeps serving.
"""
from __future__ import annotations

import os
import unicodedata

# A task idea is a sentence or a short paragraph; 2,000 characters leaves room for detailed ideas
# while keeping a pasted 1 MB file out of every prompt.
MAX_IDEA_CHARS = 2000

BACKENDS = [
    ("Offline — rule-based generator (no model, always available)", "offline"),
    ("OpenAI-compatible server", "openai"),
    ("Local transformers model", "transformers"),
]
VIDEO_SIZES = ["320x240", "480x360", "640x480"]
DEFAULT_BASE_URL = "https://api.openai.com/v1"


class InputError(ValueError):
    """Bad visitor input; the message says what to change."""


def clean_idea(idea: str | None) -> str:
    """Return the idea trimmed, with tabs/newlines folded to spaces.

    Raises InputError for an empty idea, one over MAX_IDEA_CHARS characters, or one holding other
    control characters (they have no place in a task description and confuse prompts).
    """
    text = (idea or "").strip()
    if not text:
        raise InputError("Please describe a task first, e.g. “put the red block in the green bowl”.")
    if len(text) > MAX_IDEA_CHARS:
        raise InputError(
            f"The idea is {len(text):,} characters long; please keep it under {MAX_IDEA_CHARS:,}."
        )
    text = " ".join(text.replace("\t", " ").replace("\r", " ").replace("\n", " ").split())
    for pos, ch in enumerate(text):
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            raise InputError(
                f"The idea contains a control character (U+{ord(ch):04X} at position {pos}); "
                "please remove it."
            )
    return text


def parse_video_size(text: str | None) -> tuple[int, int]:
    """'320x240' -> (320, 240) pixels (width, height). Raises InputError for other values."""
    try:
        width, height = (int(v) for v in str(text).lower().split("x"))
    except ValueError:
        raise InputError(f"Video size must look like 320x240, got {text!r}.") from None
    if not (64 <= width <= 1280 and 48 <= height <= 960):
        raise InputError(f"Video size {width}x{height} is outside 64x48 .. 1280x960.")
    return width, height


def bounded_int(value, name: str, low: int, high: int) -> int:
    """int(value) checked to lie in [low, high]; raises InputError naming the setting otherwise."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a whole number, got {value!r}.") from None
    if not low <= number <= high:
        raise InputError(f"{name} must be between {low} and {high}, got {number}.")
    return number


def env_defaults() -> dict:
    """Backend settings preselected from the environment.

    `GENSIM_BASE_URL`, `GENSIM_MODEL` or `OPENAI_API_KEY` select the OpenAI-compatible backend.
    The key itself is never returned (it would be sent to the browser); `has_env_key` only says one
    exists, and `backend_config` falls back to it when the password field is left blank.
    """
    base_url = os.environ.get("GENSIM_BASE_URL", "")
    model = os.environ.get("GENSIM_MODEL", "")
    has_key = bool(os.environ.get("OPENAI_API_KEY"))
    kind = "openai" if (base_url or model or has_key) else "offline"
    return {
        "backend": kind,
        "base_url": base_url or DEFAULT_BASE_URL,
        "model": model,
        "has_env_key": has_key,
    }


def backend_config(kind: str, base_url: str, model: str, api_key: str, local_model: str,
                   adapter: str) -> dict:
    """Keyword arguments for `serving.make_backend(kind, **config)`.

    The key is taken from the field, else from `OPENAI_API_KEY`; it stays in this dict, which lives
    only for the request. Raises InputError when a required field is missing.
    """
    if kind == "offline":
        return {}
    if kind == "openai":
        if not (base_url or "").strip():
            raise InputError("The OpenAI-compatible backend needs a base URL, e.g. http://127.0.0.1:8000/v1.")
        if not (model or "").strip():
            raise InputError("The OpenAI-compatible backend needs a model name.")
        key = (api_key or "").strip() or os.environ.get("OPENAI_API_KEY", "")
        config = {"base_url": base_url.strip(), "model": model.strip()}
        if key:
            config["api_key"] = key
        return config
    if kind == "transformers":
        if not (local_model or "").strip():
            raise InputError("The local transformers backend needs a model folder or Hub id.")
        config = {"model": local_model.strip()}
        if (adapter or "").strip():
            config["adapter"] = adapter.strip()
        return config
    raise InputError(f"Unknown backend {kind!r}. Available: {[value for _, value in BACKENDS]}")


def scrub(message: str, secret: str | None) -> str:
    """The message with `secret` (an API key) replaced, so an error can never echo it."""
    if secret and len(secret) >= 4:
        return message.replace(secret, "***")
    return message
