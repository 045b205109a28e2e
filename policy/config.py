"""The policy's configuration: one typed dataclass, saved as JSON next to the weights."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

PIX_SIZE = 0.003125  # metres per full-resolution map cell
BOUNDS = ((0.25, 0.75), (-0.5, 0.5), (0.0, 0.3))  # the standard workspace (x, y, z) in metres
FULL_SHAPE = (320, 160)  # rows (y) x columns (x) at PIX_SIZE


@dataclasses.dataclass
class PolicyConfig:
    """Architecture and training settings of the language-conditioned Transporter.

    Defaults follow CLIPort where a CPU allows (full 320 x 160 maps, 36 rotations, 64-pixel crop,
    batch 1 as in CLIPort's training); `small()` is the 2-CPU configuration.
    scale: map downsampling factor (2 = 160 x 80 cells of 6.25 mm). n_rotations: place angles
    over 360 degrees. crop_size: transport crop side in cells at the working resolution (even;
    64 cells of 3.125 mm = 20 cm). channels: base width of the FCNs (doubled at each of the two
    downsamplings). feature_dim: channels of the transport key/query features. word_dim /
    text_dim: word embedding and sentence vector sizes of the text encoder. max_words: goals are
    cut to this many tokens. lr: Adam learning rate. batch_size: samples per step. shift: largest
    random translation (cells at the working resolution) used as augmentation.
    """

    scale: int = 1
    n_rotations: int = 36
    crop_size: int = 64
    channels: int = 32
    feature_dim: int = 16
    word_dim: int = 32
    text_dim: int = 64
    max_words: int = 24
    lr: float = 1e-4
    batch_size: int = 1
    shift: int = 32

    def __post_init__(self):
        if self.crop_size % 2 or self.crop_size < 4:
            raise ValueError(f"crop_size must be even and >= 4, got {self.crop_size}")
        h, w = FULL_SHAPE
        if h % (4 * self.scale) or w % (4 * self.scale):
            raise ValueError(f"scale {self.scale} does not divide the maps into whole 4x4 blocks")

    @classmethod
    def small(cls) -> PolicyConfig:
        """2-CPU configuration: half resolution (160 x 80), 24 rotations (15 degree bins: the
        largest yaw error, 7.5 degrees, stays under the tasks' 15 degree rot_eps), 32-cell (20 cm)
        crop, 16 base channels, batch 4, lr 5e-4 (fewer steps fit in an hour)."""
        return cls(scale=2, n_rotations=24, crop_size=32, channels=16, feature_dim=8, lr=5e-4, batch_size=4, shift=16)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the maps the model sees."""
        return FULL_SHAPE[0] // self.scale, FULL_SHAPE[1] // self.scale

    @property
    def cell(self) -> float:
        """Metres per cell at the working resolution."""
        return PIX_SIZE * self.scale

    def save(self, path: Path):
        """Write the config as JSON."""
        Path(path).write_text(json.dumps(dataclasses.asdict(self), indent=1))

    @classmethod
    def from_dict(cls, data: dict) -> PolicyConfig:
        """Build from a dict (unknown keys raise TypeError)."""
        return cls(**data)
