"""Train the language-conditioned Transporter on a demonstration dataset.

    python -m policy.train --data DIR [--tasks T ...] --steps N --out RUN [--small] [--resume]
        [--seed S] [--batch-size B] [--lr LR] [--threads K] [--device cpu|cuda]

Writes RUN/checkpoint.pt every --save-every steps and at the end (policy.checkpoint), RUN/
config.json and RUN/log.jsonl (one line per --log-every steps: step, loss, pick and place losses,
steps/s). --resume continues a run from its checkpoint (same data; the config comes from the
checkpoint). Prints throughput (steps/s, samples/s) and the device at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import yaml

from policy import cells, checkpoint, dataset
from policy.config import PolicyConfig
from policy.model import Transporter, loss, to_input
from policy.text import Vocabulary


class Samples:
    """The training rows as tensors-to-be, with the pick/place cells and rotation bins of the
    working resolution; `batch(indices, rng)` applies a random translation (same shift for the
    maps and the labels, zeros shifted in) and returns the model's batch dict."""

    def __init__(self, arrays: dict, config: PolicyConfig, vocab: Vocabulary):
        self.config, self.vocab = config, vocab
        self.colour, self.height = arrays["colour"], arrays["height"]
        self.goals = arrays["lang_goal"]
        self.pick = cells.cells_of(arrays["pick"], config)
        self.place = cells.cells_of(arrays["place"], config)
        self.rotation = cells.rotation_bins(arrays["place_yaw"], config.n_rotations)

    def __len__(self):
        return len(self.goals)

    def batch(self, indices, rng: np.random.Generator | None = None) -> dict:
        """Model batch for `indices`; with `rng`, a random shift of at most config.shift cells
        that keeps both labelled cells on the map."""
        h, w = self.config.shape
        colour, height = self.colour[indices].copy(), self.height[indices].copy()
        pick, place = self.pick[indices].copy(), self.place[indices].copy()
        if rng is not None and self.config.shift > 0:
            for i in range(len(indices)):
                cells_i = np.stack([pick[i], place[i]])
                lo = np.maximum(-self.config.shift, -cells_i.min(0))
                hi = np.minimum(self.config.shift, np.array([h - 1, w - 1]) - cells_i.max(0))
                du, dv = (int(rng.integers(a, b + 1)) for a, b in zip(lo, hi))
                colour[i], height[i] = _shift(colour[i], du, dv), _shift(height[i], du, dv)
                pick[i] += (du, dv)
                place[i] += (du, dv)
        return {
            "x": to_input(torch.from_numpy(colour), torch.from_numpy(height)),
            "words": self.vocab.encode([self.goals[i] for i in indices], self.config.max_words),
            "pick": torch.from_numpy(pick),
            "place": torch.from_numpy(place),
            "rotation": torch.from_numpy(self.rotation[indices]),
        }


def _shift(image: np.ndarray, du: int, dv: int) -> np.ndarray:
    """Translate an (H, W[, C]) image by du rows and dv columns, filling with zeros."""
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    out[max(du, 0) : h + min(du, 0), max(dv, 0) : w + min(dv, 0)] = image[
        max(-du, 0) : h - max(du, 0), max(-dv, 0) : w - max(dv, 0)
    ]
    return out


def _to(batch: dict, device) -> dict:
    return {k: v.to(device) for k, v in batch.items()}


def train(
    data: Path,
    out: Path,
    steps: int,
    *,
    tasks=None,
    config: PolicyConfig | None = None,
    resume: bool = False,
    seed: int = 0,
    device: str = "cpu",
    log_every: int = 10,
    save_every: int = 200,
    quiet: bool = False,
) -> dict:
    """Train (or resume) a run -> {"step", "seconds", "steps_per_second", "loss", "device",
    "samples", "batch_size"}. `steps` is the total step count of the run (a resumed run continues
    up to it; its config comes from the checkpoint).
    Raises FileNotFoundError when --resume finds no checkpoint."""
    out = Path(out)
    state = None
    if resume:
        model, vocab, state = checkpoint.load(out, device)
        config = model.config
        model.train()
    config = config or PolicyConfig()
    arrays = dataset.load_arrays(data, "train", tasks, config.scale)
    if state is None:
        torch.manual_seed(seed)
        vocab = Vocabulary.from_goals(arrays["lang_goal"])
        model = Transporter(config, len(vocab.words)).to(device)
    samples = Samples(arrays, config, vocab)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    rng = np.random.default_rng(seed)
    start = 0
    if state is not None:
        optimizer.load_state_dict(state["optimizer"])
        start = state["step"]
        rng.bit_generator.state = state["extra"]["numpy_rng"]
        torch.set_rng_state(state["extra"]["torch_rng"])
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "log.jsonl", "a")
    t0, last = time.monotonic(), {}
    step = start
    for step in range(start + 1, steps + 1):
        idx = rng.integers(0, len(samples), config.batch_size)
        total, parts = loss(model, _to(samples.batch(idx, rng), device))
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        last = {"step": step, "loss": round(total.item(), 4), **{k: round(v, 4) for k, v in parts.items()}}
        if step % log_every == 0 or step == steps:
            last["steps_per_second"] = round((step - start) / (time.monotonic() - t0), 3)
            log.write(json.dumps(last) + "\n")
            log.flush()
            if not quiet:
                print(json.dumps(last), file=sys.stderr)
        if step % save_every == 0 or step == steps:
            _save(out, model, vocab, optimizer, step, rng, _observation_source(data))
    log.close()
    seconds = time.monotonic() - t0
    done = step - start
    return {
        "step": step,
        "seconds": round(seconds, 1),
        "device": str(device),
        "steps_per_second": round(done / seconds, 3) if seconds and done else 0.0,
        "samples": len(samples),
        "loss": last.get("loss"),
        "batch_size": config.batch_size,
    }


def _save(out, model, vocab, optimizer, step, rng, observation):
    checkpoint.save(
        out,
        model,
        vocab,
        optimizer,
        step,
        extra={"numpy_rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(), "observation": observation},
    )


def _observation_source(data: Path) -> str:
    """The dataset card's observation source ("cameras" when the card does not say): evaluation
    must render what training saw."""
    try:
        header = (Path(data) / "README.md").read_text().split("---")[1]
        return str(yaml.safe_load(header)["gensim"]["observation"])
    except (OSError, IndexError, KeyError, TypeError, yaml.YAMLError):
        return "cameras"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m policy.train", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--tasks", nargs="*", help="train on these tasks only (default: all)")
    ap.add_argument("--steps", type=int, required=True, help="total steps of the run")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--small", action="store_true", help="2-CPU configuration (PolicyConfig.small)")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--log-every", type=int, default=10)
    ap.add_argument("--save-every", type=int, default=200)
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    config = PolicyConfig.small() if args.small else PolicyConfig()
    overrides = {k: v for k, v in (("batch_size", args.batch_size), ("lr", args.lr)) if v}
    if overrides:
        config = PolicyConfig.from_dict({**config.__dict__, **overrides})
    result = train(
        args.data,
        args.out,
        args.steps,
        tasks=args.tasks,
        config=config,
        resume=args.resume,
        seed=args.seed,
        device=args.device,
        log_every=args.log_every,
        save_every=args.save_every,
    )
    print(
        f"trained to step {result['step']} on {result['samples']} samples in "
        f"{result['seconds']} s: {result['steps_per_second']} steps/s "
        f"({result['steps_per_second'] * result['batch_size']:.2f} samples/s) on "
        f"{result['device']} with {torch.get_num_threads()} threads; last loss {result['loss']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
