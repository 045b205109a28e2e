"""Prompt assembly: text templates in `generation/prompts/`, plus the task API listing and the asset
catalogue generated from our own code and `assets/` folder so the prompts never drift from them.

Templates use `{{NAME}}` placeholders. `render` fills them in one pass (text pasted in — the
user's idea, model code — is never scanned again) and fails loudly when a placeholder has no value
or a value has no placeholder: the original silently left "TASK_STRING_TEMPLATE" in prompts and
dropped the reference code (docs/compat.md#reference-code-dropped).
"""

from __future__ import annotations

import ast
import inspect
import json
import random
import re
import textwrap
from pathlib import Path

import sim

PROMPT_DIR = Path(__file__).resolve().parent / "prompts"
STAGES = ("proposal", "api_review", "error_review", "reference_selection", "implementation", "repair", "reflection")
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


class PromptError(RuntimeError):
    """A template is missing, lacks its stage marker, or placeholders and values do not match."""


def render(template: str, stage: str, **values) -> str:
    """Fill `generation/prompts/<template>.txt` with `values` (str() of each) and check it.

    Raises PromptError when the first line is not `[stage: <stage>]` (INTERFACES.md "Stage
    markers"), when a placeholder has no value, or when a value is not used by the template.
    """
    if stage not in STAGES:
        raise PromptError(f"Unknown stage {stage!r}; stages: {STAGES}")
    path = PROMPT_DIR / f"{template}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"No prompt template {path}") from None
    if text.split("\n", 1)[0].strip() != f"[stage: {stage}]":
        raise PromptError(f"{path.name} must start with the line '[stage: {stage}]'")
    wanted = set(_PLACEHOLDER.findall(text))
    missing, unused = wanted - set(values), set(values) - wanted
    if missing or unused:
        raise PromptError(
            f"{path.name}: placeholders without value {sorted(missing)}, values without placeholder {sorted(unused)}"
        )
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def system_message() -> str:
    """The system message of every conversation (the full text; the original truncated it,
    docs/compat.md#system-message-truncated)."""
    return (PROMPT_DIR / "system.txt").read_text(encoding="utf-8").strip()


def task_json(proposal: dict) -> str:
    """The proposal as it appears between `<task>` and `</task>`: one JSON object."""
    return json.dumps(proposal, ensure_ascii=False)


def _init_attributes(cls) -> list[str]:
    """`self.x = <default>` assignments of `cls.__init__`, as source lines (read with ast)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))
    except (OSError, TypeError, SyntaxError):
        return []
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and not target.attr.startswith("_")
            ):
                value = ast.unparse(node.value)
                if len(value) <= 80:
                    lines.append(f"    self.{target.attr} = {value}")
    return lines


def task_api_listing(task_cls=None) -> str:
    """Signatures and docstrings of the public methods of `sim.task.Task` (or `task_cls`).

    Read via `inspect` so the listing shown to the model is always the API we run.
    """
    if task_cls is None:
        # Imported here, not at the top: sim.task loads pybullet, which the app does not need until a
        # prompt lists the API.
        from sim.task import Task as task_cls  # the class under its API name
    out = ["class Task:"]
    doc = inspect.getdoc(task_cls)
    if doc:
        out.append(textwrap.indent(f'"""{doc.splitlines()[0]}"""', "    "))
    attrs = _init_attributes(task_cls)
    if attrs:
        out.append("    def __init__(self):  # attributes and their defaults")
        out.extend("    " + a for a in attrs)
    for name, fn in sorted(inspect.getmembers(task_cls, inspect.isfunction)):
        if name.startswith("_"):
            continue
        try:
            sig = str(inspect.signature(fn))
        except (TypeError, ValueError):
            sig = "(...)"
        out.append(f"    def {name}{sig}:")
        fdoc = inspect.getdoc(fn)
        if fdoc:
            # The first paragraph is the contract; the rest is detail the model rarely needs.
            para = fdoc.split("\n\n")[0]
            out.append(textwrap.indent(f'"""{para}"""', "        "))
    return "\n".join(out)


# The environment loads these itself (robot, grippers, floor); tasks never add them.
SCENE_ASSET_FOLDERS = ("ur5", "plane")


def asset_catalogue(root: Path | None = None) -> str:
    """One line per asset folder: `- folder: a.urdf, b.urdf` from the `*.urdf` files under `root`.

    Paths are relative to the assets root, as task code writes them (e.g. `box/box-template.urdf`);
    the scene's own folders (SCENE_ASSET_FOLDERS) are left out.
    """
    root = Path(root) if root is not None else Path(sim.ASSETS_ROOT)
    groups: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.urdf")) if root.is_dir() else []:
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in SCENE_ASSET_FOLDERS:
            continue
        groups.setdefault(rel.split("/")[0] if "/" in rel else ".", []).append(rel)
    if not groups:
        return "(no assets found)"
    return "\n".join(f"- {group}: {', '.join(paths)}" for group, paths in sorted(groups.items()))


def library_listing(entries: list[dict], limit: int | None = None, seed: int = 0) -> str:
    """`- name: description` lines for library entries; a seeded random subset of `limit` when given
    (the original showed 10 random tasks in proposals and 20 in reflections, docs/pipeline.md#library)."""
    entries = list(entries)
    if limit is not None and len(entries) > limit:
        entries = sorted(random.Random(seed).sample(entries, limit), key=lambda e: e["name"])
    if not entries:
        return "(the library is empty)"
    return "\n".join(f"- {e['name']}: {e.get('description') or ''}".rstrip() for e in entries)


def fenced(code: str, title: str = "") -> str:
    """`code` in a python fence, preceded by a `# title` comment line inside the block."""
    head = f"# {title}\n" if title else ""
    return f"```python\n{head}{code.rstrip()}\n```"


def trim_traceback(text: str, max_lines: int = 25, max_chars: int = 2000) -> str:
    """The last `max_lines` lines (and at most `max_chars` characters) of a traceback: the frames
    nearest the error are the ones the model needs."""
    lines = (text or "").strip().splitlines()[-max_lines:]
    out = "\n".join(lines)
    return out[-max_chars:] if len(out) > max_chars else out
