"""serving: interface helpers, make_backend, prompt formats, recorded backend, vLLM launcher (no model)."""

import json
import subprocess
import sys

import pytest

from serving import Backend, BackendError, GenerationParams, make_backend, prompt_formats, vllm
from serving.base import StopScanner, apply_stop, check_messages, stage_of
from serving.recorded import RecordedBackend, Recorder


def user(text):
    return [{"role": "user", "content": text}]


# -- base -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(temperature=-1), "temperature"),
        (dict(max_tokens=0), "max_tokens"),
        (dict(n=0), "n must"),
        (dict(top_p=0), "top_p"),
        (dict(stop=[""]), "stop"),
    ],
)
def test_params_reject_bad_values(kwargs, word):
    with pytest.raises(ValueError, match=word):
        GenerationParams(**kwargs)


def test_params_accept_single_stop_string():
    assert GenerationParams(stop="```").stop == ["```"]
    assert GenerationParams(stop=[]).stop is None


def test_apply_stop_cuts_at_earliest_stop():
    assert apply_stop("abc STOP def ### x", ["###", "STOP"]) == "abc "
    assert apply_stop("abc", ["zz"]) == "abc"
    assert apply_stop("abc", None) == "abc"


@pytest.mark.parametrize("chunks", [list("one two```\nthree"), ["one two``", "`\nthr", "ee"], ["one two```\nthree"]])
def test_stop_scanner_matches_apply_stop_for_any_chunking(chunks):
    scanner = StopScanner(["```\n", "STOP"])
    out = "".join(scanner.feed(c) for c in chunks) + scanner.flush()
    assert out == "one two" and scanner.done


def test_stop_scanner_releases_held_prefix_at_end():
    scanner = StopScanner(["STOP"])
    assert scanner.feed("abcST") == "ab"  # "cST" might begin "STOP"
    assert scanner.flush() == "cST" and not scanner.done


def test_stage_of_reads_last_user_message():
    messages = [
        {"role": "user", "content": "[stage: proposal]\nold"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "[stage: api_review]\nthe API"},
    ]
    assert stage_of(messages) == "api_review"
    assert stage_of(user("no marker")) is None


def test_check_messages_rejects_bad_roles():
    with pytest.raises(ValueError, match="message 0"):
        check_messages([{"role": "robot", "content": "x"}])
    with pytest.raises(ValueError, match="non-empty"):
        check_messages([])


def test_make_backend_unknown_kind_lists_available():
    with pytest.raises(ValueError, match=r"Available: \['offline', 'openai', 'recorded', 'transformers'\]"):
        make_backend("gpt5")


def test_make_backend_offline_is_a_backend():
    backend = make_backend("offline")
    assert isinstance(backend, Backend) and backend.name == "offline"


def test_make_backend_rejects_options_the_backend_does_not_take(tmp_path):
    expected = r"backend 'recorded' takes no option\(s\) \['adapter'\]. Available: \['model', 'path'\]"
    with pytest.raises(ValueError, match=expected):
        make_backend("recorded", path=tmp_path, adapter="x")


