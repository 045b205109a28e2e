"""python -m sim.assetgen [--out DIR] [--no-robot]

Regenerates the procedural asset tree (default: the repository's assets/ folder). Output is
deterministic: the same bytes on every run.
"""

from __future__ import annotations

import argparse

from sim.assetgen.build import DEFAULT_OUT, build


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build, print a one-line summary; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m sim.assetgen", description=" ".join(__doc__.split("\n\n")[1].split())
    )
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: %(default)s)")
    parser.add_argument("--no-robot", action="store_true", help="skip sim.assetgen.ur5 (the UR5 files)")
    args = parser.parse_args(argv)
    paths = build(args.out, robot=not args.no_robot)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({size / 1024:.0f} KiB) under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
