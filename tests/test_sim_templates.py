"""Template filling (docs/task-api.md#fill-template) and dummy filling (docs/environment.md#dummy-filling) on
every shipped template."""

import os
import re

import numpy as np
import pybullet as p
import pytest

import sim
from sim import fallbacks, templates, utils

TEMPLATES = sorted(str(f.relative_to(sim.ASSETS_ROOT)) for f in sim.ASSETS_ROOT.rglob("*template*.urdf"))
FNAME = str(sim.ASSETS_ROOT / "kitting" / "03.obj")


@pytest.fixture(scope="module", autouse=True)
def client():
    if not p.isConnected():
        p.connect(p.DIRECT)
    yield


def _replace_for(text, style):
    """A replace dict covering every placeholder in `text`, values as tuples / arrays / names."""
    seq = (lambda v: np.array(v)) if style == "numpy" else tuple
    rep = {}
    for key, val in (
        ("DIMX", (0.02, 0.03)),
        ("DIMY", (0.03, 0.02)),
        ("DIMR", (0.02,)),
        ("DIMH", (0.05,)),
        ("DIM", (0.04, 0.05, 0.06)),
        ("HALF", (0.02, 0.025, 0.03)),
        ("SCALE", (0.003, 0.003, 0.001)),
    ):
        if re.search(key + r"\d", text):
            rep[key] = seq(val)
    if "FNAME0" in text:
        rep["FNAME"] = (FNAME,)
    rep["COLOR"] = "yellow" if style == "name" else seq((0.1, 0.2, 0.3))
    return rep


def test_templates_found():
    assert "box/box-template.urdf" in TEMPLATES and len(TEMPLATES) >= 15


@pytest.mark.parametrize("style", ["tuple", "numpy", "name"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_fill_template_every_template_loads(template, style):
    text = (sim.ASSETS_ROOT / template).read_text()
    rep = _replace_for(text, style)
    path = templates.fill_template(sim.ASSETS_ROOT, template, rep)
    assert os.path.isabs(path) and os.path.basename(path).startswith(os.path.basename(template))
    filled = open(path).read()
    assert not re.search(r"(DIM|HALF|SCALE|FNAME)[XYRH]?[0-2]", filled)
    if "<color" in filled:
        expect = utils.COLORS["yellow"] if style == "name" else [0.1, 0.2, 0.3]
        m = re.search(r'<color rgba="([^"]*)"', filled)
        assert [float(v) for v in m.group(1).split()] == pytest.approx(list(expect) + [1])
    if style == "name":
        assert rep["COLOR"] == utils.COLORS["yellow"]  # the caller's dict is converted, as originally
    body = p.loadURDF(path)
    assert body >= 0
    p.removeBody(body)


def test_fill_template_passthrough_cases():
    assert templates.fill_template(sim.ASSETS_ROOT, "zone/zone.urdf", {"DIM": (1,)}) == "zone/zone.urdf"
    assert templates.fill_template(sim.ASSETS_ROOT, "nope/missing.urdf", {}) == "nope/missing.urdf"
    with pytest.raises(TypeError):
        templates.fill_template(sim.ASSETS_ROOT, "box/box-template.urdf", {"DIM": 0.04})


def test_fill_template_is_deterministic_and_consumes_no_rng():
    import random

    random.seed(5)
    np.random.seed(5)
    a = templates.fill_template(sim.ASSETS_ROOT, "box/box-template.urdf", {"DIM": (0.1, 0.2, 0.3)})
    b = templates.fill_template(sim.ASSETS_ROOT, "box/box-template.urdf", {"DIM": (0.1, 0.2, 0.3)})
    assert a == b and random.random() == random.Random(5).random()


def test_dummy_fill_randomises_unfilled_sizes_and_warns():
    sink = []
    fallbacks.bind(sink)
    np.random.seed(0)
    path = templates.fill_dummy_template(sim.ASSETS_ROOT, "container/container-template.urdf")
    text = open(path).read()
    assert not re.search(r"(DIM|HALF)\d", text)
    sizes = [float(v) for v in re.findall(r"size=\"([^\"]*)\"", text)[0].split()]
    assert all(0.002 <= s <= 0.05 for s in sizes)
    assert sink and "container-template" in sink[0]
    # Nothing to fill: the input comes back and no warning is added.
    assert templates.fill_dummy_template(sim.ASSETS_ROOT, "block/block.urdf") == "block/block.urdf"
    assert len(sink) == 1
    fallbacks.bind([])


def test_partial_fill_then_dummy_fill_random_in_range():
    path = templates.fill_template(sim.ASSETS_ROOT, "corner/corner-template.urdf", {"DIMX": (0.04,), "DIMY": (0.04,)})
    np.random.seed(1)
    out = templates.fill_dummy_template(sim.ASSETS_ROOT, path)
    text = open(out).read()
    assert "DIMX1" not in text and "0.04" in text
