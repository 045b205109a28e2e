"""What a visitor types (idea and run settings), checked; backend fields are `demo.deployment`'s.

Every function here raises `InputError` with a message meant for the visitor; the handlers show it
and the app keeps serving.
"""
from __future__ import annotations

import unicodedata

# A task idea is a sentence or a short paragraph; 2,000 characters leaves room for detailed ideas
# while keeping a pasted 1 MB file out of every prompt.
MAX_IDEA_CHARS = 2000

VIDEO_SIZES = ["320x240", "480x360", "640x480"]


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