def test_openai_backend_needs_model_and_key(monkeypatch):
    for var in ("GENSIM_MODEL", "GENSIM_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(BackendError, match="GENSIM_MODEL"):
        make_backend("openai")
    with pytest.raises(BackendError, match="OPENAI_API_KEY"):
        make_backend("openai", model="gpt-4")
    monkeypatch.setenv("GENSIM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("GENSIM_MODEL", "local")
    backend = make_backend("openai")  # a local server needs no key
    assert (backend.model, backend.base_url) == ("local", "http://127.0.0.1:9/v1")
    with pytest.raises(ValueError, match="prompt_format"):
        make_backend("openai", prompt_format="xml")


def test_default_streaming_yields_the_chat_answer():
    class Echo(Backend):
        def chat(self, messages, params=None):
            return [messages[-1]["content"]] * (params or GenerationParams()).n

        def complete(self, prompt, params=None):
            return [prompt]

    assert list(Echo().stream_chat(user("hi"))) == ["hi"]
    with pytest.raises(ValueError, match="n=2"):
        list(Echo().stream_chat(user("hi"), GenerationParams(n=2)))


# -- prompts --------------------------------------------------------------------------------------
def test_llama2_prompt_matches_gensim_inference_format():
    instruction = prompt_formats.codeonly_instruction("build-car")
    assert instruction == (
        "Write the pybullet simulation task class [build-car]. Provide answers in a "
        "python code block starting with ```python"
    )
    assert prompt_formats.llama2_prompt(user(instruction)) == f"[INST] <<SYS>>\n\n<</SYS>>\n\n{instruction} [/INST]"
    chat = [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
    ]
    assert prompt_formats.llama2_prompt(chat) == "[INST] <<SYS>>\nS\n<</SYS>>\n\na [/INST] b </s><s>[INST] c [/INST]"
    with pytest.raises(ValueError):
        prompt_formats.llama2_prompt(chat[:3])


def test_plain_prompt():
    assert prompt_formats.plain_prompt(user("just this")) == "just this"
    chat = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]
    assert prompt_formats.plain_prompt(chat) == "User: a\n\nAssistant: b\n\nUser: c\n\nAssistant:"
    with pytest.raises(ValueError, match="Available"):
        prompt_formats.render(chat, "chatml")


# -- recorded -------------------------------------------------------------------------------------
@pytest.fixture
def answers_dir(tmp_path):
    (tmp_path / "01-proposal.txt").write_text("first proposal\nsecond line\n")
    (tmp_path / "03-proposal.txt").write_text("second proposal")
    (tmp_path / "02-implementation.txt").write_text("```python\ncode\n```\nafter")
    (tmp_path / "09-any.txt").write_text("fallback")
    (tmp_path / "notes.md").write_text("ignored: not a .txt")
    return tmp_path


def test_recorded_replays_by_stage_in_order(answers_dir):
    backend = make_backend("recorded", path=answers_dir)
    assert backend.remaining() == {"proposal": 2, "implementation": 1, "any": 1}
    assert backend.chat(user("[stage: proposal]\nidea")) == ["first proposal\nsecond line\n"]
    assert list(backend.stream_chat(user("[stage: proposal]\nidea"))) == ["second proposal"]
    code = backend.chat(user("[stage: implementation]\n"), GenerationParams(stop=["```\n"]))
    assert code == ["```python\ncode\n"]
    # The stage has nothing left: the `any` answer is used, then the error names the stage.
    assert backend.chat(user("[stage: proposal]\nagain"), GenerationParams(n=2)) == ["fallback", "fallback"]
    with pytest.raises(BackendError, match="'proposal' ran out after 2"):
        backend.chat(user("[stage: proposal]\nagain"))


def test_recorded_streams_line_by_line(answers_dir):
    deltas = list(make_backend("recorded", path=answers_dir).stream_chat(user("[stage: proposal]")))
    assert deltas == ["first proposal\n", "second line\n"]


def test_recorded_rejects_bad_files(tmp_path):
    (tmp_path / "proposal.txt").write_text("x")
    with pytest.raises(BackendError, match="NN-<stage>.txt"):
        RecordedBackend(tmp_path)
    with pytest.raises(BackendError, match="no recorded answers"):
        RecordedBackend(tmp_path / "missing")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"stage": "proposal"}\n')
    with pytest.raises(BackendError, match="bad.jsonl:1"):
        RecordedBackend(bad)


def test_recorder_output_replays(answers_dir, tmp_path):
    log = tmp_path / "run.jsonl"
    recorder = Recorder(RecordedBackend(answers_dir), log)
    first = recorder.chat(user("[stage: proposal]\nidea"))
    streamed = "".join(recorder.stream_chat(user("[stage: implementation]\nx")))
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["stage"] for r in records] == ["proposal", "implementation"]
    assert records[0]["messages"][0]["content"] == "[stage: proposal]\nidea"
    replay = RecordedBackend(log)
    assert replay.chat(user("[stage: implementation]")) == [streamed]
    assert replay.chat(user("[stage: proposal]")) == first


# -- vLLM launcher --------------------------------------------------------------------------------
def test_vllm_command_with_adapters(tmp_path):
    adapter = tmp_path / "lora"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 32}))
    cmd = vllm.build_command(
        "codellama/CodeLlama-7b-Instruct-hf",
        [("gensim", str(adapter)), ("b", "org/lora")],
        port=8011,
        extra=["--dtype", "bfloat16"],
    )
    assert cmd == [
        "vllm",
        "serve",
        "codellama/CodeLlama-7b-Instruct-hf",
        "--host",
        "127.0.0.1",
        "--port",
        "8011",
        "--enable-lora",
        "--lora-modules",
        f"gensim={adapter}",
        "b=org/lora",
        "--max-lora-rank",
        "32",
        "--dtype",
        "bfloat16",
    ]
    assert "--enable-lora" not in vllm.build_command("m")
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 24}))
    assert vllm.build_command("m", [("g", str(adapter))])[-1] == "32"  # rounded up to a rank vLLM accepts
    with pytest.raises(ValueError, match="below the adapters' rank 24"):
        vllm.build_command("m", [("g", str(adapter))], max_lora_rank=8)


@pytest.mark.parametrize("spec", ["noequals", "=path", "na me=x", "g=./does/not/exist"])
def test_vllm_rejects_bad_adapter(spec):
    with pytest.raises(ValueError):
        vllm.parse_adapter(spec)


def test_vllm_dry_run_masks_key(capsys):
    assert (
        vllm.main(
            [
                "--model",
                "m",
                "--adapter",
                "g=org/lora",
                "--port",
                "8123",
                "--dry-run",
                "--",
                "--api-key",
                "sk-launcher-secret",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "vllm serve m --host 127.0.0.1 --port 8123 --enable-lora --lora-modules g=org/lora" in out
    assert "GENSIM_BASE_URL=http://127.0.0.1:8123/v1\nGENSIM_MODEL=g" in out
    assert "sk-launcher-secret" not in out and "--api-key '***'" in out


@pytest.mark.skipif(vllm.vllm_executable() is not None, reason="vLLM is installed here")
def test_vllm_missing_gives_clear_message():
    result = subprocess.run(
        [sys.executable, "-m", "serving.vllm", "--model", "m"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "vLLM is not installed" in result.stderr and "requirements-gpu.txt" in result.stderr
