"""sim.sandbox.steps: what the parent accepts from a (possibly hostile) child, and the answers pipe."""

import os

import numpy as np
import pytest

from sim.sandbox import steps


def test_arrays_round_trip_and_bad_ones_are_refused():
    colour = np.random.default_rng(0).integers(0, 255, (320, 160, 3), dtype=np.uint8)
    assert np.array_equal(steps.decode_array(steps.encode_array(colour), "|u1", 3, 3), colour)
    height = np.linspace(0, 0.3, 320 * 160, dtype=np.float32).reshape(320, 160)
    enc = steps.encode_array(height)
    assert np.array_equal(steps.decode_array(enc, "<f4", 2), height)
    with pytest.raises(ValueError):
        steps.decode_array(enc, "|u1", 2)  # wrong dtype
    with pytest.raises(ValueError):
        steps.decode_array({**enc, "shape": [320, 161]}, "<f4", 2)  # size mismatch
    with pytest.raises(ValueError):
        steps.decode_array({**enc, "shape": [100000, 100000]}, "<f4", 2)  # too large
    with pytest.raises(ValueError):
        steps.decode_array(steps.encode_array(colour), "|u1", 3, channels=4)


def test_poses_must_be_finite_3_plus_4_floats():
    assert steps.decode_pose([[0.5, 0, 0.1], [0, 0, 0, 1]]) == ((0.5, 0.0, 0.1), (0.0, 0.0, 0.0, 1.0))
    for bad in ([[0.5, 0], [0, 0, 0, 1]], [[float("nan"), 0, 0], [0, 0, 0, 1]], "x", None):
        with pytest.raises(ValueError):
            steps.decode_pose(bad)


def test_parent_answers_observations_and_drops_malformed_messages(tmp_path):
    seen = []

    def actor(obs):
        seen.append(obs["lang_goal"])
        return {"pose0": ((0.4, 0.1, 0.02), (0, 0, 0, 1)), "pose1": ((0.6, -0.1, 0.02), (0, 0, 0, 1))}

    parent = steps.ParentSteps(tmp_path, steps.StepOptions("act", actor=actor))
    assert parent.config()["answers_path"] == str(tmp_path / steps.ANSWERS_NAME)
    obs = {
        "t": "observe",
        "seed": 3,
        "step": 0,
        "lang_goal": "put the red block in the bowl",
        "colour": steps.encode_array(np.zeros((320, 160, 3), np.uint8)),
        "height": steps.encode_array(np.zeros((320, 160), np.float32)),
    }
    list(parent.on_message(obs))
    list(parent.on_message({**obs, "height": {"dtype": "<f8", "shape": [1], "zlib": ""}}))
    child = steps.ChildSteps({"steps": "act", "answers_path": parent.config()["answers_path"]}, chan=None)
    first = child._read_answer()
    assert np.allclose(first["pose0"][0], (0.4, 0.1, 0.02)) and seen == [obs["lang_goal"]]
    assert child._read_answer() is None  # the malformed observation got "no action"
    assert any("malformed observe" in w for w in parent.warnings)
    parent.close()
    assert parent.fd == -1 and os.path.exists(tmp_path / steps.ANSWERS_NAME)
