"""GenSim Studio simulator core: a GenSim/CLIPort-compatible PyBullet task simulator.

`ASSETS_ROOT` is the repo's `assets/` folder (URDF templates, meshes, robot); `COMPAT_DIR` holds the
`cliport` compatibility package (and an `IPython` stub) that task code imports; put it on `sys.path`
before importing a task file (`sim.loader` does this).
"""

from pathlib import Path

ASSETS_ROOT = Path(__file__).resolve().parents[1] / "assets"
COMPAT_DIR = Path(__file__).resolve().parent / "compat"
