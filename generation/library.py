"""python -m generation.library list | show NAME | add FILE [--name N] | purge NAME | reindex
    | verify [NAME ...] [--episodes N] [--seed S] [--wall-seconds W]

The task library: one file per task in `sim/tasks/` (`align-box-corner` -> `align_box_corner.py`)
plus the JSON index `sim/tasks/index.json` (name, description, assets, source, backend, model,
created, verdict stats). Task code is only read as text and parsed with `ast` — never imported —
so generated code never runs in the caller's process. The index is rewritten under an exclusive
`fcntl` lock on the folder via temp file + rename, so concurrent app users never see or leave a half-written index.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as _dt
import fcntl
import json
import os
import sys
import tempfile
from pathlib import Path

from generation.parsing import is_valid_task_name, normalise_task_name, task_classes
from sim.tasks import BASE_TASKS

DEFAULT_ROOT = Path(__file__).resolve().parents[1] / "sim" / "tasks"
INDEX_NAME = "index.json"


def name_to_file(name: str) -> str:
    """`build-car` -> `build_car.py` (spec §1.7: a plain character swap)."""
    return name.replace("-", "_") + ".py"


def file_to_name(path: Path | str) -> str:
    """`build_car.py` -> `build-car`."""
    return Path(path).stem.replace("_", "-")


def check_name(name: str) -> str:
    """Return `name` when it is a valid library task name, else raise ValueError saying why.

    Valid: kebab-case, a-z 0-9 and single hyphens, at most 64 characters — this also rules out
    path tricks (`..`, `/`, `\\`) and shell metacharacters.
    """
    if not is_valid_task_name(name):
        raise ValueError(f"Invalid task name {name!r}: use lower-case words joined by hyphens, "
                         "e.g. 'stack-red-blocks' (a-z, 0-9, '-', at most 64 characters).")
    return name


def describe_code(source: str) -> dict:
    """Facts read from task source without running it: class name, description, assets.

    description = the class docstring (first line-joined paragraph kept whole); assets = every string
    literal ending in ".urdf", in order of appearance, deduplicated (as the original's
    `add_task_from_code.py`, spec §7.8). Raises ValueError unless there is exactly one Task class.
    """
    try:
        classes = task_classes(source)
    except SyntaxError as exc:
        raise ValueError(f"The task code does not parse: {exc.msg} (line {exc.lineno}).") from None
    if len(classes) != 1:
        raise ValueError(f"The task code must define exactly one class deriving from Task; "
                         f"found {len(classes)}.")
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
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class Library:
    """The task library rooted at `root` (default `sim/tasks`), index at `root/index.json`.

    Entries are dicts: {"name", "file", "class", "description", "assets", "source" ("curated" |
    "generated"), "backend", "model", "created" (ISO 8601 UTC), "stats" (verdict figures or {})}.
    """

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else DEFAULT_ROOT
        self.index_path = self.root / INDEX_NAME

    # -- index I/O ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        # Lock the folder itself (flock works on a directory fd): no lock file to litter the repo.
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read_index(self) -> dict:
        try:
            data = json.loads(self.index_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError as exc:
            raise ValueError(f"{self.index_path} is not valid JSON ({exc}); run "
                             "`python -m generation.library reindex` to rebuild it.") from None
        entries = data.get("tasks", []) if isinstance(data, dict) else []
        return {e["name"]: e for e in entries if isinstance(e, dict) and "name" in e}

    def _write_index(self, entries: dict) -> None:
        data = {"version": 1, "tasks": [entries[k] for k in sorted(entries)]}
        _atomic_write(self.index_path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    def _task_files(self) -> dict[str, Path]:
        return {file_to_name(p): p for p in sorted(self.root.glob("*.py"))
                if not p.name.startswith("_") and is_valid_task_name(file_to_name(p))}

    # -- public API --------------------------------------------------------------------------
    def list(self) -> list[dict]:
        """Entries of every task file, sorted by name: the index entry when there is one, else one
        read from the code (a file dropped in without `add`; `reindex` makes it permanent).
        Files that do not parse are left out."""
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
        return out

    def _entry(self, name: str, path: Path, prev: dict) -> dict:
        """Index entry of the task file `path`, keeping provenance fields of `prev`; ValueError when
        the code does not parse or lacks one Task class."""
        facts = describe_code(path.read_text(encoding="utf-8"))
        return {"name": name, "file": path.name, "class": facts["class"],
                "description": facts["description"], "assets": facts["assets"],
                "source": prev.get("source") or ("curated" if name in BASE_TASKS else "generated"),
                "backend": prev.get("backend"), "model": prev.get("model"),
                "created": prev.get("created") or _now(), "stats": prev.get("stats") or {}}

    def names(self) -> list[str]:
        """Names of the indexed tasks whose file exists."""
        return [e["name"] for e in self.list()]

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

        `meta` may carry source (default "generated"), backend, model, stats, description.
        Raises ValueError for a bad name, code without exactly one Task class, or when the name is
        already taken (file or index entry): nothing is ever overwritten.
        """
        facts = describe_code(code)
        name = check_name(name if name is not None else normalise_task_name(facts["class"]))
        meta = dict(meta or {})
        entry = {
            "name": name, "file": name_to_file(name), "class": facts["class"],
            "description": meta.get("description") or facts["description"],
            "assets": facts["assets"], "source": meta.get("source", "generated"),
            "backend": meta.get("backend"), "model": meta.get("model"),
            "created": meta.get("created") or _now(), "stats": meta.get("stats") or {},
        }
        with self._locked():
            entries = self._read_index()
            path = self.root / entry["file"]
            if name in entries or path.exists():
                raise ValueError(f"A task named {name!r} already exists in the library; "
                                 "choose another name or purge it first.")
            # O_EXCL: even a writer that bypasses the lock cannot be overwritten.
            with open(path, "x", encoding="utf-8") as fh:
                fh.write(code if code.endswith("\n") else code + "\n")
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
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            self._write_index(entries)

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
        """Run task `name` through the sandbox oracle and store the verdict figures as its stats.

        `wall_seconds` raises the sandbox's wall-clock and CPU limits (default: the sandbox's own,
        which slow curated tasks such as palletizing 18 boxes can exceed on a busy machine).
        Returns the stats: {"success_rate", "episodes", "seed", "stage_reached", "error" (message
        or None), "mean_seconds", "verified" (ISO time)}. The code runs only inside `sim.sandbox`.
        """
        from sim.sandbox import Limits, run

        limits = Limits(cpu_seconds=int(wall_seconds), wall_seconds=wall_seconds) if wall_seconds else None
        verdict = run(self.code(name), filename=name_to_file(name), episodes=episodes, seed=seed,
                      video=False, limits=limits)
        eps = verdict.get("episodes") or []
        err = verdict.get("error")
        stats = {"success_rate": verdict.get("success_rate", 0.0), "episodes": len(eps), "seed": seed,
                 "stage_reached": verdict.get("stage_reached"),
                 "error": f"{err.get('type')}: {err.get('message')}" if err else None,
                 "mean_seconds": round(sum(e.get("seconds") or 0 for e in eps) / len(eps), 2) if eps else None,
                 "verified": _now()}
        self.set_stats(name, stats)
        return stats

    def reindex(self) -> list[dict]:
        """Rebuild the index from the code files; keeps source/backend/model/created/stats of
        known entries, marks new files "curated" when they are base tasks (`sim.tasks.BASE_TASKS`)
        and "generated" otherwise, drops entries whose file is gone.

        Returns the new entries. Files that do not parse or lack one Task class are skipped and
        reported on stderr.
        """
        with self._locked():
            old = self._read_index()
            entries = {}
            for name, path in self._task_files().items():
                try:
                    entries[name] = self._entry(name, path, old.get(name, {}))
                except ValueError as exc:
                    print(f"skipped {path.name}: {exc}", file=sys.stderr)
            self._write_index(entries)
        return [entries[k] for k in sorted(entries)]


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generation.library",
                                     description="Browse and edit the task library (sim/tasks).")
    parser.add_argument("--root", default=None, help="library folder (default sim/tasks)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list the tasks")
    sub.add_parser("reindex", help="rebuild index.json from the task files")
    show = sub.add_parser("show", help="print a task's entry and code")
    show.add_argument("name")
    add = sub.add_parser("add", help="add a task file to the library")
    add.add_argument("file")
    add.add_argument("--name", default=None)
    purge = sub.add_parser("purge", help="delete a task")
    purge.add_argument("name")
    verify = sub.add_parser("verify", help="run tasks in the sandbox and store their pass stats")
    verify.add_argument("names", nargs="*", help="default: every task")
    verify.add_argument("--episodes", type=int, default=4)
    verify.add_argument("--seed", type=int, default=0)
    verify.add_argument("--wall-seconds", type=float, default=None,
                        help="wall-clock and CPU limit of each task's run (default: the sandbox's)")
    args = parser.parse_args(argv)
    lib = Library(args.root)
    try:
        if args.cmd == "list":
            for e in lib.list():
                print(f"{e['name']:32s} {e['source']:9s} {e['description'][:80]}")
        elif args.cmd == "reindex":
            print(f"indexed {len(lib.reindex())} tasks in {lib.index_path}")
        elif args.cmd == "show":
            print(json.dumps(lib.get(args.name), indent=1))
            print(lib.code(args.name))
        elif args.cmd == "add":
            code = Path(args.file).read_text(encoding="utf-8")
            entry = lib.add(code, name=args.name, meta={"source": "generated"})
            print(f"added {entry['name']} -> {lib.root / entry['file']}")
        elif args.cmd == "verify":
            for name in args.names or lib.names():
                st = lib.verify(name, episodes=args.episodes, seed=args.seed, wall_seconds=args.wall_seconds)
                print(f"{name:32s} success {st['success_rate']:.2f} over {st['episodes']} episodes, "
                      f"{st['mean_seconds']} s each" + (f"  [{st['error']}]" if st["error"] else ""),
                      flush=True)
        elif args.cmd == "purge":
            lib.purge(args.name)
            print(f"purged {args.name}")
    except (KeyError, ValueError, OSError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main())
