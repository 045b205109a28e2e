"""Procedural asset generator: writes the Ravens/CLIPort-compatible `assets/` tree (docs/assets.md).

Regenerate with `python -m sim.assetgen`. Modules: `urdf` (URDF text), `mesh` (meshes and OBJ text),
`kitting` (the 20 kitting shapes and their `SHAPES` symmetry table), `catalog` (primitives and
templates), `fixtures` (bowl, pallet, insertion, stands, hanoi disks), `build` (writes the tree).
`robot` (the UR5 and its end effectors) is owned by the simulator core.
"""
