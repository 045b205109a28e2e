"""In-process backend: a Hugging Face causal LM (local folder or Hub id), optionally with a LoRA adapter.

    backend = make_backend("transformers", model="path/or/hub-id", adapter="finetuned/lora-run1")
    for delta in backend.stream_chat([{"role": "user", "content": "..."}]):
        print(delta, end="")

Runs on CPU or GPU. Hub ids are fetched with `huggingface_hub.snapshot_download`, which honours
`HF_HUB_OFFLINE=1` (then only the local cache is used). Chats go through the tokenizer's chat template,
or `template="plain"|"llama2"` (serving.prompt_formats) when the model has none or was trained on one of those.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

# The torch stack (requirements-ml.txt) at the top: serving.base.make_backend imports this module only
# when the transformers backend is chosen, and reports a missing package as a BackendError.
import torch
from huggingface_hub import constants, snapshot_download
from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
from peft import PeftModel
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    StoppingCriteria,
    StoppingCriteriaList,
    TextIteratorStreamer,
)

from serving import prompt_formats
from serving.base import (
    Backend,
    BackendError,
    GenerationParams,
    StopScanner,
    apply_stop,
    check_messages,
    resolve_params,
)


def resolve_model_path(model: str, revision: str | None = None, what: str = "model") -> Path:
    """A local folder for `model`: the folder itself, or the Hub snapshot (downloaded if needed).

    `what` ("model" or "adapter") names it in error messages.

    Raises BackendError when the id is not cached and HF_HUB_OFFLINE is set, or the download fails.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    if model.startswith(("/", ".", "~")):
        raise BackendError(f"cannot find {what} folder {model!r}")
    try:
        return Path(snapshot_download(model, revision=revision))
    except LocalEntryNotFoundError as exc:
        if constants.HF_HUB_OFFLINE:
            raise BackendError(
                f"{what} {model!r} is not a folder and not in the Hugging Face cache, and "
                "HF_HUB_OFFLINE is set: download it first or unset HF_HUB_OFFLINE"
            ) from None
        raise BackendError(f"cannot download {what} {model!r}: {exc}") from None
    except (HfHubHTTPError, OSError, ValueError) as exc:
        raise BackendError(f"cannot find {what} {model!r} (not a folder; Hub: {exc})") from None


