"""Write the asset tree: every generated file, byte-identical from run to run.

`build(out_dir)` writes the files of `catalog` and `fixtures` (sorted by path, UTF-8, '\\n' line
ends), then lets `sim.assetgen.ur5.build(out_dir)` add the UR5 files.
"""

from __future__ import annotations

from pathlib import Path

from sim.assetgen import catalog, fixtures, ur5

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "assets"


def generated_files() -> dict[str, str]:
    """{path relative to the assets root: text} for everything this package owns (not assets/ur5)."""
    files = catalog.all_files()
    clash = files.keys() & fixtures.all_files().keys()
    if clash:
        raise RuntimeError(f"two asset builders write the same files: {sorted(clash)}")
    files.update(fixtures.all_files())
    files["README.md"] = (Path(__file__).with_name("README_assets.md")).read_text(encoding="utf-8")
    return dict(sorted(files.items()))


def build(out_dir: Path | str = DEFAULT_OUT, *, robot: bool = True) -> list[Path]:
    """Write every generated asset under `out_dir` (created if missing); returns the paths written.

    Files are only rewritten when their bytes change, so rebuilding leaves mtimes alone. With
    `robot`, also writes the UR5 files (`sim.assetgen.ur5.build(out_dir)`).
    """
    out = Path(out_dir)
    written = []
    for rel, text in generated_files().items():
        path = out / rel
        data = text.encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    if robot:
        ur5.build(out)
    return written
