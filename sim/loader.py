"""Load a task class from a Python file written for the CLIPort/GenSim task API.

`find_task_class_name(source)` finds, by AST, the one class deriving directly from `Task`
(`class X(Task)` or `class X(task.Task)`); `load_task_class(path)` imports the file as a module with
`sim.COMPAT_DIR` on `sys.path` (so `from cliport.tasks.task import Task` works) and returns it.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import sim


class TaskLoadError(Exception):
    """The file does not define exactly one class deriving from Task."""


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def task_classes(source: str | ast.Module) -> list[ast.ClassDef]:
    """The top-level class nodes of `source` (text or a parsed module) deriving directly from `Task`
    (`class X(Task)` or `class X(task.Task)`). The one place the project finds task classes by AST.

    Raises SyntaxError when `source` does not parse.
    """
    tree = ast.parse(source) if isinstance(source, str) else source
    return [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and any(_base_name(b) == "Task" for b in node.bases)
    ]


def find_task_class_name(source: str) -> str:
    """Name of the single top-level class whose bases include `Task`.

    Raises SyntaxError for unparsable source and TaskLoadError when zero or several such classes
    exist (the message gives the count and names)."""
    names = [node.name for node in task_classes(source)]
    if len(names) != 1:
        found = f": {', '.join(names)}" if names else ""
        raise TaskLoadError(f"expected exactly one class deriving from Task, found {len(names)}{found}")
    return names[0]


def ensure_compat_path() -> None:
    """Put the `cliport` compatibility package folder first on sys.path (idempotent)."""
    compat = str(sim.COMPAT_DIR)
    if compat not in sys.path:
        sys.path.insert(0, compat)


def load_task_class(path) -> type:
    """Import the task file at `path` as a fresh module and return its Task subclass.

    Raises FileNotFoundError, SyntaxError, TaskLoadError, or whatever the module raises at import."""
    path = Path(path).resolve()
    source = path.read_text()
    name = find_task_class_name(source)
    ensure_compat_path()
    module_name = f"gensim_task_{path.stem}_{abs(hash(str(path))) % 10**8}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return getattr(module, name)
