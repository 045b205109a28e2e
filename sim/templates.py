"""URDF template filling (`fill_template`: docs/task-api.md#fill-template; dummy filling:
docs/environment.md#dummy-filling).

Filled files go to a per-process temp folder (`sim.tmpdirs`, kind "urdf": removed at exit, swept
when its process was killed; inside the sandbox the temp dir is the run's work folder, so they
live and die with the run); their names are `<template basename>.<16 hex digits of
a content hash>` so filling consumes no RNG (the original drew the name from Python's `random`, which
shifted task randomness) and identical fills reuse one file.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil

import numpy as np

from sim import config, fallbacks, tmpdirs, utils

_tmp = {"dir": None}
_COLOR_RE = re.compile(r'<color\s+rgba="[^"]*"\s*/>')


def temp_dir() -> str:
    """The per-process folder holding filled templates (removed at exit)."""
    if _tmp["dir"] is None:
        _tmp["dir"] = str(tmpdirs.make("urdf"))
        atexit.register(shutil.rmtree, _tmp["dir"], True)
    return _tmp["dir"]


def _write(template: str, text: str) -> str:
    digest = hashlib.sha1(text.encode()).hexdigest()[:16]
    path = os.path.join(temp_dir(), f"{os.path.basename(template)}.{digest}")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(text)
    return path


def resolve(assets_root, template: str) -> str:
    """Asset path as given (relative to `assets_root` or absolute), with the swapped-cylinder
    variant substituted when the compat flag asks for it."""
    if config.active().swapped_cylinder and os.path.basename(template) == "cylinder-template.urdf":
        template = template.replace("cylinder-template.urdf", "cylinder-template_swapped.urdf")
    return os.path.join(str(assets_root), template)


def fill_template(assets_root, template, replace):
    """Fill `template` (relative to `assets_root`) -> absolute path of the filled URDF.

    For each key K and index i < len(replace[K]) every "K{i}" becomes str(replace[K][i]). Key COLOR:
    a colour name is converted through utils.COLORS (written back into `replace`, as the original
    did) and every `<color rgba>` element is set to the colour with alpha 1. Returns the input path
    unchanged when the file does not exist or is a mesh-backed URDF with a same-stem .obj sibling.
    Raises TypeError for a non-sequence value (as the original).
    """
    full = resolve(assets_root, template)
    stem = os.path.splitext(full)[0]
    if not os.path.exists(full) or ("template" not in os.path.basename(full) and os.path.exists(stem + ".obj")):
        return template
    with open(full) as f:
        text = f.read()
    for key, values in replace.items():
        for i in range(len(values)):
            text = text.replace(f"{key}{i}", str(values[i]))
    if "COLOR" in replace:
        color = replace["COLOR"]
        if isinstance(color, str):
            color = replace["COLOR"] = utils.COLORS[color]
        r, g, b = (float(c) for c in list(color)[:3])
        text = _COLOR_RE.sub(f'<color rgba="{r} {g} {b} 1"/>', text)
    return _write(template, text)


def fill_dummy_template(assets_root, template):
    """Replace unfilled size placeholders by random values (numpy RNG, docs/environment.md#dummy-filling):
    DIMH, DIMR, DIMX, DIMY, DIMZ, DIM (indices 0..2) uniform in [0.03, 0.05] m, HALF uniform in [0.01, 0.03]
    m. Returns the filled file's path, or `template` when nothing needed filling. Records a warning."""
    full = resolve(assets_root, template)
    with open(full) as f:
        text = f.read()
    filled = []
    for fields_, low, high in ((("DIMH", "DIMR", "DIMX", "DIMY", "DIMZ", "DIM"), 0.03, 0.05), (("HALF",), 0.01, 0.03)):
        for field in fields_:
            for i in range(3):
                name = f"{field}{i}"
                if name in text:
                    text = text.replace(name, str(np.random.uniform(low, high)))
                    filled.append(name)
    if not filled:
        return template
    fallbacks.warn(
        f"template {os.path.basename(template).split('.')[0]}: unfilled {', '.join(filled)} replaced by random sizes"
    )
    return _write(template, text)
