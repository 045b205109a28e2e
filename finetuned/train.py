"""LoRA supervised fine-tuning of a causal LM on the task library (transformers + peft, CPU or GPU).

Usage: python -m finetuned.train --base MODEL --data DIR --out ADAPTER_DIR [--epochs 3] [--lr 1e-4]
       [--r 8] [--alpha 32] [--dropout 0.05] [--target-modules q_proj,v_proj] [--max-length 1025]
       [--batch-size 2] [--grad-accum 2] [--max-steps N] [--resume]

DATA is a folder written by ``python -m finetuned.prepare``; training reads ``train.records.jsonl``.
Each example is prompt + completion (as the original's llama-recipes fork did); the loss is masked
on the prompt tokens. Defaults are the original's (docs/pipeline.md#finetune-formats): LoRA r 8, alpha 32,
dropout 0.05 on q/v projections, lr 1e-4, batch 2 with 2 accumulation steps, max length 1025 tokens; epochs 3
is the llama-recipes default. The adapter, tokenizer, resolved config (``train_config.json``) and a
per-step log (``train_log.jsonl``) are written to ADAPTER_DIR; ``checkpoint/`` inside it holds the
state needed by ``--resume``.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import platform
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

IGNORE = -100  # label value that cross-entropy skips: prompt and padding positions


@dataclass
class TrainConfig:
    """Resolved training configuration; saved with every adapter and checkpoint."""
    base: str
    data: str
    out: str
    r: int = 8
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "v_proj"])
    lr: float = 1e-4
    epochs: int = 3
    batch_size: int = 2
    grad_accum: int = 2
    max_length: int = 1025
    max_steps: int | None = None  # optimizer steps; None = all epochs
    save_every: int = 50          # optimizer steps between checkpoints
    seed: int = 0

    def __post_init__(self):
        for name in ("r", "alpha", "epochs", "batch_size", "grad_accum", "max_length", "save_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.lr <= 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")


def load_records(data_dir: Path, split: str = "train") -> list[dict]:
    """Read ``<split>.records.jsonl`` from a prepare folder.

    Raises:
        FileNotFoundError: naming the missing file and the command that makes it.
    """
    path = Path(data_dir) / f"{split}.records.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `python -m finetuned.prepare --out {data_dir}`")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def tokenize(tokenizer, prompt: str, completion: str, max_length: int) -> dict:
    """Token ids and labels for one example: BOS + prompt + completion + EOS, prompt labels masked.

    Returns ``{"input_ids": [int], "labels": [int]}`` truncated to ``max_length`` tokens.
    """
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    completion_ids = tokenizer(completion, add_special_tokens=False)["input_ids"]
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    ids = bos + prompt_ids + completion_ids + eos
    labels = [IGNORE] * (len(bos) + len(prompt_ids)) + completion_ids + eos
    return {"input_ids": ids[:max_length], "labels": labels[:max_length]}


def collate(examples: list[dict], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad a list of tokenized examples into (B, T) input_ids, attention_mask and labels."""
    width = max(len(e["input_ids"]) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for i, e in enumerate(examples):
        n = len(e["input_ids"])
        ids[i, :n] = torch.tensor(e["input_ids"])
        labels[i, :n] = torch.tensor(e["labels"])
        mask[i, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def batch_loss(model, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean cross-entropy over the completion tokens of a batch (HF shifts the labels internally)."""
    device = next(model.parameters()).device
    return model(**{k: v.to(device) for k, v in batch.items()}).loss


def _load_model(cfg: TrainConfig, resume_dir: Path | None):
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(cfg.base)
    if tokenizer.pad_token_id is None:  # Llama tokenizers ship without a pad token
        tokenizer.pad_token = tokenizer.eos_token
    dtype = torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32
    base = AutoModelForCausalLM.from_pretrained(cfg.base, dtype=dtype)
    if resume_dir is not None:
        model = PeftModel.from_pretrained(base, str(resume_dir), is_trainable=True)
    else:
        lora = LoraConfig(r=cfg.r, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout,
                          target_modules=cfg.target_modules, task_type="CAUSAL_LM")
        model = get_peft_model(base, lora)
    return model.to("cuda" if torch.cuda.is_available() else "cpu"), tokenizer


def _save_checkpoint(model, optimizer, ckpt: Path, state: dict, cfg: TrainConfig) -> None:
    tmp = ckpt.with_name(ckpt.name + ".tmp")
    model.save_pretrained(tmp)
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    (tmp / "trainer_state.json").write_text(json.dumps({**state, "config": dataclasses.asdict(cfg)}))
    if ckpt.exists():
        import shutil
        shutil.rmtree(ckpt)
    tmp.rename(ckpt)  # a crash mid-save leaves the previous checkpoint intact


def train(cfg: TrainConfig, resume: bool = False, log=print) -> dict:
    """Run LoRA fine-tuning; returns ``{"steps", "initial_loss", "final_loss", "seconds"}``.

    ``initial_loss``/``final_loss`` are measured on the same first training batch before and after
    training, so they show whether the model fitted the data. Resuming continues from
    ``OUT/checkpoint`` with the same data order (epochs are shuffled with ``seed + epoch``).

    Raises:
        FileNotFoundError: no training data; ValueError: the data folder has no examples.
    """
    out = Path(cfg.out)
    ckpt = out / "checkpoint"
    records = load_records(Path(cfg.data))
    if not records:
        raise ValueError(f"no training examples in {cfg.data}")
    state = {"step": 0, "epoch": 0, "micro": 0}
    resume_dir = ckpt if resume and ckpt.exists() else None
    if resume_dir is not None:
        state.update({k: v for k, v in json.loads((ckpt / "trainer_state.json").read_text()).items()
                      if k in state})
    torch.manual_seed(cfg.seed)
    model, tokenizer = _load_model(cfg, resume_dir)
    examples = [tokenize(tokenizer, r["prompt"], r["completion"], cfg.max_length) for r in records]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    if resume_dir is not None:
        optimizer.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))

    probe = collate(examples[:cfg.batch_size], tokenizer.pad_token_id)
    model.eval()
    with torch.no_grad():
        initial = batch_loss(model, probe).item()
    model.train()

    per_epoch = math.ceil(len(examples) / cfg.batch_size)
    # A partial accumulation is flushed at each epoch end, so an epoch is ceil(batches / accum) steps.
    total = cfg.max_steps or cfg.epochs * math.ceil(per_epoch / cfg.grad_accum)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    with (out / "train_log.jsonl").open("a") as logf:
        while state["step"] < total:
            order = list(range(len(examples)))
            random.Random(cfg.seed + state["epoch"]).shuffle(order)
            batches = [order[i:i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
            for micro in range(state["micro"], len(batches)):
                loss = batch_loss(model, collate([examples[i] for i in batches[micro]],
                                                 tokenizer.pad_token_id)) / cfg.grad_accum
                loss.backward()
                state["micro"] = micro + 1
                if state["micro"] % cfg.grad_accum and state["micro"] != len(batches):
                    continue
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                state["step"] += 1
                row = {"step": state["step"], "epoch": state["epoch"],
                       "loss": round(loss.item() * cfg.grad_accum, 6), "seconds": round(time.time() - t0, 2)}
                logf.write(json.dumps(row) + "\n")
                logf.flush()
                log(f"step {row['step']}/{total} epoch {row['epoch']} loss {row['loss']:.4f}")
                if state["step"] % cfg.save_every == 0:
                    _save_checkpoint(model, optimizer, ckpt, state, cfg)
                if state["step"] >= total:
                    break
            else:
                state["epoch"] += 1
                state["micro"] = 0
    _save_checkpoint(model, optimizer, ckpt, state, cfg)

    model.eval()
    with torch.no_grad():
        final = batch_loss(model, probe).item()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    result = {"steps": state["step"], "initial_loss": initial, "final_loss": final,
              "seconds": round(time.time() - t0, 2)}
    meta = {"config": dataclasses.asdict(cfg), "result": result, "torch": torch.__version__,
            "python": platform.python_version(), "machine": platform.machine(),
            "device": "cuda" if torch.cuda.is_available() else "cpu"}
    (out / "train_config.json").write_text(json.dumps(meta, indent=2) + "\n")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="LoRA fine-tuning on the task library")
    ap.add_argument("--base", required=True, help="base model folder or Hub id")
    ap.add_argument("--data", required=True, help="folder written by finetuned.prepare")
    ap.add_argument("--out", required=True, help="adapter output folder")
    ap.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint")
    defaults = TrainConfig(base="", data="", out="")
    for f in dataclasses.fields(TrainConfig):
        if f.name in ("base", "data", "out", "target_modules"):
            continue
        kind = int if f.name in ("max_steps",) else type(getattr(defaults, f.name))
        ap.add_argument("--" + f.name.replace("_", "-"), type=kind, default=getattr(defaults, f.name))
    ap.add_argument("--target-modules", default=",".join(defaults.target_modules))
    args = vars(ap.parse_args(argv))
    resume = args.pop("resume")
    args["target_modules"] = [m for m in args["target_modules"].split(",") if m]
    try:
        result = train(TrainConfig(**args), resume=resume)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
