"""LoRA supervised fine-tuning of a causal LM on the task library (transformers ``Trainer`` + peft).

Usage: python -m finetuned.train --base MODEL --data DIR --out ADAPTER_DIR [--epochs 3] [--lr 1e-4]
       [--r 8] [--alpha 32] [--dropout 0.05] [--target-modules q_proj,v_proj] [--max-length 1025]
       [--batch-size 2] [--grad-accum 2] [--max-steps N] [--save-every 50] [--seed 0] [--resume]

DATA is a folder written by ``python -m finetuned.prepare``; training reads ``train.records.jsonl``.
Each example is prompt + completion (as the original's llama-recipes fork did); the loss is masked
on the prompt tokens. Defaults are the original's (docs/pipeline.md#finetune-formats): LoRA r 8, alpha 32,
dropout 0.05 on q/v projections, lr 1e-4, batch 2 with 2 accumulation steps, max length 1025 tokens; epochs 3
is the llama-recipes default. The adapter, tokenizer, resolved config (``train_config.json``) and a
per-step log (``train_log.jsonl``) are written to ADAPTER_DIR; ``checkpoint-<step>/`` inside it
(the Trainer's checkpoint: adapter, optimizer, scheduler, RNG states, step) is what ``--resume`` reads.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# torch, transformers and peft are the optional ML stack (requirements-ml.txt); only finetuning needs them.
import torch
from peft import LoraConfig, get_peft_model
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PrinterCallback,
    Trainer,
    TrainerCallback,
    TrainingArguments,
    set_seed,
)

IGNORE = -100  # label value that cross-entropy skips: prompt and padding positions
LOG_NAME = "train_log.jsonl"


@dataclass
class TrainConfig:
    """Resolved training configuration; saved with every adapter (``train_config.json``)."""

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
    save_every: int = 50  # optimizer steps between checkpoints
    seed: int = 0

    def __post_init__(self):
        for name in ("r", "alpha", "epochs", "batch_size", "grad_accum", "max_length", "save_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {self.max_steps}")
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


@dataclass
class CompletionCollator:
    """Trainer data collator: right-pads tokenized examples into (B, T) long tensors ``input_ids``
    (padded with ``pad_id``), ``attention_mask`` (1 on tokens) and ``labels`` (``IGNORE`` on padding).

    Written here rather than ``DataCollatorForSeq2Seq`` because that pads on the tokenizer's
    ``padding_side``, which Llama tokenizers set to "left", and the saved tokenizer should keep it.
    """

    pad_id: int

    def __call__(self, examples: list[dict]) -> dict[str, torch.Tensor]:
        width = max(len(e["input_ids"]) for e in examples)
        ids = torch.full((len(examples), width), self.pad_id, dtype=torch.long)
        labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(examples), width), dtype=torch.long)
        for i, e in enumerate(examples):
            n = len(e["input_ids"])
            ids[i, :n] = torch.tensor(e["input_ids"])
            labels[i, :n] = torch.tensor(e["labels"])
            mask[i, :n] = 1
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}


class StepLog(TrainerCallback):
    """Appends one JSON line per optimizer step to ``OUT/train_log.jsonl`` and reports it to ``log``.

    Rows: ``step``, ``epoch`` (the Trainer's fractional epoch: 1.0 = end of the first),
    ``loss`` (mean over the step's completion tokens), ``lr``, ``seconds`` since this run began.
    At train begin, rows past the starting step are dropped (those steps run again), so a resumed
    run keeps one row per step and a fresh run starts an empty log.
    """

    def __init__(self, path: Path, log):
        self.path, self.log, self.t0 = path, log, time.time()

    def on_train_begin(self, args, state, control, **kwargs):
        self.t0 = time.time()
        kept = []
        if self.path.exists():
            kept = [
                line
                for line in self.path.read_text().splitlines()
                if line.strip() and json.loads(line)["step"] <= state.global_step
            ]
        self.path.write_text("".join(line + "\n" for line in kept))

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs or "loss" not in logs:  # the end-of-training summary has no per-step loss
            return
        row = {
            "step": state.global_step,
            "epoch": round(state.epoch, 4),
            "loss": round(logs["loss"], 6),
            "lr": logs.get("learning_rate"),
            "seconds": round(time.time() - self.t0, 2),
        }
        with self.path.open("a") as f:
            f.write(json.dumps(row) + "\n")
        self.log(f"step {row['step']}/{state.max_steps} epoch {row['epoch']:.2f} loss {row['loss']:.4f}")


def last_checkpoint(out: Path) -> Path | None:
    """Newest complete ``OUT/checkpoint-<step>`` folder, or None.

    The Trainer writes ``trainer_state.json`` last, so a folder without it is a save that was cut
    short and is skipped (the previous checkpoint is only deleted after the new one is complete).
    """
    done = [
        p
        for p in Path(out).glob("checkpoint-*")
        if p.name.split("-", 1)[1].isdigit() and (p / "trainer_state.json").exists()
    ]
    return max(done, key=lambda p: int(p.name.split("-", 1)[1]), default=None)


def _load_model(cfg: TrainConfig):
    tokenizer = AutoTokenizer.from_pretrained(cfg.base)
    if tokenizer.pad_token_id is None:  # Llama tokenizers ship without a pad token
        tokenizer.pad_token = tokenizer.eos_token
    dtype = torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32
    base = AutoModelForCausalLM.from_pretrained(cfg.base, dtype=dtype)
    lora = LoraConfig(
        r=cfg.r,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.dropout,
        target_modules=cfg.target_modules,
        task_type="CAUSAL_LM",
    )
    return get_peft_model(base, lora), tokenizer  # on resume the Trainer loads the checkpoint's adapter


def _arguments(cfg: TrainConfig) -> TrainingArguments:
    return TrainingArguments(
        output_dir=cfg.out,
        seed=cfg.seed,
        learning_rate=cfg.lr,
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps or -1,
        per_device_train_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        # No schedule, warm-up or clipping (the original records none); AdamW's decay is torch's default.
        lr_scheduler_type="constant",
        warmup_steps=0,
        max_grad_norm=0.0,
        weight_decay=0.01,
        logging_strategy="steps",
        logging_steps=1,
        save_strategy="steps",
        save_steps=cfg.save_every,
        save_total_limit=1,
        label_names=["labels"],
        remove_unused_columns=False,
        report_to="none",
        disable_tqdm=True,
        dataloader_pin_memory=torch.cuda.is_available(),
    )


def _probe_loss(model, batch: dict[str, torch.Tensor]) -> float:
    """Loss of ``model`` on one collated batch with dropout off (the before/after fit measure)."""
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        loss = model(**{k: v.to(device) for k, v in batch.items()}).loss.item()
    model.train()
    return loss


def train(cfg: TrainConfig, resume: bool = False, log=print) -> dict:
    """Run LoRA fine-tuning; returns ``{"steps", "initial_loss", "final_loss", "seconds",
    "steps_per_second", "samples_per_second", "device", "resumed_from"}``.

    ``initial_loss``/``final_loss`` are measured on the first ``batch_size`` training examples
    before and after this run, so they show whether the model fitted the data. ``steps`` is the total optimizer
    step count; ``seconds`` and the rates cover the steps run by this call (the Trainer's
    ``train_runtime`` and its rates). With ``resume``, training continues from the newest complete
    ``OUT/checkpoint-<step>`` with the same data order and RNG states; when there is none it starts
    at step 0 (and says so through ``log``). A run from step 0 removes OUT's old checkpoints.

    Raises:
        FileNotFoundError: no training data; ValueError: the data folder has no examples.
    """
    out = Path(cfg.out)
    records = load_records(Path(cfg.data))
    if not records:
        raise ValueError(f"no training examples in {cfg.data}")
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = last_checkpoint(out) if resume else None
    if resume and checkpoint is None:
        log(f"no checkpoint in {out}: starting at step 0")
    if checkpoint is None:  # a run from step 0 must not be rotated against an older run's checkpoints
        for old in out.glob("checkpoint-*"):
            shutil.rmtree(old)

    set_seed(cfg.seed)  # LoRA's initial weights come from torch's RNG
    model, tokenizer = _load_model(cfg)
    examples = [tokenize(tokenizer, r["prompt"], r["completion"], cfg.max_length) for r in records]
    collator = CompletionCollator(tokenizer.pad_token_id)
    trainer = Trainer(
        model=model,
        args=_arguments(cfg),
        train_dataset=examples,
        data_collator=collator,
        callbacks=[StepLog(out / LOG_NAME, log)],
    )
    trainer.remove_callback(PrinterCallback)  # StepLog reports each step; no raw dicts on stdout
    probe = collator(examples[: cfg.batch_size])
    initial = _probe_loss(model, probe)

    metrics = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None).metrics
    final = _probe_loss(model, probe)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    device = str(trainer.args.device)
    result = {
        "steps": trainer.state.global_step,
        "initial_loss": initial,
        "final_loss": final,
        "seconds": round(metrics["train_runtime"], 2),
        "steps_per_second": metrics["train_steps_per_second"],
        "samples_per_second": metrics["train_samples_per_second"],
        "device": device,
        "resumed_from": checkpoint.name if checkpoint else None,
    }
    log(
        f"{result['steps']} steps; this run {result['seconds']} s, {result['steps_per_second']} steps/s, "
        f"{result['samples_per_second']} samples/s on {device}"
    )
    meta = {
        "config": dataclasses.asdict(cfg),
        "result": result,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    (out / "train_config.json").write_text(json.dumps(meta, indent=2) + "\n")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="LoRA fine-tuning on the task library")
    ap.add_argument("--base", required=True, help="base model folder or Hub id")
    ap.add_argument("--data", required=True, help="folder written by finetuned.prepare")
    ap.add_argument("--out", required=True, help="adapter output folder")
    ap.add_argument("--resume", action="store_true", help="continue from the newest OUT/checkpoint-<step>")
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
