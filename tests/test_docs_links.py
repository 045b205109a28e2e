"""Citations into docs/ resolve, and no file of the project points outside the repository.

Scans the repository's text files for `docs/<file>.md#<anchor>` references (plain, as code comments
write them, or `../docs/...` relative to the citing file) and for relative Markdown links, and fails
when the file or the anchor does not exist. Anchors are the explicit `<a id="..."></a>` markers the
docs declare plus GitHub-style heading slugs.
"""

from __future__ import annotations

import os
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = {".py", ".md", ".txt", ".toml", ".ini", ".cfg", ".yml", ".yaml", ".json", ".sh"}
SKIP_DIRS = {"node_modules", "__pycache__"}

# `docs/x.md#anchor`, optionally preceded by ../ segments; not part of a longer path or URL.
DOCS_REF = re.compile(r"(?<![\w/.-])((?:\.\./)*)docs/([\w./-]*?\.md)(?:#([\w-]+))?")
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")
EXPLICIT_ID = re.compile(r"""<a\s+(?:name|id)=["']([^"']+)["']""")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
# Pointers outside the repository. Built from pieces so this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        [
            re.escape("/" + "work/"),
            re.escape(".." + "/shared"),
            re.escape("shared" + "/spec"),
            re.escape("cliport-task-api" + ".md"),
        ]
    )
)
# Section-sign citations of the external document this folder replaced.
SECTION_SIGN = re.compile("\u00a7" + r"\s*\d")


def text_files() -> list[Path]:
    """Project text files: what git tracks or would track (ignored outputs such as test-artifacts/
    are not the project's), or without git every file outside hidden folders; minus this file,
    whose examples are deliberately broken."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        paths = [ROOT / rel for rel in listed]
    except (OSError, subprocess.CalledProcessError):
        paths = []
        for folder, dirs, files in os.walk(ROOT):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS]
            paths += [Path(folder) / name for name in files]
    me = Path(__file__).resolve()
    return sorted(p for p in paths if p.suffix in TEXT_SUFFIXES and p.is_file() and p.resolve() != me)


@cache
def anchors(md: Path) -> frozenset[str]:
    """Explicit ids and heading slugs of a Markdown file."""
    text = md.read_text(encoding="utf-8")
    ids = set(EXPLICIT_ID.findall(text))
    for heading in HEADING.findall(text):
        slug = re.sub(r"<[^>]+>", "", heading).strip().lower()
        ids.add(re.sub(r"[^\w\- ]", "", slug).replace(" ", "-"))
    return frozenset(ids)


def inside_repo(path: Path) -> bool:
    return path == ROOT or ROOT in path.parents


def check_target(source: Path, target: Path, anchor: str | None) -> str | None:
    """Problem with a reference from `source` to `target#anchor`, or None when it resolves."""
    where = source.relative_to(ROOT)
    if not inside_repo(target):
        return f"{where}: {target} is outside the repository"
    if not target.exists():
        return f"{where}: {target.relative_to(ROOT)} does not exist"
    if anchor and target.suffix == ".md" and anchor not in anchors(target):
        return f"{where}: no anchor #{anchor} in {target.relative_to(ROOT)}"
    return None


def reference_problems(path: Path, text: str) -> list[str]:
    problems = []
    for match in DOCS_REF.finditer(text):
        ups, rel, anchor = match.groups()
        base = path.parent if ups else ROOT
        target = (base / ups / "docs" / rel).resolve()
        problems.append(check_target(path, target, anchor))
    if path.suffix == ".md":
        for link in MD_LINK.findall(text):
            if re.match(r"[a-z][a-z0-9+.-]*:", link):  # http:, https:, mailto: ...
                continue
            file_part, _, anchor = link.partition("#")
            target = (path.parent / file_part).resolve() if file_part else path
            problems.append(check_target(path, target, anchor or None))
    return [p for p in problems if p]


def test_docs_exist_with_explicit_anchors():
    index = ROOT / "docs" / "README.md"
    assert index.exists()
    for md in (ROOT / "docs").glob("*.md"):
        if md != index:
            assert EXPLICIT_ID.search(md.read_text(encoding="utf-8")), f"{md.name} declares no anchors"


def test_every_docs_reference_resolves():
    problems, count = [], 0
    for path in text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        count += len(DOCS_REF.findall(text))
        problems += reference_problems(path, text)
    assert count > 50, f"only {count} docs/ references found; is the scan looking at the repo?"
    assert not problems, "\n".join(problems)


def test_nothing_points_outside_the_repo():
    bad = []
    for path in text_files():
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line) or SECTION_SIGN.search(line):
                bad.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not bad, "references outside the repository:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    "ref, ok",
    [
        ("see docs/task-api.md#task-goals", True),
        ("see docs/task-api.md#no-such-anchor", False),
        ("see docs/no-such-file.md", False),
        ("see ../../../docs/task-api.md", False),
    ],
)
def test_checker_catches_bad_references(ref, ok):
    source = ROOT / "sim" / "example.py"  # never written: only its location matters
    assert (reference_problems(source, ref) == []) is ok
