"""python -m generation.library list [--source S] | summary [--source S] | show NAME | add FILE [--name N] | purge NAME
    | reindex [--from-files] | verify [NAME ...] [--episodes N] [--seed S] [--wall-seconds W]
    | import PATH... --source NAME [--keep-failing] [--episodes N] [--min-success R]
    (verify and import also take --workers N, --ray [auto|ADDRESS], --journal FILE)

The task library: one file per task in `sim/tasks/` (`align-box-corner` -> `align_box_corner.py`)
plus the JSON index `sim/tasks/index.json` (name, description, assets, source, backend, model,
created, verdict stats, and for imported tasks their provenance). Task code is only read as text
and parsed with `ast` — never imported — so generated code never runs in the caller's process; it
runs in the sandbox, through `sim.batch` (local worker processes, or Ray). The index is rewritten
under an exclusive file lock (`filelock`, `.index.lock` beside it) via temp file + `os.replace`, so
concurrent writers (an app save during a verify run) never lose an update or leave a half-written
index. A hand-edited index that is not valid is reported with its line, never silently dropped.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from filelock import FileLock

from generation import stats as gstats
from generation.answers import is_valid_task_name, normalise_task_name
from sim import batch, cli
from sim.loader import task_classes
from sim.sandbox import Limits, run
from sim.settings import RunSettings
from sim.tasks import BASE_TASKS, INDEX_PATH, TASKS_DIR, file_to_name, name_to_file

DEFAULT_ROOT = TASKS_DIR
INDEX_NAME = INDEX_PATH.name
LOCK_NAME = ".index.lock"
# Provenance fields an entry keeps through `reindex` (besides name/file/class/description/assets).
PROVENANCE = ("source", "backend", "model", "created", "stats", "original_file", "imported", "failing")
# An import passes when at least 3 of 4 episodes succeed (the library's acceptance bar, issue 16).
MIN_SUCCESS = 0.75


SOURCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


class CorruptIndexError(ValueError):
    """index.json is not valid JSON or not a valid index; the message names the file and line."""


def check_name(name: str) -> str:
    """Return `name` when it is a valid library task name, else raise ValueError saying why.

    Valid: kebab-case, a-z 0-9 and single hyphens, at most 64 characters — this also rules out
    path tricks (`..`, `/`, `\\`) and shell metacharacters.
    """
    if not is_valid_task_name(name):
        raise ValueError(
            f"Invalid task name {name!r}: use lower-case words joined by hyphens, "
            "e.g. 'stack-red-blocks' (a-z, 0-9, '-', at most 64 characters)."
        )
    return name


def describe_code(source: str) -> dict:
    """Facts read from task source without running it: class name, description, assets.

    description = the class docstring (first line-joined paragraph kept whole); assets = every string
    literal ending in ".urdf", in order of appearance, deduplicated (as the original's
    `add_task_from_code.py`, docs/pipeline.md#library-scripts). Raises ValueError unless there is exactly one
    Task class.
    """
    try:
        classes = task_classes(source)
    except SyntaxError as exc:
        raise ValueError(f"The task code does not parse: {exc.msg} (line {exc.lineno}).") from None
    if len(classes) != 1:
        raise ValueError(f"The task code must define exactly one class deriving from Task; found {len(classes)}.")
    cls = classes[0]
    assets: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value.strip()
            if value.endswith(".urdf") and value not in assets:
                assets.append(value)
    description = " ".join((ast.get_docstring(cls) or "").split())
    return {"class": cls.name, "description": description, "assets": assets}


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _atomic_write(path: Path, text: str, exclusive: bool = False) -> None:
    """Write `text` to `path` complete or not at all: written beside it, then renamed over it, or with
    `exclusive` linked in, which raises FileExistsError when `path` exists (never overwritten).
    A process killed midway leaves at most a hidden `.NAME.*.tmp` beside it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


GOAL_METRICS = ("pose", "zone")  # add_goal's metric values (docs/task-api.md)


def normalised_ast(source: str, structure_only: bool = False) -> str:
    """A text that is equal for two task files that are the same task written differently.

    The code's AST without docstrings, comments, imports, and with every variable, argument and
    class name replaced by its order of first appearance (v0, v1, ...); attribute names, method
    names and literals are kept, so a different asset, colour, goal or call stays different.
    `structure_only`: literals other than asset paths (*.urdf) and goal metrics are replaced by
    their type too, so tasks that differ only in colours, sizes, counts or wording compare equal
    (the same objects, goals and structure). Raises SyntaxError when `source` does not parse.
    """
    tree = ast.parse(source)
    names: dict[str, str] = {}

    def rename(name: str) -> str:
        return names.setdefault(name, f"v{len(names)}")

    class Normaliser(ast.NodeTransformer):
        def visit_Import(self, node):
            return None

        visit_ImportFrom = visit_Import

        def _strip_docstring(self, node):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
            return node

        def visit_Module(self, node):
            return self.generic_visit(self._strip_docstring(node))

        def visit_ClassDef(self, node):
            node.name = rename(node.name)
            return self.generic_visit(self._strip_docstring(node))

        def visit_FunctionDef(self, node):
            return self.generic_visit(self._strip_docstring(node))

        visit_AsyncFunctionDef = visit_FunctionDef

        def visit_Name(self, node):
            node.id = rename(node.id)
            return node

        def visit_arg(self, node):
            node.arg = rename(node.arg)
            node.annotation = None
            return node

        def visit_Constant(self, node):
            value = node.value
            if (
                not structure_only
                or value is None
                or isinstance(value, bool)
                or (isinstance(value, str) and (value.strip().endswith(".urdf") or value in GOAL_METRICS))
            ):
                return node
            return ast.Constant(type(value).__name__)

    return ast.dump(Normaliser().visit(tree), annotate_fields=False, include_attributes=False)


def _element_lines(text: str) -> list[int]:
    """1-based line of each element of the top-level "tasks" array of an index text that parses.

    Walks the array with `json.JSONDecoder.raw_decode`, which reports where each value ends, so a
    structural error can name the line a person has to fix. [] when there is no such array.
    """
    decoder = json.JSONDecoder()
    match = re.search(r'"tasks"\s*:\s*\[', text)
    if not match:
        return []
    pos, lines = match.end(), []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return lines


def parse_index(text: str, where: str = INDEX_NAME) -> dict[str, dict]:
    """Entries by name from the text of an index file; {} for an empty text.

    Raises CorruptIndexError naming `where` and the line: invalid JSON, a top level that is not
    {"tasks": [...]}, an entry that is not an object, lacks a valid "name" or "file", or repeats a
    name.
    """
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptIndexError(
            f"{where} line {exc.lineno} column {exc.colno}: {exc.msg}. Fix that "
            "line, or rebuild the index from the task files with `python -m "
            "generation.library reindex --from-files` (drops provenance and stats)."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        raise CorruptIndexError(f'{where} line 1: expected an object with a "tasks" list.')
    lines = _element_lines(text)
    entries: dict[str, dict] = {}
    for k, entry in enumerate(data["tasks"]):
        line = lines[k] if k < len(lines) else "?"
        problem = None
        if not isinstance(entry, dict):
            problem = f"task entry {k + 1} is not an object"
        elif not is_valid_task_name(entry.get("name")):
            problem = f'task entry {k + 1} has no valid "name" (got {entry.get("name")!r})'
        elif entry.get("file") != name_to_file(entry["name"]):
            problem = (
                f'task {entry["name"]!r} has "file" {entry.get("file")!r}, expected {name_to_file(entry["name"])!r}'
            )
        elif entry["name"] in entries:
            problem = f"task {entry['name']!r} appears twice"
        if problem:
            raise CorruptIndexError(
                f"{where} line {line}: {problem}. Fix it by hand, or rebuild "
                "with `python -m generation.library reindex --from-files`."
            )
        entries[entry["name"]] = entry
    return entries


def verify_unit(source: str, filename: str, episodes: int, seed: int, wall_seconds: float | None = None) -> dict:
    """Run task `source` with the oracle in the sandbox; its pass stats (a `sim.batch` unit).

    Returns {"success_rate", "episodes" (run), "seed", "stage_reached", "error" ("Type: message" or
    None), "mean_seconds" (per episode, wall), "verified" (ISO time)}. The code runs only inside
    `sim.sandbox`, whose wall/CPU limits `wall_seconds` replaces.
    """
    limits = Limits(cpu_seconds=int(wall_seconds), wall_seconds=wall_seconds) if wall_seconds else None
    verdict = run(source, RunSettings(episodes=episodes, seed=seed, video=False, limits=limits), filename=filename)
    eps = verdict.get("episodes") or []
    err = verdict.get("error")
    return {
        "success_rate": verdict.get("success_rate", 0.0),
        "episodes": len(eps),
        "seed": seed,
        "stage_reached": verdict.get("stage_reached"),
        "error": f"{err.get('type')}: {err.get('message')}" if err else None,
        "mean_seconds": round(sum(e.get("seconds") or 0 for e in eps) / len(eps), 2) if eps else None,
        "verified": _now(),
    }


def _unit(name: str, code: str, episodes: int, seed: int, wall_seconds: float | None) -> batch.Unit:
    digest = hashlib.sha1(code.encode()).hexdigest()[:12]
    return batch.Unit(
        key=f"{name}|{digest}|seeds={seed}:{seed + episodes}",
        fn="generation.library:verify_unit",
        kwargs={
            "source": code,
            "filename": name_to_file(name),
            "episodes": episodes,
            "seed": seed,
            "wall_seconds": wall_seconds,
        },
        meta={"task": name},
    )


class Library:
    """The task library rooted at `root` (default `sim/tasks`), index at `root/index.json`.

    Entries are dicts: {"name", "file", "class", "description", "assets", "source" ("curated",
    "generated", or an import's source name), "backend", "model", "created" (ISO 8601 UTC), "stats"
    (verdict figures or {})}; imported tasks add "original_file", "imported" (ISO time) and
    "failing" (true when kept with --keep-failing below the pass bar).
    """

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else DEFAULT_ROOT
        self.index_path = self.root / INDEX_NAME

    # -- index I/O ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        """Exclusive lock for a read-modify-write of the index (threads and processes alike: each
        call opens its own lock file descriptor)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(self.root / LOCK_NAME, thread_local=False):
            yield

    def _read_index(self) -> dict:
        """Entries by name; {} when there is no index. Raises CorruptIndexError (with the line)."""
        try:
            text = self.index_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except UnicodeDecodeError as exc:
            raise CorruptIndexError(f"{self.index_path}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
        return parse_index(text, str(self.index_path))

    def _write_index(self, entries: dict) -> None:
        data = {"version": 1, "tasks": [entries[k] for k in sorted(entries)]}
        _atomic_write(self.index_path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    def _task_files(self) -> dict[str, Path]:
        return {
            file_to_name(p): p
            for p in sorted(self.root.glob("*.py"))
            if not p.name.startswith("_") and is_valid_task_name(file_to_name(p))
        }

    # -- public API --------------------------------------------------------------------------
    def list(self, source: str | None = None) -> list[dict]:
        """Entries of every task file, sorted by name: the index entry when there is one, else one
        read from the code (a file dropped in without `add`; `reindex` makes it permanent).
        Files that do not parse are left out. `source`: only entries of that source.
        Raises CorruptIndexError when the index is not valid."""
        index = self._read_index()
        out = []
        for name, path in self._task_files().items():
            if name in index:
                out.append(index[name])
                continue
            try:
                out.append(self._entry(name, path, {}))
            except ValueError:
                continue
        return [e for e in out if source is None or e.get("source") == source]

    def sources(self) -> list[str]:
        """The distinct sources of the listed tasks, sorted."""
        return sorted({str(e.get("source") or "") for e in self.list()} - {""})

    def _entry(self, name: str, path: Path, prev: dict) -> dict:
        """Index entry of the task file `path`, keeping provenance fields of `prev`; ValueError when
        the code does not parse or lacks one Task class."""
        facts = describe_code(path.read_text(encoding="utf-8"))
        entry = {
            "name": name,
            "file": path.name,
            "class": facts["class"],
            "description": facts["description"],
            "assets": facts["assets"],
            "source": prev.get("source") or ("curated" if name in BASE_TASKS else "generated"),
            "backend": prev.get("backend"),
            "model": prev.get("model"),
            "created": prev.get("created") or _now(),
            "stats": prev.get("stats") or {},
        }
        entry.update({k: prev[k] for k in PROVENANCE if k not in entry and k in prev})
        return entry

    def names(self) -> list[str]:
        """Names of the indexed tasks whose file exists."""
        return [e["name"] for e in self.list()]

    def texts(self) -> dict[str, str]:
        """{task name: its name's words and its description}: what a backend ranks library tasks by
        (the offline backend's nearest-task suggestions)."""
        return {e["name"]: e["name"].replace("-", " ") + " " + (e.get("description") or "") for e in self.list()}

    def get(self, name: str) -> dict:
        """The index entry of `name`; KeyError listing the valid names when absent."""
        check_name(name)
        entries = {e["name"]: e for e in self.list()}
        if name not in entries:
            raise KeyError(f"No task {name!r} in the library. Available: {sorted(entries)}")
        return entries[name]

    def path(self, name: str) -> Path:
        """Path of the code file of `name` (validated; the file may not exist)."""
        return self.root / name_to_file(check_name(name))

    def code(self, name: str) -> str:
        """Source text of task `name`; KeyError when the file is absent."""
        path = self.path(name)
        if not path.is_file():
            raise KeyError(f"No task {name!r} in the library. Available: {self.names()}")
        return path.read_text(encoding="utf-8")

    def add(self, code: str, name: str | None = None, meta: dict | None = None) -> dict:
        """Store `code` as task `name` (default: the class name in kebab-case) and index it.

        `meta` may carry source (default "generated"), backend, model, stats, description, and the
        import provenance original_file, imported, failing.
        Raises ValueError for a bad name, code without exactly one Task class, or when the name is
        already taken (file or index entry): nothing is ever overwritten. CorruptIndexError when
        the index is not valid.
        """
        facts = describe_code(code)
        name = check_name(name if name is not None else normalise_task_name(facts["class"]))
        meta = dict(meta or {})
        entry = {
            "name": name,
            "file": name_to_file(name),
            "class": facts["class"],
            "description": meta.get("description") or facts["description"],
            "assets": facts["assets"],
            "source": meta.get("source", "generated"),
            "backend": meta.get("backend"),
            "model": meta.get("model"),
            "created": meta.get("created") or _now(),
            "stats": meta.get("stats") or {},
        }
        entry.update({k: meta[k] for k in ("original_file", "imported", "failing") if k in meta})
        with self._locked():
            entries = self._read_index()
            path = self.root / entry["file"]
            if name in entries or path.exists():
                raise ValueError(
                    f"A task named {name!r} already exists in the library; choose another name or purge it first."
                )
            # Exclusive: even a writer that bypasses the lock cannot be overwritten; atomic: a writer
            # killed midway never leaves a partial task file (tests/test_faults.py).
            _atomic_write(path, code if code.endswith("\n") else code + "\n", exclusive=True)
            entries[name] = entry
            self._write_index(entries)
        return entry

    def purge(self, name: str) -> None:
        """Delete task `name`: its code file and its index entry. KeyError when neither exists."""
        path = self.path(name)
        with self._locked():
            entries = self._read_index()
            if name not in entries and not path.exists():
                raise KeyError(f"No task {name!r} in the library. Available: {self.names()}")
            entries.pop(name, None)
            # Index first: a writer killed between the two steps leaves a file without an entry
            # (listed as a dropped-in file, removed by the same purge), never an entry without its file.
            self._write_index(entries)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def set_stats(self, name: str, stats: dict) -> dict:
        """Replace the verdict stats of indexed task `name`; returns the entry. KeyError when the
        task has no index entry (run `reindex` first)."""
        check_name(name)
        with self._locked():
            entries = self._read_index()
            if name not in entries:
                raise KeyError(f"No indexed task {name!r}. Available: {sorted(entries)}")
            entries[name]["stats"] = dict(stats)
            self._write_index(entries)
        return entries[name]

    def verify(self, name: str, episodes: int = 4, seed: int = 0, wall_seconds: float | None = None) -> dict:
        """Run task `name` through the sandbox oracle (in this process's sandbox child) and store
        the verdict figures as its stats; returns them (see `verify_unit`).

        `wall_seconds` fixes the sandbox's wall-clock and CPU limits (default: the sandbox's own,
        scaled with the episodes)."""
        stats = verify_unit(self.code(name), name_to_file(name), episodes, seed, wall_seconds)
        self.set_stats(name, stats)
        return stats

    def verify_many(
        self,
        names: list[str] | None = None,
        *,
        episodes: int = 4,
        seed: int = 0,
        wall_seconds: float | None = None,
        engine=None,
        journal=None,
        progress: bool = True,
        on_result=None,
    ) -> list[dict]:
        """Verify `names` (default: every task) as `sim.batch` units on `engine` (default: a local
        pool of one worker per CPU), storing each task's stats as soon as its unit finishes.

        Returns the batch records (`sim.batch.run_units`) in the order of `names`; a unit that
        failed to run stores nothing. `on_result(name, record)` is called as each finishes.
        `journal`: a `sim.batch` journal for resuming an interrupted run.
        """
        names = list(names) if names else self.names()
        # Longest first, by the last verify's seconds per episode: a slow task started last would
        # leave the other workers idle at the end (longest-processing-time-first scheduling).
        known = {e["name"]: (e.get("stats") or {}).get("mean_seconds") or 0.0 for e in self.list()}
        slowest_first = sorted(names, key=lambda n: -known.get(n, 0.0))
        units = [_unit(n, self.code(n), episodes, seed, wall_seconds) for n in slowest_first]

        def store(rec):
            if rec["status"] == "done":
                self.set_stats(rec["meta"]["task"], rec["result"])
            if on_result is not None:
                on_result(rec["meta"]["task"], rec)

        records = batch.run_units(
            units,
            engine=engine or batch.LocalEngine(),
            journal=journal,
            progress=progress,
            desc="verify",
            on_record=store,
        )
        by_task = {rec["meta"]["task"]: rec for rec in records}
        return [by_task[n] for n in names]

    def _shapes(self, structure_only: bool = False) -> dict[str, str]:
        """normalised_ast of every listed task's code -> its name (files that do not parse left out)."""
        shapes = {}
        for e in self.list():
            with contextlib.suppress(SyntaxError, KeyError, OSError):
                shapes.setdefault(normalised_ast(self.code(e["name"]), structure_only), e["name"])
        return shapes

    def find_duplicate(self, code: str, structure_only: bool = False) -> str | None:
        """Name of a library task that is the same task as `code` (equal `normalised_ast`; with
        `structure_only`, equal apart from colours, sizes and counts), or None.
        Raises SyntaxError when `code` does not parse."""
        return self._shapes(structure_only).get(normalised_ast(code, structure_only))

    def import_files(
        self,
        paths: list[Path | str],
        source: str,
        *,
        episodes: int = 4,
        seed: int = 0,
        min_success: float = MIN_SUCCESS,
        keep_failing: bool = False,
        wall_seconds: float | None = None,
        engine=None,
        journal=None,
        progress: bool = True,
    ) -> list[dict]:
        """Validate task files written for the CLIPort/GenSim task API and add those that pass.

        paths: files or folders of `*.py` files (`__init__.py` and `_*` skipped). Each file is read,
        parsed (one Task class), named after its class (kebab-case), checked for duplicates — the
        same name, or the same task after `normalised_ast` — against the library and the files
        before it, then run with the oracle in the sandbox over seeds seed .. seed+episodes-1 (one
        `sim.batch` unit per file). Files reaching `min_success` are added with provenance
        {"source": source, "original_file", "imported", "stats"}; with `keep_failing` the others are
        added too, with "failing": true.
        Returns one report per file: {"file", "name", "status": "imported" | "imported-failing" |
        "rejected", "stage" (where it stopped: read, parse, name, duplicate, or the sandbox stage),
        "error", "stats"}. Raises ValueError for a bad source name.
        """
        if not SOURCE_RE.fullmatch(source or "") or source in ("curated", "generated"):
            raise ValueError(
                f"--source must be a short name (letters, digits, . _ -) other than "
                f"'curated' and 'generated', got {source!r}"
            )
        files = []
        for p in map(Path, paths):
            files += sorted(f for f in p.glob("*.py") if not f.name.startswith("_")) if p.is_dir() else [p]
        known = self._shapes()
        taken = set(self.names()) | set(self._task_files())
        reports, candidates = [], []
        for f in files:
            rep = {"file": str(f), "name": None, "status": "rejected", "stage": None, "error": None, "stats": None}
            reports.append(rep)
            try:
                code = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                rep.update(stage="read", error=f"{type(exc).__name__}: {exc}")
                continue
            try:
                facts = describe_code(code)
                shape = normalised_ast(code)
            except (ValueError, SyntaxError) as exc:
                rep.update(stage="parse", error=str(exc))
                continue
            name = normalise_task_name(facts["class"])
            rep["name"] = name
            if not is_valid_task_name(name):
                rep.update(stage="name", error=f"class {facts['class']!r} gives no valid task name")
            elif name in taken:
                rep.update(stage="duplicate", error=f"a task named {name!r} is already in the library")
            elif shape in known:
                rep.update(
                    stage="duplicate",
                    error=f"the same task as {known[shape]!r} (equal code after normalising names and docstrings)",
                )
            else:
                taken.add(name)
                known[shape] = name
                candidates.append((rep, code, _unit(name, code, episodes, seed, wall_seconds)))
        records = batch.run_units(
            [u for _, _, u in candidates],
            engine=engine or batch.LocalEngine(),
            journal=journal,
            progress=progress,
            desc="import",
        )
        imported = _now()
        for (rep, code, _), rec in zip(candidates, records):
            if rec["status"] != "done":
                rep.update(stage="run", error=rec["error"])
                continue
            stats = rec["result"]
            rep["stats"] = stats
            passed = stats["success_rate"] >= min_success
            if not passed:
                rep.update(
                    stage=stats["stage_reached"],
                    error=stats["error"] or f"success rate {stats['success_rate']:.2f} below {min_success:.2f}",
                )
                if not keep_failing:
                    continue
            meta = {
                "source": source,
                "original_file": Path(rep["file"]).name,
                "imported": imported,
                "stats": stats,
                **({} if passed else {"failing": True}),
            }
            try:
                self.add(code, name=rep["name"], meta=meta)
            except ValueError as exc:  # taken meanwhile by a concurrent writer
                rep.update(stage="duplicate", error=str(exc))
                continue
            rep["status"] = "imported" if passed else "imported-failing"
        return reports

    def summary(self, source: str | None = None, min_success: float = MIN_SUCCESS) -> dict:
        """Figures of the library (or of one source's tasks), read from the index and the code.

        Returns {"tasks", "by_source": {source: n}, "by_goal_type": {metrics: n} (the sorted set of
        `metric=` literals of a task's add_goal calls, e.g. "pose+zone"), "asset_diversity" and
        "code_diversity" (GenSim's mean pairwise 1 - Jaccard over normalised assets / code tokens,
        `generation.stats`), "distinct_structures" (distinct `normalised_ast(structure_only=True)`:
        tasks apart from colours, sizes and counts), "passing" (stats success_rate >= min_success),
        "unverified" (no stats)}.
        """
        entries = self.list(source=source)
        by_source: dict[str, int] = {}
        by_goal: dict[str, int] = {}
        codes = []
        for e in entries:
            by_source[e.get("source") or ""] = by_source.get(e.get("source") or "", 0) + 1
            code = self.code(e["name"])
            codes.append(code)
            metrics = sorted(
                {
                    kw.value.value
                    for node in ast.walk(ast.parse(code))
                    if isinstance(node, ast.Call)
                    for kw in node.keywords
                    if kw.arg == "metric" and isinstance(kw.value, ast.Constant)
                }
            )
            key = "+".join(metrics) or "none"
            by_goal[key] = by_goal.get(key, 0) + 1
        rates = [(e.get("stats") or {}).get("success_rate") for e in entries]
        return {
            "tasks": len(entries),
            "by_source": dict(sorted(by_source.items())),
            "by_goal_type": dict(sorted(by_goal.items(), key=lambda kv: -kv[1])),
            "asset_diversity": round(
                gstats.mean_pairwise_distance(
                    [{gstats.normalise_asset(a) for a in e.get("assets") or []} for e in entries]
                ),
                3,
            ),
            "code_diversity": round(gstats.mean_pairwise_distance([gstats.code_tokens(c) for c in codes]), 3),
            "distinct_structures": len({normalised_ast(c, structure_only=True) for c in codes}),
            "passing": sum(r is not None and r >= min_success for r in rates),
            "unverified": sum(r is None for r in rates),
        }

    def reindex(self, from_files: bool = False) -> list[dict]:
        """Rebuild the index from the code files; keeps the provenance fields (PROVENANCE) of known
        entries, marks new files "curated" when they are base tasks (`sim.tasks.BASE_TASKS`)
        and "generated" otherwise, drops entries whose file is gone.

        Returns the new entries. Files that do not parse or lack one Task class are skipped and
        reported on stderr. A corrupt index raises CorruptIndexError unless `from_files`, which
        ignores it (provenance and stats of every task are then lost).
        """
        with self._locked():
            try:
                old = self._read_index()
            except CorruptIndexError:
                if not from_files:
                    raise
                old = {}
            entries = {}
            for name, path in self._task_files().items():
                try:
                    entries[name] = self._entry(name, path, old.get(name, {}))
                except ValueError as exc:
                    print(f"skipped {path.name}: {exc}", file=sys.stderr)
            self._write_index(entries)
        return [entries[k] for k in sorted(entries)]


def _batch_args(parser) -> None:
    parser.add_argument("--episodes", type=int, default=4, help="oracle episodes (seeds seed ..)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--wall-seconds",
        type=float,
        default=None,
        help="wall-clock and CPU limit of each task's run (default: the sandbox's)",
    )
    parser.add_argument(
        "--journal", default=None, help="JSONL of finished units; a re-run with the same file skips them"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    batch.add_engine_args(parser)


def _batch_options(args, engine) -> dict:
    """The keyword arguments of Library.verify_many / import_files that _batch_args' options set."""
    return {
        "episodes": args.episodes,
        "seed": args.seed,
        "wall_seconds": args.wall_seconds,
        "engine": engine,
        "journal": batch.JsonlJournal(args.journal) if args.journal else None,
        "progress": not args.no_progress,
    }


def _verify(lib: Library, args) -> int:
    engine = batch.make_engine(args.workers, args.ray)
    t0 = time.monotonic()

    def line(name, rec):
        if rec["status"] != "done":
            print(f"{name:32s} FAILED TO RUN: {rec['error']}", flush=True)
            return
        st = rec["result"]
        print(
            f"{name:32s} success {st['success_rate']:.2f} over {st['episodes']} episodes, "
            f"{st['mean_seconds']} s each" + (f"  [{st['error']}]" if st["error"] else ""),
            flush=True,
        )

    with cli.cancel_on_signals(interrupt=True):
        records = lib.verify_many(args.names or None, **_batch_options(args, engine), on_result=line)
    failed = sum(r["status"] != "done" for r in records)
    passed = sum(r["status"] == "done" and r["result"]["success_rate"] >= MIN_SUCCESS for r in records)
    print(
        f"verified {len(records)} tasks in {time.monotonic() - t0:.1f} s on {engine.describe()}: "
        f"{passed} pass at >= {MIN_SUCCESS:.0%}, {failed} failed to run"
    )
    return 1 if failed else 0


def _import(lib: Library, args) -> int:
    engine = batch.make_engine(args.workers, args.ray)
    with cli.cancel_on_signals(interrupt=True):
        reports = lib.import_files(
            args.paths,
            args.source,
            min_success=args.min_success,
            keep_failing=args.keep_failing,
            **_batch_options(args, engine),
        )
    for r in reports:
        rate = f" success {r['stats']['success_rate']:.2f}" if r["stats"] else ""
        if r["status"] == "imported":
            print(f"imported  {Path(r['file']).name} as {r['name']}{rate}")
        else:
            print(
                f"{'kept-failing' if r['status'] == 'imported-failing' else 'rejected':9s} "
                f"{Path(r['file']).name}{rate}: stage {r['stage']}: {r['error']}"
            )
    counts = {s: sum(r["status"] == s for r in reports) for s in ("imported", "imported-failing", "rejected")}
    print(
        f"{len(reports)} files: {counts['imported']} imported, {counts['imported-failing']} kept as "
        f"failing, {counts['rejected']} rejected (source {args.source!r})"
    )
    return 0 if counts["imported"] + counts["imported-failing"] == len(reports) else 1


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generation.library", description="Browse and edit the task library (sim/tasks)."
    )
    parser.add_argument("--root", default=None, help="library folder (default sim/tasks)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    lst = sub.add_parser("list", help="list the tasks")
    lst.add_argument("--source", default=None, help="only tasks of this source")
    summ = sub.add_parser("summary", help="counts, goal types, diversity and pass figures (JSON)")
    summ.add_argument("--source", default=None, help="only tasks of this source")
    reindex = sub.add_parser("reindex", help="rebuild index.json from the task files")
    reindex.add_argument(
        "--from-files", action="store_true", help="ignore a corrupt index (its provenance and stats are lost)"
    )
    show = sub.add_parser("show", help="print a task's entry and code")
    show.add_argument("name")
    add = sub.add_parser("add", help="add a task file to the library")
    add.add_argument("file")
    add.add_argument("--name", default=None)
    purge = sub.add_parser("purge", help="delete a task")
    purge.add_argument("name")
    verify = sub.add_parser("verify", help="run tasks in the sandbox and store their pass stats")
    verify.add_argument("names", nargs="*", help="default: every task")
    _batch_args(verify)
    imp = sub.add_parser("import", help="validate task files in the sandbox and add those that pass")
    imp.add_argument("paths", nargs="+", help="task files or folders of them")
    imp.add_argument("--source", required=True, help="where the files come from, e.g. gensim")
    imp.add_argument("--keep-failing", action="store_true", help="add failing files too, marked failing")
    imp.add_argument(
        "--min-success",
        type=float,
        default=MIN_SUCCESS,
        help=f"success rate a file needs to pass (default {MIN_SUCCESS})",
    )
    _batch_args(imp)
    args = parser.parse_args(argv)
    lib = Library(args.root)
    try:
        if args.cmd == "list":
            for e in lib.list(source=args.source):
                print(f"{e['name']:32s} {e['source']:9s} {e['description'][:80]}")
        elif args.cmd == "summary":
            print(json.dumps(lib.summary(source=args.source), indent=1))
        elif args.cmd == "reindex":
            print(f"indexed {len(lib.reindex(from_files=args.from_files))} tasks in {lib.index_path}")
        elif args.cmd == "show":
            print(json.dumps(lib.get(args.name), indent=1))
            print(lib.code(args.name))
        elif args.cmd == "add":
            code = Path(args.file).read_text(encoding="utf-8")
            entry = lib.add(code, name=args.name, meta={"source": "generated"})
            print(f"added {entry['name']} -> {lib.root / entry['file']}")
        elif args.cmd == "verify":
            return _verify(lib, args)
        elif args.cmd == "import":
            return _import(lib, args)
        elif args.cmd == "purge":
            lib.purge(args.name)
            print(f"purged {args.name}")
    except (KeyError, ValueError, OSError, RuntimeError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "cancelled: verify keeps the stats of the tasks that finished, import adds nothing; "
            "with --journal the same command skips the runs that finished",
            file=sys.stderr,
        )
        return cli.EXIT_CANCELLED
    return 0


if __name__ == "__main__":
    sys.exit(_main())
