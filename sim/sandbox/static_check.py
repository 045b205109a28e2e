"""Static diagnostics on task source: imports and calls task code has no business making.

This is a warning for the user and the LLM repair loop, NOT the security boundary (dynamic tricks
like `__import__` built from strings pass it); the boundary is the isolated child process.
"""

from __future__ import annotations

import ast

# What task code needs (docs/task-api.md#module-paths): numpy, pybullet, random, math, copy, os (for os.path),
# the task API `cliport.*`; plus harmless stdlib helpers seen in generated tasks.
ALLOWED_MODULES = {
    "numpy",
    "pybullet",
    "random",
    "math",
    "copy",
    "os",
    "cliport",
    "IPython",
    "itertools",
    "functools",
    "collections",
    "string",
    "typing",
    "dataclasses",
    "enum",
    "__future__",
    "abc",
    "trimesh",
}
# Attributes of `os` beyond `os.path` that only hostile code wants.
_OS_OK = {"path", "sep"}
_SUSPICIOUS_CALLS = {
    "eval",
    "exec",
    "compile",
    "__import__",
    "open",
    "globals",
    "setattr",
    "delattr",
    "breakpoint",
    "input",
}


def check_source(source: str, filename: str = "task.py") -> list[str]:
    """Return warnings like "task.py:3: imports 'socket' (task code needs only ...)".

    Source that does not parse gives no warnings (the syntax stage reports it).
    """
    try:
        tree = ast.parse(source, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    allowed = ", ".join(sorted(m for m in ALLOWED_MODULES if m[0] != "_"))
    out = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or "."] if node.level == 0 else []
        for name in names:
            if name.split(".")[0] not in ALLOWED_MODULES:
                out.append(f"{filename}:{node.lineno}: imports '{name}' (task code needs only {allowed})")
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr not in _OS_OK
        ):
            out.append(f"{filename}:{node.lineno}: uses os.{node.attr} (only os.path is expected)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _SUSPICIOUS_CALLS:
            out.append(f"{filename}:{node.lineno}: calls {node.func.id}() (not needed by task code)")
    return out
