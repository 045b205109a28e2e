"""Handlers of the Library tab: list the task library, show a task's code, save a generated task.

`generation.library.Library` does the work (and refuses to overwrite); these functions only turn
its entries into table rows and its errors into messages.
"""
from __future__ import annotations

import gradio as gr

from demo import render

COLUMNS = ["name", "description", "source", "pass stats"]


def _stats(entry: dict) -> str:
    """'75% of 4 episodes' from the entry's `stats` (`success_rate`, `episodes`); '' if none."""
    stats = entry.get("stats") or {}
    rate, episodes = stats.get("success_rate"), stats.get("episodes")
    if rate is None:
        return ""
    return f"{float(rate):.0%}" + (f" of {episodes} episodes" if episodes else "")


def library_rows() -> list[list[str]]:
    """One row per library task: name, description, source (original / generated), pass stats."""
    from generation.library import Library

    rows = []
    for entry in Library().list():
        rows.append([str(entry.get("name", "")), str(entry.get("description") or ""),
                     str(entry.get("source") or ""), _stats(entry)])
    return rows


def task_names() -> list[str]:
    """Names of every task in sim/tasks (listing files, so no task code runs here)."""
    from sim.tasks import task_files

    return sorted(task_files())


def refresh():
    """(table rows, dropdown update) for the Library tab; called on page load and after a save."""
    names = task_names()
    return library_rows(), gr.update(choices=names, value=names[0] if names else None)


def show_code(name: str | None) -> str:
    """The source of library task `name` ('' when none is selected or it does not exist)."""
    if not name:
        return ""
    from generation.library import Library

    try:
        return Library().code(name)
    except (KeyError, ValueError, OSError):
        return ""


def save(result: dict | None, name: str | None, library_root=None):
    """Add the session's generated task to the library under `name` (or the name it chose).

    Only tasks whose verdict passed are saved; an invalid or taken name gets the library's message
    (it checks names and never overwrites). `library_root`: the library folder (default sim/tasks; tests pass a temp
    folder). Returns (message HTML, table rows, dropdown update).
    """
    name = (name or "").strip() or None
    if not result or not result.get("code"):
        return render.message_html("Generate a task first.", "error"), gr.skip(), gr.skip()
    if not result.get("accepted"):
        return (render.message_html("Only a task that passed its verdict can be saved.", "error"),
                gr.skip(), gr.skip())
    from generation.library import Library

    meta = {"source": "generated", "backend": result.get("backend"), "model": result.get("model"),
            "stats": {"success_rate": result.get("success_rate"), "episodes": result.get("episodes")}}
    try:
        entry = Library(library_root).add(result["code"], name=name, meta=meta)
    except ValueError as exc:
        return render.message_html(str(exc), "error"), gr.skip(), gr.skip()
    rows, dropdown = refresh()
    return render.message_html(f"Saved as “{entry.get('name', name)}”.", "ok"), rows, dropdown
