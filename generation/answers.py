"""Parsers for model answers: code blocks, JSON/dict literals, lists and critic booleans.

Model output is treated as data only: JSON first, then `ast.literal_eval` — never `exec`/`eval`
(docs/compat.md#exec-in-process and docs/compat.md#brittle-parsing list what the original's exec-based parsers
broke on).
"""

from __future__ import annotations

import ast
import json
import re

from sim.loader import task_classes

# ``` fences with an optional language tag; an unterminated last fence runs to the end of the text.
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_CODE_LANGS = {"python", "py", "python3", ""}


class ParseError(ValueError):
    """A model answer could not be read; `text` keeps the model's answer for the user."""

    def __init__(self, message: str, text: str = ""):
        super().__init__(message)
        self.text = text


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """All ``` fenced blocks of `text` as (language tag in lower case, body) pairs, in order."""
    return [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text or "")]


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def extract_code(text: str) -> str:
    """The task source in a model answer, verbatim (nothing inside the block is altered).

    Preference: the first python/untagged fenced block that parses and defines a Task subclass;
    else the first python-tagged block (it may hold a syntax error the sandbox should report);
    else the whole answer when it parses and defines a Task subclass.
    Raises ParseError (with the answer attached) when none applies.
    """
    blocks = [body for lang, body in fenced_blocks(text) if lang in _CODE_LANGS]
    for body in blocks:
        if _parses(body) and task_classes(body):
            return body.strip("\n") + "\n"
    tagged = [body for lang, body in fenced_blocks(text) if lang in ("python", "py", "python3")]
    if tagged:
        return tagged[0].strip("\n") + "\n"
    if text and _parses(text) and task_classes(text):
        return text.strip("\n") + "\n"
    raise ParseError("The model's answer contains no python code block with a Task class.", text or "")


# GenSim's import header (docs/task-api.md#module-paths: numpy, os, pybullet, random, primitives, Spatula,
# Task, utils), keyed by the name each line binds.
IMPORT_HEADER = {
    "np": "import numpy as np",
    "os": "import os",
    "p": "import pybullet as p",
    "random": "import random",
    "primitives": "from cliport.tasks import primitives",
    "Spatula": "from cliport.tasks.grippers import Spatula",
    "Task": "from cliport.tasks.task import Task",
    "utils": "from cliport.utils import utils",
}


def with_import_header(code: str) -> str:
    """`code` preceded by the lines of IMPORT_HEADER whose names it does not bind at top level.

    GenSim prepended the whole header to every extracted block (docs/pipeline.md#stages); adding only the
    missing lines leaves complete code byte-for-byte unchanged. Code that does not parse is returned as is,
    so syntax errors keep the model's line numbers.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return code
    bound = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.ClassDef, ast.FunctionDef)):
            targets = node.targets if isinstance(node, ast.Assign) else [node]
            bound.update(getattr(t, "id", getattr(t, "name", None)) for t in targets)
    missing = [line for name, line in IMPORT_HEADER.items() if name not in bound]
    return "\n".join(missing) + "\n" + code if missing else code


def _balanced_spans(text: str, open_ch: str, close_ch: str):
    """Yield substrings of `text` from each `open_ch` to its matching `close_ch`.

    Brackets inside single/double-quoted strings are skipped, so nested braces and braces in
    strings do not cut a dict short (the original's non-greedy regex did, docs/compat.md#brittle-parsing).
    """
    for start, ch in enumerate(text):
        if ch != open_ch:
            continue
        depth, quote, escaped = 0, None, False
        for i in range(start, len(text)):
            c = text[i]
            if quote:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == quote:
                    quote = None
            elif c in "\"'":
                quote = c
            elif c == open_ch:
                depth += 1
            elif c == close_ch:
                depth -= 1
                if depth == 0:
                    yield text[start : i + 1]
                    break


def _literal(candidate: str):
    try:
        return json.loads(candidate)
    except ValueError:
        pass
    try:
        return ast.literal_eval(candidate)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


# Brace scanning is quadratic in the worst case; real answers are a few kB (max_tokens 2048).
_SCAN_LIMIT = 100_000


def _extract(text: str, open_ch: str, close_ch: str, kind: type):
    text = (text or "")[:_SCAN_LIMIT]
    # Fenced json/python blocks first: prose before them may contain stray brackets.
    sources = [body for lang, body in fenced_blocks(text) if lang in ("json", "python", "py", "")]
    for source in sources + [text]:
        for span in _balanced_spans(source, open_ch, close_ch):
            value = _literal(span)
            if isinstance(value, kind):
                return value
    return None


def extract_dict(text: str) -> dict:
    """The first dict literal (JSON or Python syntax, nesting allowed) in a model answer.

    Raises ParseError with the answer attached when there is none.
    """
    value = _extract(text, "{", "}", dict)
    if value is None:
        raise ParseError("The model's answer contains no readable {...} object.", text or "")
    return value


def extract_list(text: str) -> list:
    """The first list literal (JSON or Python syntax) in a model answer; ParseError when none."""
    value = _extract(text, "[", "]", list)
    if value is None:
        raise ParseError("The model's answer contains no readable [...] list.", text or "")
    return value


def parse_bool(value) -> bool | None:
    """Critic-style truth value: booleans, or strings true/false/yes/no/1/0 in any case; else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().strip("'\".").lower()
        if word in ("true", "yes", "y", "1", "accept", "accepted"):
            return True
        if word in ("false", "no", "n", "0", "reject", "rejected"):
            return False
    return None


_NAME_OK = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def normalise_task_name(name: str) -> str:
    """Kebab-case form of a proposed task name ("Build_Car " -> "build-car"); "" when nothing is left."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", str(name or "").strip())
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return name[:64].strip("-")


def is_valid_task_name(name: str) -> bool:
    """True for kebab-case names of 1-64 characters made of a-z, 0-9 and single hyphens."""
    return isinstance(name, str) and len(name) <= 64 and bool(_NAME_OK.match(name))


def normalise_proposal(raw: dict) -> dict:
    """A proposal dict with the keys task-name, task-description, assets-used (a list of str), plus
    any other scalar fields of `raw` (strings of at most 2000 characters, numbers, booleans).

    Accepts underscore/space spellings of the keys and an asset string separated by commas
    (one library entry in the original stored it as a string, docs/compat.md#diversity-raw-strings).
    Raises ParseError when no usable task name is present.
    """

    def canon(key):
        return str(key).lower().replace("_", "-").replace(" ", "-")

    def pick(*keys):
        for key in raw:
            if canon(key) in keys:
                return raw[key]
        return None

    name = normalise_task_name(pick("task-name", "name") or "")
    if not name:
        raise ParseError("The proposal has no task-name.", json.dumps(raw, default=str))
    assets = pick("assets-used", "assets") or []
    if isinstance(assets, str):
        assets = [a.strip() for a in assets.split(",")]
    assets = [str(a).strip() for a in assets if str(a).strip()]
    description = str(pick("task-description", "description") or "").strip()
    proposal = {"task-name": name, "task-description": description, "assets-used": assets}
    # Other short text fields (GenSim's "novelty"/"challenges", the offline backend's "idea") travel
    # with the task into the <task> block; nested structures are dropped to keep prompts small.
    consumed = {"task-name", "name", "assets-used", "assets", "task-description", "description"}
    for key, value in raw.items():
        if canon(key) not in consumed and isinstance(value, (str, int, float, bool)) and len(str(value)) <= 2000:
            proposal.setdefault(str(key), value)
    return proposal
