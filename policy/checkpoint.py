"""Saving and loading a training run: RUN/checkpoint.pt (weights, optimiser, step, RNG states,
config, vocabulary) and RUN/config.json (the config, readable without torch).

The file holds tensors and plain Python values only and is loaded with `weights_only=True`, so
loading a checkpoint never runs pickled code.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

from policy.config import PolicyConfig
from policy.model import Transporter
from policy.text import Vocabulary

CHECKPOINT = "checkpoint.pt"


def save(run: Path, model: Transporter, vocab: Vocabulary, optimizer=None, step: int = 0, extra: dict | None = None):
    """Write RUN/checkpoint.pt (atomically) and RUN/config.json."""
    run = Path(run)
    run.mkdir(parents=True, exist_ok=True)
    state = {
        "model": model.state_dict(),
        "config": dataclasses.asdict(model.config),
        "vocab": vocab.words,
        "step": step,
        "extra": extra or {},
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
    }
    tmp = run / (CHECKPOINT + ".tmp")
    torch.save(state, tmp)
    tmp.replace(run / CHECKPOINT)
    model.config.save(run / "config.json")


def load(run: Path, device: str = "cpu") -> tuple[Transporter, Vocabulary, dict]:
    """-> (model in eval mode on `device`, vocabulary, the raw state with "step", "optimizer",
    "extra"). Accepts the run folder or the .pt file. Raises FileNotFoundError."""
    path = Path(run)
    path = path / CHECKPOINT if path.is_dir() else path
    state = torch.load(path, map_location=device, weights_only=True)
    vocab = Vocabulary(state["vocab"])
    model = Transporter(PolicyConfig.from_dict(state["config"]), len(vocab.words)).to(device)
    model.load_state_dict(state["model"])
    model.eval()
    return model, vocab, state
