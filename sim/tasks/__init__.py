"""The task library: one task per file, found by listing this folder.

A task named `align-box-corner` lives in `align_box_corner.py` and defines the class `AlignBoxCorner`
(docs/task-api.md#task-names: names and files differ only by '-' <-> '_'). This module never imports task
files: accepted generated tasks live here too, and generated code only ever runs in the sandbox.
Load a task with `sim.loader.load_task_class(task_path(name))`.
"""

from pathlib import Path

TASKS_DIR = Path(__file__).resolve().parent

# The hand-written tasks of docs/task-api.md#base-tasks (the rest of the folder is generated, accepted code).
BASE_TASKS = (
    "align-box-corner",
    "align-rope",
    "assembling-kits",
    "block-insertion",
    "manipulating-rope",
    "packing-boxes",
    "palletizing-boxes",
    "place-red-in-green",
    "put-block-in-bowl",
    "separating-piles",
    "stack-block-pyramid",
    "sweeping-piles",
    "towers-of-hanoi",
)


INDEX_PATH = TASKS_DIR / "index.json"  # the library's index, written only by generation.library.Library


def name_to_file(name: str) -> str:
    """`build-car` -> `build_car.py` (docs/task-api.md#task-names: a plain character swap)."""
    return name.replace("-", "_") + ".py"


def file_to_name(path: Path | str) -> str:
    """`build_car.py` (or a path to it) -> `build-car`."""
    return Path(path).stem.replace("_", "-")


def task_files() -> dict[str, Path]:
    """Every task file of the library, by hyphenated task name, sorted by name.

    Returns {name: absolute path} for each `*.py` in this folder except `__init__.py`
    (e.g. `"align-box-corner" -> .../sim/tasks/align_box_corner.py`). Reads only the folder
    listing, so it is cheap and safe to call on untrusted library content.
    """
    files = (f for f in TASKS_DIR.glob("*.py") if f.name != "__init__.py")
    return {file_to_name(f): f for f in sorted(files)}


def task_path(name: str) -> Path:
    """The file of task `name` (hyphens or underscores, `.py` suffix optional).

    Raises KeyError whose message lists the valid names when no such task file exists.
    """
    key = name.strip().removesuffix(".py").replace("_", "-")
    files = task_files()
    if key not in files:
        raise KeyError(f"unknown task {name!r}; valid names: {', '.join(files)}")
    return files[key]
