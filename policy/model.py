"""Language-conditioned Transporter network (Zeng et al. 2020; Shridhar et al. 2021, CLIPort).

Input: the top-down maps as a (B, 4, H, W) tensor (colour scaled to [-0.5, 0.5], height in
decimetres) and the goal's word ids. Two heads share one text encoder:
- attention (pick): an FCN gives one logit per cell; softmax over the H*W cells.
- transport (place): a key FCN over the whole (padded) map and a query FCN over the crop around the
  pick, rotated to `n_rotations` angles; the place logits are the cross-correlation of each rotated
  query with the key (by FFT), (R, H, W), softmax over all of them. The rotation bin r means a place yaw of
  2*pi*r/R relative to the pick (the suction pick has yaw 0).
Every FCN is conditioned on the goal by FiLM (per-channel scale and shift from the goal vector) at
its bottleneck and decoder stages, like CLIPort's language fusion.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from policy.config import PolicyConfig
from policy.text import TextEncoder


def to_input(colour: torch.Tensor, height: torch.Tensor) -> torch.Tensor:
    """(B, H, W, 3) uint8 colour + (B, H, W) float heights in metres -> (B, 4, H, W) float."""
    rgb = colour.permute(0, 3, 1, 2).float() / 255.0 - 0.5
    return torch.cat([rgb, height.unsqueeze(1).float() * 10.0], dim=1)


class FiLM(nn.Module):
    """Per-channel affine modulation of a feature map by the goal vector."""

    def __init__(self, text_dim: int, channels: int):
        super().__init__()
        self.linear = nn.Linear(text_dim, 2 * channels)

    def forward(self, x, text):
        gamma, beta = self.linear(text).chunk(2, dim=1)
        return x * (1 + gamma[..., None, None]) + beta[..., None, None]


def _block(cin, cout, stride=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1), nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 3, 1, 1), nn.ReLU(inplace=True)
    )


class FCN(nn.Module):
    """Two-level U-Net: (B, cin, H, W) + goal (B, text_dim) -> (B, cout, H, W); H, W multiples
    of 4."""

    def __init__(self, cin: int, cout: int, base: int, text_dim: int):
        super().__init__()
        self.enc0, self.enc1 = _block(cin, base), _block(base, 2 * base, 2)
        self.enc2 = _block(2 * base, 4 * base, 2)
        self.film2, self.film1 = FiLM(text_dim, 4 * base), FiLM(text_dim, 2 * base)
        self.film0 = FiLM(text_dim, base)
        self.dec1, self.dec0 = _block(6 * base, 2 * base), _block(3 * base, base)
        self.head = nn.Conv2d(base, cout, 1)

    def forward(self, x, text):
        e0 = self.enc0(x)
        e1 = self.enc1(e0)
        e2 = self.film2(self.enc2(e1), text)
        d1 = F.interpolate(e2, size=e1.shape[-2:], mode="bilinear", align_corners=False)
        d1 = self.film1(self.dec1(torch.cat([d1, e1], 1)), text)
        d0 = F.interpolate(d1, size=e0.shape[-2:], mode="bilinear", align_corners=False)
        d0 = self.film0(self.dec0(torch.cat([d0, e0], 1)), text)
        return self.head(d0)


def rotate(images: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """Turn the content of (N, C, h, w) top-down maps about their centres by `angles` (N,) radians
    of world yaw (from +x towards +y; columns run along x and rows along y, policy.cells),
    bilinear, zeros outside."""
    # affine_grid samples the input at theta @ (column, row) of each output cell, so the content
    # turns by minus theta's angle: theta is built for -angles.
    cos, sin = torch.cos(angles), -torch.sin(angles)
    theta = torch.stack(
        [torch.stack([cos, -sin, torch.zeros_like(cos)], 1), torch.stack([sin, cos, torch.zeros_like(cos)], 1)], 1
    )
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, align_corners=False)


class Transporter(nn.Module):
    """The policy network; `forward` gives pick and place logits for a batch (see module doc)."""

    def __init__(self, config: PolicyConfig, vocab_size: int):
        super().__init__()
        self.config = config
        c = config
        self.text = TextEncoder(vocab_size, c.word_dim, c.text_dim)
        self.attention = FCN(4, 1, c.channels, c.text_dim)
        self.key = FCN(4, c.feature_dim, c.channels, c.text_dim)
        self.query = FCN(4, c.feature_dim, c.channels, c.text_dim)
        self.register_buffer("angles", torch.arange(c.n_rotations) * (2 * math.pi / c.n_rotations), persistent=False)

    def pick_logits(self, x: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """(B, 4, H, W), goal vectors (B, D) -> pick logits (B, H, W)."""
        return self.attention(x, text)[:, 0]

    def place_logits(self, x: torch.Tensor, text: torch.Tensor, pick: torch.Tensor) -> torch.Tensor:
        """(B, 4, H, W), goal vectors, pick cells (B, 2) long (row, column) -> place logits
        (B, R, H, W): correlation of the rotated crop features with the key features."""
        b, _, h, w = x.shape
        crop, r = self.config.crop_size, self.config.n_rotations
        pad = crop // 2
        padded = F.pad(x, (pad, pad, pad, pad))
        key = self.key(_pad_to_multiple(padded, 4), text)[..., : h + 2 * pad, : w + 2 * pad]
        # The crop centred on the pick (row u, col v) starts at (u, v) in padded coordinates.
        crops = torch.stack([padded[i, :, u : u + crop, v : v + crop] for i, (u, v) in enumerate(pick.tolist())])
        # The query features are computed once and rotated R times (CLIPort rotates the input
        # crop and runs the query FCN R times: R x the cost, same equivariance to first order).
        query = self.query(crops, text).repeat_interleave(r, 0)
        query = rotate(query, self.angles.repeat(b)).reshape(b, r, *query.shape[1:])
        return correlate(key, query)[..., :h, :w]

    def forward(self, x, words, pick):
        """-> (pick logits (B, H, W), place logits (B, R, H, W)) given the true pick cells."""
        text = self.text(words)
        return self.pick_logits(x, text), self.place_logits(x, text, pick)


def correlate(key: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
    """Valid cross-correlation of key (B, D, Hp, Wp) with R kernels per sample (B, R, D, c, c),
    summed over D -> (B, R, Hp - c + 1, Wp - c + 1), computed with real FFTs: the circular
    correlation equals the valid one where the kernel does not wrap. Costs O(B R D Hp Wp log)
    instead of O(B R D Hp Wp c^2) for the direct convolution (~20x less at c = 32)."""
    hp, wp = key.shape[-2:]
    c = query.shape[-1]
    fk = torch.fft.rfft2(key, s=(hp, wp))  # (B, D, Hp, Wp/2+1)
    fq = torch.fft.rfft2(query, s=(hp, wp))  # (B, R, D, ...)
    out = torch.fft.irfft2(torch.einsum("bdhw,brdhw->brhw", fk, fq.conj()), s=(hp, wp))
    return out[..., : hp - c + 1, : wp - c + 1]


def _pad_to_multiple(x: torch.Tensor, k: int) -> torch.Tensor:
    h, w = x.shape[-2:]
    return F.pad(x, (0, (-w) % k, 0, (-h) % k))


def loss(model: Transporter, batch: dict) -> tuple[torch.Tensor, dict]:
    """Cross-entropy of the demonstrated pick cell (over H*W) and place cell x rotation (over
    R*H*W), summed -> (loss, {"pick": float, "place": float}). `batch`: "x" (B, 4, H, W),
    "words" (B, T), "pick" (B, 2), "place" (B, 2) cells, "rotation" (B,) bins."""
    pick_logits, place_logits = model(batch["x"], batch["words"], batch["pick"])
    b, h, w = pick_logits.shape
    pick_target = batch["pick"][:, 0] * w + batch["pick"][:, 1]
    place_target = (batch["rotation"] * h + batch["place"][:, 0]) * w + batch["place"][:, 1]
    pick_loss = F.cross_entropy(pick_logits.reshape(b, -1), pick_target)
    place_loss = F.cross_entropy(place_logits.reshape(b, -1), place_target)
    return pick_loss + place_loss, {"pick": pick_loss.item(), "place": place_loss.item()}
