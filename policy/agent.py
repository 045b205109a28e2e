"""A trained policy as an actor for the sandbox's act mode (sim.sandbox.steps): observation ->
pick-and-place action. Runs in the parent process; the sandboxed child only renders and moves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from policy import cells, checkpoint, dataset
from policy.model import to_input


class PolicyActor:
    """`actor(obs)` with obs {"colour" (320, 160, 3) uint8, "height" (320, 160) float32 metres,
    "lang_goal" str} -> {"pose0": pick pose, "pose1": place pose} (position metres, quaternion
    xyzw): the arg-max pick cell, then the arg-max place cell and rotation for that pick. The pick
    has yaw 0 (suction); z is the observed height of the chosen cell. Raises ValueError for maps
    of another size."""

    def __init__(self, run: Path, device: str = "cpu"):
        self.model, self.vocab, state = checkpoint.load(run, device)
        self.device = device
        self.observation = state["extra"].get("observation", "cameras")
        self.calls = 0

    @torch.no_grad()
    def __call__(self, obs: dict) -> dict:
        cfg = self.model.config
        if obs["colour"].shape[:2] != dataset.MAP_SHAPE:
            raise ValueError(f"maps of shape {obs['colour'].shape[:2]}, expected {dataset.MAP_SHAPE}")
        colour = dataset.downsample(obs["colour"], cfg.scale, "mean")
        height = dataset.downsample(obs["height"], cfg.scale, "max")
        x = to_input(torch.from_numpy(colour)[None], torch.from_numpy(height)[None]).to(self.device)
        text = self.model.text(self.vocab.encode([obs["lang_goal"]], cfg.max_words).to(self.device))
        pick_logits = self.model.pick_logits(x, text)[0]
        pick = np.unravel_index(int(pick_logits.argmax()), pick_logits.shape)
        place_logits = self.model.place_logits(x, text, torch.tensor([pick], device=self.device))[0]
        rot, u, v = np.unravel_index(int(place_logits.argmax()), place_logits.shape)
        self.calls += 1
        return {
            "pose0": (cells.position_of(pick, height, cfg), (0.0, 0.0, 0.0, 1.0)),
            "pose1": (cells.position_of((u, v), height, cfg), cells.yaw_quaternion(int(rot), cfg.n_rotations)),
        }
