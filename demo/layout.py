"""Layout of the GenSim Studio app: `build_demo()` returns the Gradio Blocks, wired to demo/ handlers.

Two tabs: Generate (idea -> streamed stages, code, live frames, video, verdict; Save to library) and
Library (browse, view code, run any task with the oracle). Named API endpoints: `/generate`,
`/run_task`, `/save_to_library`, `/library`.
"""

from __future__ import annotations

import os
from pathlib import Path

import gradio as gr

from demo import handlers, library, render
from demo.deployment import Deployment
from demo.learned import LearnedPolicy
from sim.settings import DEFAULT_EPISODES, MAX_EPISODES, VIDEO_SIZE_CHOICES

CSS_PATH = Path(__file__).with_name("style.css")
QUEUE_PER_SLOT = 16
EXAMPLES = [
    "put the red block in the green bowl",
    "stack three blocks into a tower",
    "put all the blue blocks in the brown box",
    "build a pyramid out of six blocks",
    "place the yellow block on the pallet",
]


def _settings():
    """Advanced settings accordion; returns (temperature, repair, episodes, seed, video size)."""
    with gr.Accordion("Advanced settings", open=False):
        temperature = gr.Slider(
            0.0,
            1.5,
            value=0.0,
            step=0.05,
            label="Temperature",
            info="Sampling temperature of LLM backends (0 = greedy).",
        )
        repair = gr.Slider(
            0, 5, value=2, step=1, label="Repair attempts", info="How often a failing task is sent back with its error."
        )
        episodes = gr.Slider(
            1,
            MAX_EPISODES,
            value=DEFAULT_EPISODES,
            step=1,
            label="Episodes",
            info="Oracle episodes (different seeds) that judge the task.",
        )
        seed = gr.Number(0, precision=0, minimum=0, label="Seed")
        size = gr.Dropdown(VIDEO_SIZE_CHOICES, value=VIDEO_SIZE_CHOICES[0], label="Video size (pixels)")
    return temperature, repair, episodes, seed, size


def _backend_panel(deployment: Deployment):
    """Backend choice with the fields of the chosen one, as the deployment allows; returns the inputs.

    Public mode: base URL and model are read-only unless visitors may bring their own endpoint, and
    local models are a list of the operator's, never a free text field.
    """
    chosen = deployment.default_backend
    backend = gr.Radio(deployment.backend_choices, value=chosen, label="Backend")
    locked = deployment.endpoint_locked
    with gr.Group(visible=chosen == "openai") as openai_box:
        base_url = gr.Textbox(deployment.base_url, label="Base URL", interactive=not locked)
        model = gr.Textbox(deployment.model, label="Model", placeholder="e.g. gpt-4o-mini", interactive=not locked)
        key_hint = (
            "leave blank to use the server's key (only sent to the server's own base URL)"
            if deployment.has_server_key
            else "sent with this request only; never stored or logged"
        )
        api_key = gr.Textbox("", label="API key", type="password", placeholder=key_hint, visible=not locked)
    with gr.Group(visible=chosen == "transformers") as local_box:
        if deployment.public:  # the handler serves only listed models, whatever is sent
            labels = [m.label for m in deployment.local_models]
            local_model = gr.Dropdown(labels, value=labels[0] if labels else "", label="Model", allow_custom_value=True)
            adapter = gr.Textbox("", visible=False)
        else:
            local_model = gr.Textbox(
                "",
                label="Model folder or Hub id",
                placeholder="e.g. finetuned/merged or Qwen/Qwen2.5-Coder-0.5B-Instruct",
            )
            adapter = gr.Textbox("", label="LoRA adapter (optional)", placeholder="folder of a PEFT adapter")
    backend.change(
        lambda kind: (gr.update(visible=kind == "openai"), gr.update(visible=kind == "transformers")),
        backend,
        [openai_box, local_box],
        api_visibility="private",
        queue=False,
    )
    return backend, base_url, model, api_key, local_model, adapter


