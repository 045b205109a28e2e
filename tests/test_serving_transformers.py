"""serving.transformers_local in process: tiny random Llama, a random LoRA adapter, streaming, n, stops."""

import shutil

import pytest
import torch

from serving import BackendError, GenerationParams, make_backend, prompt_formats
from tests.tinymodel import build_tiny_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.getbasetemp() / "tinymodel")


@pytest.fixture(scope="module")
def adapter(tiny_model, tmp_path_factory):
    """A LoRA adapter (rank 4 on q/v, GenSim's target modules) with random, non-zero B matrices."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(tiny_model),
        LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"),
    )
    with torch.no_grad():  # LoRA starts as the identity (B = 0); make it change the model
        for name, weight in model.named_parameters():
            if "lora_B" in name:
                weight.normal_(0, 0.5)
    path = tmp_path_factory.mktemp("adapter")
    model.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def backend(tiny_model):
    return make_backend("transformers", model=str(tiny_model), device="cpu")


@pytest.fixture(scope="module")
def tuned(tiny_model, adapter):
    return make_backend("transformers", model=str(tiny_model), adapter=str(adapter), device="cpu")


def user(text):
    return [{"role": "user", "content": text}]


GREEDY = GenerationParams(max_tokens=16)


def test_chat_uses_chat_template_and_streams(backend):
    answer = backend.chat(user("[stage: implementation]\nbuild a car"), GREEDY)
    assert len(answer) == 1 and answer[0]
    deltas = list(backend.stream_chat(user("[stage: implementation]\nbuild a car"), GREEDY))
    assert len(deltas) > 1 and "".join(deltas) == answer[0]
    # The template adds role headers, so a chat differs from completing the bare text.
    assert backend.complete("[stage: implementation]\nbuild a car", GREEDY) != answer


def test_model_without_chat_template_falls_back_to_plain(tiny_model, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(tiny_model, bare, ignore=shutil.ignore_patterns("chat_template.jinja"))
    backend = make_backend("transformers", model=str(bare), device="cpu")
    assert not backend._tokenizer.chat_template
    assert backend.chat(user("class BuildCar(Task):"), GREEDY) == backend.complete("class BuildCar(Task):", GREEDY)


def test_llama2_template(tiny_model):
    backend = make_backend("transformers", model=str(tiny_model), device="cpu", template="llama2")
    instruction = prompt_formats.codeonly_instruction("build-car")
    assert backend.chat(user(instruction), GREEDY) == backend.complete(
        prompt_formats.llama2_prompt(user(instruction)), GREEDY
    )


def test_stop_strings_cut_answers_and_streams(backend):
    full = backend.complete("def reset(self, env):", GREEDY)[0]
    stop = next(
        full[i : i + 3] for i in range(4, len(full) - 3) if full[i : i + 3].isalpha() and full[i : i + 3].isascii()
    )
    expected = full[: full.find(stop)]
    params = GenerationParams(max_tokens=16, stop=[stop])
    assert backend.complete("def reset(self, env):", params) == [expected]
    assert "".join(backend.stream_complete("def reset(self, env):", params)) == expected


def test_n_samples(backend):
    torch.manual_seed(0)
    sampled = backend.chat(user("hi"), GenerationParams(max_tokens=8, temperature=1.0, n=3))
    assert len(sampled) == 3 and len(set(sampled)) > 1  # 600-token vocabulary: equal samples are unlikely
    greedy = backend.chat(user("hi"), GenerationParams(max_tokens=8, n=2))
    assert len(greedy) == 2 and greedy[0] == greedy[1]
    with pytest.raises(ValueError, match="n=2"):
        backend.stream_chat(user("hi"), GenerationParams(n=2))


def test_lora_adapter_changes_answers(backend, tuned):
    from peft import PeftModel

    assert isinstance(tuned._lm, PeftModel)
    prompt = user("Write the pybullet simulation task class [build-car].")
    with_adapter = tuned.chat(prompt, GREEDY)
    assert with_adapter != backend.chat(prompt, GREEDY)
    assert "".join(tuned.stream_chat(prompt, GREEDY)) == with_adapter[0]


def test_stream_abandoned_midway_frees_the_model(backend):
    stream = backend.stream_complete("class", GenerationParams(max_tokens=500))
    next(stream)
    stream.close()  # stops generation; the lock is free again for the next call
    assert backend.complete("class", GenerationParams(max_tokens=4))


def test_answers_are_clipped_to_the_context_window(backend):
    tokenizer = backend._tokenizer
    context = backend._lm.config.max_position_embeddings
    prompt = tokenizer.unk_token * (context - 3)  # one token each
    assert len(tokenizer(prompt)["input_ids"]) == context - 3
    answer = backend.complete(prompt, GenerationParams(max_tokens=50))[0]
    assert 0 < len(tokenizer(answer, add_special_tokens=False)["input_ids"]) <= 3 + 1  # +1: re-tokenising may split
    with pytest.raises(BackendError, match=f"takes {context}"):
        backend.complete(prompt * 2)


def test_missing_model_adapter_and_offline_hub(tiny_model, tmp_path, monkeypatch):
    from huggingface_hub import constants

    with pytest.raises(BackendError, match="cannot load model"):
        make_backend("transformers", model=str(tmp_path))  # an empty folder
    with pytest.raises(BackendError, match="cannot find adapter"):
        make_backend("transformers", model=str(tiny_model), adapter=str(tmp_path / "no-such-adapter"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    with pytest.raises(BackendError, match="HF_HUB_OFFLINE"):
        make_backend("transformers", model="gensim-test/not-cached")
    with pytest.raises(ValueError, match="template"):
        make_backend("transformers", model=str(tmp_path), template="chatml")
