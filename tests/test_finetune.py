"""Fine-tuning end to end on a tiny local model: prepare -> train -> serve the adapter -> evaluate."""

import json
import subprocess
import sys

import pytest
import torch

from finetuned import formats
from finetuned.evaluate import evaluate, read_targets, summarise
from finetuned.export import merge, vllm_command
from finetuned.prepare import prepare, split_tasks
from finetuned.train import TrainConfig, last_checkpoint, main, train
from generation.library import Library
from serving import GenerationParams, make_backend
from serving.base import Backend
from tests.tinymodel import build_tiny_model

ROOT = Library().root
torch.set_num_threads(1)  # the tiny model trains in seconds on one thread; the CI machine is shared

CURATED = [
    "place-red-in-green",
    "stack-block-pyramid",
    "align-box-corner",
    "put-block-in-bowl",
    "block-insertion",
    "towers-of-hanoi",
]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("library"))
    for name in CURATED:
        lib.add(Library().code(name), name, meta={"source": "curated"})
    return lib


@pytest.fixture(scope="module")
def data_dir(library, tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    prepare(out, val_fraction=0.34, seed=3, library=library)
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def adapter(tiny, data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("adapter")
    cfg = TrainConfig(
        base=str(tiny),
        data=str(data_dir),
        out=str(out),
        lr=3e-3,
        batch_size=2,
        grad_accum=1,
        max_length=384,
        max_steps=8,
        save_every=4,
    )
    result = train(cfg, log=lambda *_: None)
    return out, cfg, result


def test_split_is_by_task_and_deterministic():
    names = [f"task-{i}" for i in range(20)]
    a, b = split_tasks(names, 0.2, seed=1), split_tasks(list(reversed(names)), 0.2, seed=1)
    assert a == b
    assert len(a["val"]) == 4 and not set(a["train"]) & set(a["val"])
    assert set(a["train"]) | set(a["val"]) == set(names)
    assert split_tasks(["x", "y"], 0.01, seed=0)["val"], "two tasks and a val fraction give a val task"
    with pytest.raises(ValueError):
        split_tasks(names, 1.0, seed=0)


def test_prepare_writes_three_valid_formats(data_dir, library):
    manifest = json.loads((data_dir / "manifest.json").read_text())
    train_tasks, val_tasks = manifest["tasks"]["train"], manifest["tasks"]["val"]
    assert sorted(train_tasks + val_tasks) == sorted(CURATED) and not set(train_tasks) & set(val_tasks)
    for split, tasks in (("train", train_tasks), ("val", val_tasks)):
        for kind in ("chat", "codellama", "records"):
            rows = [json.loads(line) for line in (data_dir / f"{split}.{kind}.jsonl").read_text().splitlines()]
            assert len(rows) == len(tasks)
            for row in rows:
                formats.validate(kind, row)
    chat = json.loads((data_dir / "train.chat.jsonl").read_text().splitlines()[0])
    name = train_tasks[0]
    assert chat["messages"][1]["content"] == formats.instruction(name)
    assistant = chat["messages"][2]["content"]
    assert assistant.startswith(" \n```python\n") and assistant.endswith("```\n\nSTOP")
    assert library.code(name).strip() in assistant
    pair = json.loads((data_dir / "train.codellama.jsonl").read_text().splitlines()[0])
    assert pair["completion"].endswith("```\n\n###") and pair["prompt"] == formats.instruction(name)


def test_records_load_with_datasets(data_dir):
    from datasets import load_dataset

    ds = load_dataset(
        "json", data_files={"train": str(data_dir / "train.records.jsonl"), "val": str(data_dir / "val.records.jsonl")}
    )
    assert set(ds["train"]["split"]) == {"train"} and set(ds["val"]["split"]) == {"val"}
    assert all("class " in code for code in ds["train"]["code"])


def test_schema_validation_rejects_bad_rows():
    good = formats.chat_example("build-car", "class BuildCar(Task):\n    pass\n")
    formats.validate("chat", good)
    bad = {"messages": good["messages"][1:]}
    with pytest.raises(ValueError, match="roles"):
        formats.validate("chat", bad)
    with pytest.raises(ValueError, match="keys"):
        formats.validate("codellama", {"prompt": "x"})
    with pytest.raises(ValueError):
        formats.instruction("Build Car")


def test_training_lowers_loss_and_saves_everything(adapter):
    out, cfg, result = adapter
    assert result["steps"] == 8 and result["resumed_from"] is None
    assert result["final_loss"] < result["initial_loss"] - 0.05, result
    for name in (
        "adapter_config.json",
        "adapter_model.safetensors",
        "tokenizer.json",
        "train_config.json",
        "train_log.jsonl",
    ):
        assert (out / name).exists(), name
    log = [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == list(range(1, 9))
    assert log[-1]["loss"] < log[0]["loss"]
    assert json.loads((out / "adapter_config.json").read_text())["r"] == 8
    assert last_checkpoint(out) == out / "checkpoint-8", "save_every 4 and the end keep only the newest"
    assert [p.name for p in out.glob("checkpoint-*")] == ["checkpoint-8"]


def test_resume_continues_from_checkpoint(adapter, tmp_path):
    out, cfg, _ = adapter
    import shutil

    from safetensors.torch import load_file

    resumed = tmp_path / "resumed"
    shutil.copytree(out, resumed)
    cfg2 = TrainConfig(**{**cfg.__dict__, "out": str(resumed), "max_steps": 10})
    said = []
    result = train(cfg2, resume=True, log=said.append)
    steps = [json.loads(line)["step"] for line in (resumed / "train_log.jsonl").read_text().splitlines()]
    assert result["steps"] == 10 and result["resumed_from"] == "checkpoint-8"
    assert [line.split()[1] for line in said if line.startswith("step ")] == ["9/10", "10/10"], said
    assert steps == list(range(1, 11)), "8 logged steps kept, 2 new ones appended, none repeated"
    # Same data order, optimizer and RNG states: 8 + 2 steps land where 10 uninterrupted steps do.
    straight = tmp_path / "straight"
    train(TrainConfig(**{**cfg2.__dict__, "out": str(straight)}), log=lambda *_: None)
    got, want = load_file(resumed / "adapter_model.safetensors"), load_file(straight / "adapter_model.safetensors")
    assert got.keys() == want.keys() and all(torch.equal(got[k], want[k]) for k in want)


def test_last_checkpoint_skips_a_save_cut_short(tmp_path):
    assert last_checkpoint(tmp_path) is None
    for step, complete in ((4, True), (12, True), (16, False)):
        (tmp_path / f"checkpoint-{step}").mkdir()
        if complete:
            (tmp_path / f"checkpoint-{step}" / "trainer_state.json").write_text("{}")
    assert last_checkpoint(tmp_path) == tmp_path / "checkpoint-12"


def test_cli_train_prints_steps_and_throughput(tiny, data_dir, tmp_path, capsys):
    code = main(
        [
            "--base",
            str(tiny),
            "--data",
            str(data_dir),
            "--out",
            str(tmp_path),
            "--max-steps",
            "2",
            "--max-length",
            "128",
            "--lr",
            "3e-3",
        ]
    )
    printed = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [line.split()[1] for line in printed if line.startswith("step ")] == ["1/2", "2/2"]
    assert any("steps/s" in line and "samples/s" in line for line in printed)
    result = json.loads(printed[-1])
    assert result["steps"] == 2 and result["steps_per_second"] > 0 and result["device"] == "cpu"
    assert main(["--base", str(tiny), "--data", str(tmp_path / "none"), "--out", str(tmp_path)]) == 2


def test_adapter_serves_in_process_and_evaluate_writes_tables(adapter, tiny, tmp_path):
    out, _, _ = adapter
    backend = make_backend("transformers", model=str(tiny), adapter=str(out))
    answer = backend.chat(
        [{"role": "user", "content": formats.instruction("build-car")}], GenerationParams(max_tokens=8)
    )[0]
    assert isinstance(answer, str) and answer
    summary = evaluate(
        backend,
        ["build-car"],
        tmp_path,
        "tiny+lora",
        params=GenerationParams(max_tokens=16),
        episodes=1,
        log=lambda *_: None,
    )
    assert summary == {"n": 1, "syntax": 0.0, "runtime": 0.0, "success": 0.0}  # random weights: no code
    rows = (tmp_path / "rows.csv").read_text().splitlines()
    assert rows[0].startswith("label,task") and "tiny+lora,build-car,False" in rows[1]
    assert "| tiny+lora | 1 | 0.0% | 0.0% | 0.0% |" in (tmp_path / "summary.md").read_text()


class LibraryAnswers(Backend):
    """Answers the code-only instruction with the library's code for the named task."""

    name, model = "library", "library"

    def chat(self, messages, params=None):
        task = messages[-1]["content"].split("[", 1)[1].split("]", 1)[0]
        return [f"Sure.\n```python\n{Library().code(task)}```\n"]

    def complete(self, prompt, params=None):
        return self.chat([{"role": "user", "content": prompt}])


def test_evaluate_runs_the_sandbox_and_compares_models(tmp_path):
    targets = tmp_path / "targets.txt"
    targets.write_text("# held-out tasks\nplace-red-in-green\n")
    summary = evaluate(LibraryAnswers(), read_targets(targets), tmp_path, "reference", episodes=1, log=lambda *_: None)
    assert summary == {"n": 1, "syntax": 1.0, "runtime": 1.0, "success": 1.0}
    evaluate(LibraryAnswers(), [], tmp_path, "empty", log=lambda *_: None)
    table = (tmp_path / "summary.md").read_text()
    assert "| reference | 1 | 100.0% | 100.0% | 100.0% |" in table and "| empty | 0 |" in table
    assert summarise([{"syntax": True, "runtime": False, "success": False}] * 2)["syntax"] == 1.0


def test_export_vllm_command_and_merge(adapter, tiny, tmp_path):
    out, _, _ = adapter
    cmd = vllm_command(str(tiny), out, name="gensim-lora", port=8123)
    assert cmd[1:3] == ["-m", "serving.vllm"] and f"gensim-lora={out.resolve()}" in cmd
    shown = subprocess.run(cmd + ["--dry-run"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "--enable-lora" in shown.stdout and f"gensim-lora={out.resolve()}" in shown.stdout
    assert "--max-lora-rank" in shown.stdout and "8123" in shown.stdout
    with pytest.raises(FileNotFoundError):
        vllm_command(str(tiny), tmp_path)

    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    merged = merge(str(tiny), out, tmp_path / "merged")
    ids = torch.tensor([[1, 5, 9, 42, 7]])
    with torch.no_grad():
        want = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny), str(out))(ids).logits
        got = AutoModelForCausalLM.from_pretrained(merged)(ids).logits
    assert torch.allclose(want, got, atol=1e-4)


def test_cli_prepare(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "finetuned.prepare", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT.parents[1],
    )
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(manifest["tasks"]["train"]) + len(manifest["tasks"]["val"]) >= 13