def _generate_tab(concurrency: int, deployment: Deployment):
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            idea = gr.Textbox(
                label="Task idea",
                lines=2,
                max_lines=6,
                elem_id="gs-idea",
                placeholder="Describe a tabletop task, e.g. put the red block in the green bowl",
            )
            gr.Examples(EXAMPLES, inputs=idea, label="Try one")
            with gr.Row():
                go = gr.Button("Generate", variant="primary", elem_id="gs-generate")
                stop = gr.Button("Stop", variant="stop", elem_id="gs-stop")
        with gr.Column(scale=3):
            backend_inputs = _backend_panel(deployment)
            settings = _settings()
    stages = gr.HTML(
        render.StageTracker(render.GENERATE_STAGES).html(), elem_id="gs-stages", label="Stages", show_label=False
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            code = gr.Code(language="python", label="Task code", lines=22, max_lines=40, interactive=False)
            with gr.Accordion("Understood spec (offline generator)", open=False):
                spec = gr.JSON(label="Spec")
        with gr.Column(scale=4):
            frame = gr.Image(
                label="Live view (oracle acting)", type="pil", format="jpeg", interactive=False, height=240
            )
            video = gr.Video(
                label="Episode video", interactive=False, autoplay=True, loop=True, elem_id="gs-video", height=260
            )
            verdict = gr.HTML(
                render.message_html("Type an idea and press Generate."),
                elem_id="gs-verdict",
                label="Verdict panel",
                show_label=False,
            )
            with gr.Row(visible=deployment.saving != "off"):
                save_name = gr.Textbox(label="Library name (optional)", placeholder="put-block-in-bowl", scale=3)
                save_token = gr.Textbox(
                    "", label="Operator token", type="password", scale=2, visible=deployment.saving == "token"
                )
                save_btn = gr.Button("Save to library", scale=1)
            save_msg = gr.HTML(
                ""
                if deployment.saving != "off"
                else render.message_html("Saving to the shared library is off on this public deployment."),
                label="Save message",
                show_label=False,
            )
    with gr.Accordion("Attempts and repairs", open=False):
        attempts = gr.HTML("", label="Attempts", show_label=False)
    with gr.Accordion("Sandbox log", open=False):
        log_box = gr.Textbox(lines=8, max_lines=20, label="Sandbox log", show_label=False, interactive=False)
    with gr.Accordion("Verdict JSON", open=False):
        verdict_json = gr.JSON(label="Verdict")
    result = gr.State(None)

    outputs = {
        "stages": stages,
        "code": code,
        "spec": spec,
        "frame": frame,
        "video": video,
        "verdict": verdict,
        "verdict_json": verdict_json,
        "attempts": attempts,
        "log": log_box,
        "result": result,
    }
    inputs = [idea, *backend_inputs, *settings]
    gr.on(
        [go.click, idea.submit],
        handlers.generate,
        inputs,
        [outputs[name] for name in handlers.GENERATE_OUTPUTS],
        api_name="generate",
        concurrency_limit=concurrency,
        concurrency_id="sim",
        show_progress="minimal",
    )
    # No `cancels=[run]`: Gradio would flag every output "Error". Setting the Event kills the
    # sandbox at once and the run ends itself showing "Stopped."; API clients' job.cancel()
    # closes the handler, which sets the Event too.
    stop.click(handlers.stop_generate, None, verdict, queue=False, api_visibility="private")
    return result, save_name, save_token, save_btn, save_msg


def _library_tab(concurrency: int, policy_label: str | None):
    """The Library tab; `policy_label` names the learned policy it can run (None: oracle only)."""
    source = gr.Dropdown(
        library.source_choices(), value=library.ALL_SOURCES, label="Source", elem_id="gs-library-source"
    )
    table = gr.Dataframe(
        headers=library.COLUMNS,
        datatype=["str"] * 4,
        interactive=False,
        wrap=True,
        max_height=320,
        label="Task library",
        column_widths=["18%", "58%", "10%", "14%"],
    )
    with gr.Row():
        names = library.task_names()
        # Custom values allowed: tasks saved after start-up, and unknown names get a clear message.
        name = gr.Dropdown(names, value=names[0] if names else None, label="Task", scale=3, allow_custom_value=True)
        episodes = gr.Slider(1, MAX_EPISODES, value=DEFAULT_EPISODES, step=1, label="Episodes", scale=2)
        seed = gr.Number(0, precision=0, minimum=0, label="Seed", scale=1)
        size = gr.Dropdown(VIDEO_SIZE_CHOICES, value=VIDEO_SIZE_CHOICES[0], label="Video size", scale=1)
    with gr.Row():
        go = gr.Button("Run with the oracle", variant="primary")
        learned = gr.Button(f"Run the {policy_label}", variant="secondary", visible=bool(policy_label))
        stop = gr.Button("Stop", variant="stop")
    stages = gr.HTML(render.StageTracker(render.RUN_STAGES).html(), label="Stages", show_label=False)
    with gr.Row(equal_height=False):
        code = gr.Code(
            library.show_code(names[0] if names else None),
            language="python",
            label="Task code",
            lines=22,
            max_lines=40,
            interactive=False,
        )
        with gr.Column():
            frame = gr.Image(label="Live view", type="pil", format="jpeg", interactive=False, height=240)
            video = gr.Video(label="Episode video", interactive=False, autoplay=True, loop=True, height=260)
            verdict = gr.HTML("", label="Verdict panel", show_label=False)
            with gr.Accordion("Verdict JSON", open=False):
                verdict_json = gr.JSON(label="Verdict")
    outputs = {
        "stages": stages,
        "code": code,
        "frame": frame,
        "video": video,
        "verdict": verdict,
        "verdict_json": verdict_json,
    }
    name.change(library.show_code, name, code, api_visibility="private", queue=False)
    source.change(library.library_rows, source, table, api_visibility="private", queue=False)
    source.focus(library.source_update, None, source, api_visibility="private", queue=False)
    runs = [(go, handlers.run_task, "run_task")]
    if policy_label:
        runs.append((learned, handlers.run_policy, "run_policy"))
    for button, handler, api_name in runs:  # the oracle and the learned policy: same inputs and panels
        button.click(
            handler,
            [name, episodes, seed, size],
            [outputs[n] for n in handlers.RUN_OUTPUTS],
            api_name=api_name,
            concurrency_limit=concurrency,
            concurrency_id="sim",
            show_progress="minimal",
        )
    # No `cancels=[run]`: Gradio would flag every output "Error". Setting the Event kills the
    # sandbox at once and the run ends itself showing "Stopped."; API clients' job.cancel()
    # closes the handler, which sets the Event too.
    stop.click(handlers.stop_run, None, verdict, queue=False, api_visibility="private")
    return table, name


def build_demo(concurrency: int | None = None, deployment: Deployment | None = None) -> gr.Blocks:
    """The app. `concurrency`: simulator runs at once (default: number of CPUs); more queue.
    `deployment`: the operator's policy (default: `Deployment.from_env()`); the handlers use it too.
    Raises ValueError for a bad deployment setting in the environment."""
    concurrency = concurrency or os.cpu_count() or 1
    deployment = deployment or Deployment.from_env()
    handlers.DEPLOYMENT = deployment
    handlers.POLICY = LearnedPolicy(deployment.policy)
    with gr.Blocks(title="GenSim Studio", delete_cache=(3600, 3600)) as demo:
        gr.Markdown(
            "# GenSim Studio\nType a tabletop robot task. A model writes it in the CLIPort task API, "
            "a sandbox runs it with a scripted suction-gripper oracle, and you get the code, a video "
            "and a stage-by-stage verdict.",
            elem_id="gs-header",
        )
        if deployment.notice:
            gr.HTML(render.message_html(deployment.notice, "info"), elem_id="gs-notice")
        with gr.Tabs():
            with gr.Tab("Generate"):
                result, save_name, save_token, save_btn, save_msg = _generate_tab(concurrency, deployment)
            with gr.Tab("Library"):
                table, name = _library_tab(concurrency, handlers.POLICY.label if handlers.POLICY.configured else None)
        save_btn.click(
            handlers.save_to_library,
            [result, save_name, save_token],
            [save_msg, table, name],
            api_name="save_to_library",
        )
        demo.load(library.refresh, None, [table, name], api_name="library")
    # A bounded queue: past QUEUE_PER_SLOT waiting runs per slot, visitors are told it is full.
    demo.queue(default_concurrency_limit=concurrency, max_size=QUEUE_PER_SLOT * concurrency)
    return demo


def launch_kwargs() -> dict:
    """Theme, CSS and options for `Blocks.launch` (Gradio 6 takes theme and CSS there).

    run_history=False: Gradio's run history would save every call's inputs, the API key field
    included, in the browser (or a bucket); the key must live only in its request.
    """
    return {
        "theme": gr.themes.Soft(primary_hue="emerald"),
        "css_paths": [CSS_PATH],
        "run_history": False,
        "footer_links": ["api", "gradio", "settings"],
    }
