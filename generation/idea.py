"""The task idea a person types, checked once for the app, the CLIs and the pipeline."""

from __future__ import annotations

import unicodedata

# A task idea is a sentence or a short paragraph; 2,000 characters leaves room for detailed ideas
# while keeping a pasted 1 MB file out of every prompt.
MAX_IDEA_CHARS = 2000
# Unicode categories with no place in a task description: they confuse prompts and can hide text.
_FORBIDDEN = ("Cc", "Cf", "Cs", "Co")


class IdeaError(ValueError):
    """An idea that cannot be used; the message says what to change."""


def clean_idea(idea, *, required: bool = True) -> str:
    """The idea stripped, with tabs as spaces, '\\r\\n' as '\\n' and runs of spaces folded.

    Newlines are kept (a multi-step idea may be a list). `required=False` accepts an empty idea
    (bottom-up generation needs none).
    Raises IdeaError for a non-string, an empty idea (when required), one over MAX_IDEA_CHARS
    characters, or one holding another control or format character (its code point and position
    are named).
    """
    if idea is None:
        idea = ""
    if not isinstance(idea, str):
        raise IdeaError(f"The idea must be text, got {type(idea).__name__}.")
    text = idea.strip()
    if not text and required:
        raise IdeaError("Please describe a task first, e.g. “put the red block in the green bowl”.")
    if len(text) > MAX_IDEA_CHARS:
        raise IdeaError(f"The idea is {len(text):,} characters long; please keep it under {MAX_IDEA_CHARS:,}.")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")
    text = "\n".join(" ".join(line.split()) for line in lines)
    for pos, ch in enumerate(text):
        if ch != "\n" and unicodedata.category(ch) in _FORBIDDEN:
            raise IdeaError(
                f"The idea contains a control character (U+{ord(ch):04X} at position {pos}); please remove it."
            )
    return text