class TransformersBackend(Backend):
    """Generation with `transformers` in this process.

    Args:
        model: local folder or Hub id (required).
        adapter: optional PEFT LoRA adapter folder (or Hub id) applied on top of the model.
        device: "auto" (CUDA when available, else CPU), "cpu", "cuda", "cuda:1", ...
        dtype: "auto" (bfloat16 on CUDA, float32 on CPU) or a torch dtype name such as "float16".
        template: None = the tokenizer's chat template (plain format when it has none); "plain" or
            "llama2" to force one of serving.prompt_formats' formats.
        revision: Hub revision for a Hub id.
    Calls are serialised by a lock: one model, one generation at a time.
    Raises BackendError when the model or adapter cannot be loaded, ValueError for bad options.
    """

    name = "transformers"

    def __init__(
        self,
        model: str,
        adapter: str | None = None,
        device: str = "auto",
        dtype: str = "auto",
        template: str | None = None,
        revision: str | None = None,
    ):
        if template is not None and template not in prompt_formats.TEMPLATES:
            raise ValueError(f"Unknown template {template!r}. Available: {[None, *prompt_formats.TEMPLATES]}")
        self.model = model
        self.adapter = adapter
        self.template = template
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
        if dtype == "auto":
            torch_dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        elif isinstance(getattr(torch, dtype, None), torch.dtype):
            torch_dtype = getattr(torch, dtype)
        else:
            raise ValueError(f"dtype must be 'auto' or a torch dtype name like 'float16', got {dtype!r}")
        path = resolve_model_path(model, revision)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(path)
            self._lm = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype)
        except (OSError, ValueError) as exc:
            raise BackendError(f"cannot load model {model!r}: {exc}") from None
        if adapter:
            try:
                self._lm = PeftModel.from_pretrained(self._lm, str(resolve_model_path(adapter, what="adapter")))
            except (OSError, ValueError) as exc:
                raise BackendError(f"cannot load adapter {adapter!r}: {exc}") from None
        self._lm.to(self.device).eval()
        if self._tokenizer.pad_token_id is None:
            self._tokenizer.pad_token = self._tokenizer.eos_token
        self._lock = threading.Lock()

    def __repr__(self):
        return f"TransformersBackend(model={self.model!r}, adapter={self.adapter!r}, device={self.device!r})"

    def close(self) -> None:
        self._lm = None

    # -- public interface ------------------------------------------------------------------------
    def chat(self, messages: list[dict], params: GenerationParams | None = None) -> list[str]:
        return self._generate(self._encode_chat(check_messages(messages)), resolve_params(params))

    def stream_chat(self, messages: list[dict], params: GenerationParams | None = None) -> Iterator[str]:
        params = resolve_params(params, streaming=True)
        return self._stream(self._encode_chat(check_messages(messages)), params)

    def complete(self, prompt: str, params: GenerationParams | None = None) -> list[str]:
        return self._generate(self._encode_text(prompt), resolve_params(params))

    def stream_complete(self, prompt: str, params: GenerationParams | None = None) -> Iterator[str]:
        return self._stream(self._encode_text(prompt), resolve_params(params, streaming=True))

    # -- internals -------------------------------------------------------------------------------
    def _encode_text(self, text: str) -> dict:
        if not isinstance(text, str) or not text:
            raise ValueError("prompt must be a non-empty string")
        return dict(self._tokenizer(text, return_tensors="pt").to(self.device))

    def _encode_chat(self, messages: list[dict]) -> dict:
        if self.template is None and self._tokenizer.chat_template:
            enc = self._tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
            return dict(enc.to(self.device))
        return self._encode_text(prompt_formats.render(messages, self.template or "plain"))

    def _generate_kwargs(self, inputs: dict, params: GenerationParams, n: int) -> dict:
        sample = params.temperature > 0
        # Generating past the position table degrades or crashes models: clip to the context window.
        context = getattr(self._lm.config, "max_position_embeddings", None)
        prompt_tokens = inputs["input_ids"].shape[1]
        max_new = params.max_tokens if context is None else min(params.max_tokens, context - prompt_tokens)
        if max_new < 1:
            raise BackendError(f"the prompt has {prompt_tokens} tokens; model {self.model!r} takes {context}")
        kwargs = dict(
            inputs,
            max_new_tokens=max_new,
            do_sample=sample,
            num_return_sequences=n,
            pad_token_id=self._tokenizer.pad_token_id,
        )
        if sample:
            kwargs.update(temperature=params.temperature, top_p=params.top_p)
        else:  # the model's generation_config may carry sampling values that greedy would warn about
            kwargs.update(temperature=None, top_p=None, top_k=None)
        if params.stop:  # stops generation early; the text is still cut by apply_stop
            kwargs.update(stop_strings=params.stop, tokenizer=self._tokenizer)
        return kwargs

    def _check_loaded(self):
        if self._lm is None:
            raise BackendError("the backend was closed")

    def _generate(self, inputs: dict, params: GenerationParams) -> list[str]:
        self._check_loaded()
        # Greedy decoding gives the same answer every time: decode once, repeat it n times.
        n = params.n if params.temperature > 0 else 1
        kwargs = self._generate_kwargs(inputs, params, n)
        try:
            with self._lock, torch.inference_mode():
                out = self._lm.generate(**kwargs)
        except (RuntimeError, ValueError) as exc:
            raise BackendError(f"generation failed with model {self.model!r}: {exc}") from None
        start = inputs["input_ids"].shape[1]
        texts = self._tokenizer.batch_decode(out[:, start:], skip_special_tokens=True)
        texts = [apply_stop(t, params.stop) for t in texts]
        return texts * params.n if n == 1 else texts

    def _stream(self, inputs: dict, params: GenerationParams) -> Iterator[str]:
        self._check_loaded()
        cancel = threading.Event()

        class _Cancelled(StoppingCriteria):  # ends generation when the consumer stops reading
            def __call__(self, input_ids, scores, **kwargs):
                return cancel.is_set()

        streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True, skip_special_tokens=True)
        kwargs = self._generate_kwargs(inputs, params, 1)
        kwargs.update(streamer=streamer, stopping_criteria=StoppingCriteriaList([_Cancelled()]))
        failure: list[BaseException] = []

        def run():
            try:
                with self._lock, torch.inference_mode():
                    self._lm.generate(**kwargs)
            except BaseException as exc:  # reported to the consumer below, not lost in the thread
                failure.append(exc)
                streamer.end()

        thread = threading.Thread(target=run, name="transformers-generate", daemon=True)
        scanner = StopScanner(params.stop)
        thread.start()
        try:
            for delta in streamer:
                out = scanner.feed(delta)
                if out:
                    yield out
                if scanner.done:
                    break
            if failure:
                raise BackendError(f"generation failed with model {self.model!r}: {failure[0]}")
            tail = scanner.flush()
            if tail:
                yield tail
        finally:
            cancel.set()
            thread.join()
