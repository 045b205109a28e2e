"""Handlers of the Library tab: list the task library, show a task's code, save a generated task.

`generation.library.Library` does the work (and refuses to overwrite); these functions only turn
its entries into table rows and its errors into messages.
"""

from __future__ import annotations

import gradio as gr

from demo import render
from generation.library import Library
from sim.tasks import task_files

COLUMNS = ["name", "description", "source", "pass stats"]


ALL_SOURCES = "all sources"


def _stats(entry: dict) -> str:
    """'75% of 4 episodes' from the entry's `stats` (`success_rate`, `episodes`), with ', failing'
    for an imported task kept below the pass bar; '' if none."""
    stats = entry.get("stats") or {}
    rate, episodes = stats.get("success_rate"), stats.get("episodes")
    if rate is None:
        return ""
    return (
        f"{float(rate):.0%}"
        + (f" of {episodes} episodes" if episodes else "")
        + (", failing" if entry.get("failing") else "")
    )


def library_rows(source: str | None = None) -> list[list[str]]:
    """One row per library task: name, description, source (curated / generated / an import's
    source name), pass stats. `source`: only that source (None or ALL_SOURCES: every task).
    A corrupt index gives one row that says so and where, instead of an error page."""
    try:
        entries = Library().list(source=None if source in (None, ALL_SOURCES) else source)
    except ValueError as exc:
        return [["(library index unreadable)", str(exc), "", ""]]
    return [
        [str(e.get("name", "")), str(e.get("description") or ""), str(e.get("source") or ""), _stats(e)]
        for e in entries
    ]


def source_choices() -> list[str]:
    """ALL_SOURCES, then every source of the library's tasks (curated, generated, imports)."""
    try:
        return [ALL_SOURCES, *Library().sources()]
    except ValueError:
        return [ALL_SOURCES]


def source_update():
    """Dropdown update with the current sources (imports made after start-up appear too)."""
    return gr.update(choices=source_choices())


def task_names() -> list[str]:
    """Names of every task in sim/tasks (listing files, so no task code runs here)."""
    return sorted(task_files())


def refresh():
    """(table rows, dropdown update) for the Library tab; called on page load and after a save."""
    names = task_names()
    return library_rows(), gr.update(choices=names, value=names[0] if names else None)


def listing():
    """(table rows, dropdown update) showing the library as it is, the selection left alone: what a
    refused save sends instead of `gr.skip()`, which followed by a later save's values kept one more
    component in the session each time (tests/test_demo_handlers.py)."""
    return library_rows(), gr.update(choices=task_names())


def show_code(name: str | None) -> str:
    """The source of library task `name` ('' when none is selected or it does not exist)."""
    if not name:
        return ""
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
        return render.message_html("Generate a task first.", "error"), *listing()
    if not result.get("accepted"):
        return render.message_html("Only a task that passed its verdict can be saved.", "error"), *listing()
    meta = {
        "source": "generated",
        "backend": result.get("backend"),
        "model": result.get("model"),
        "stats": {"success_rate": result.get("success_rate"), "episodes": result.get("episodes")},
    }
    try:
        entry = Library(library_root).add(result["code"], name=name, meta=meta)
    except ValueError as exc:
        return render.message_html(str(exc), "error"), *listing()
    rows, dropdown = refresh()
    return render.message_html(f"Saved as “{entry.get('name', name)}”.", "ok"), rows, dropdown
