"""The Generate handler's panels on a recorded conversation run in the real sandbox.

tests/data/recorded/repair: the first implementation fails at reset (NameError), the repair passes.
"""

import threading
from pathlib import Path

from demo import handlers, render
from generation.pipeline import GenerateOptions
from serving.recorded import RecordedBackend
from sim.settings import RunSettings

DATA = Path(__file__).resolve().parent / "data" / "recorded"


def test_failed_attempt_shows_error_line_and_repair():
    screen = handlers.Screen(handlers.GENERATE_OUTPUTS)
    tracker = render.StageTracker(render.GENERATE_STAGES)
    updates = list(
        handlers.stream_generation(
            screen,
            tracker,
            "put the blue block in the yellow bowl",
            RecordedBackend(DATA / "repair"),
            GenerateOptions(repair_attempts=1, run=RunSettings(episodes=1, seed=3)),
            threading.Event(),
        )
    )
    assert len(updates) > 5  # streamed, not one final answer
    final = dict(zip(handlers.GENERATE_OUTPUTS, updates[-1]))
    assert final["verdict_json"]["success"] is True and "SUCCESS" in final["verdict"]
    assert "repair 1" in final["stages"] and final["stages"].count("gs-pass") == 7
    attempts = final["attempts"]
    assert "first try: failed at reset" in attempts and "repair 1: passed" in attempts
    assert "NameError" in attempts and 'class="gs-hl"' in attempts and "COLORS" in attempts
    assert Path(final["video"]).stat().st_size > 1000
    assert final["result"]["accepted"] is True and final["result"]["code"] == final["code"]
    assert "api_key" not in repr(final["result"])


def test_model_answering_prose_gets_a_clear_message():
    screen = handlers.Screen(handlers.GENERATE_OUTPUTS)
    tracker = render.StageTracker(render.GENERATE_STAGES)
    *_, last = handlers.stream_generation(
        screen,
        tracker,
        "put the blue block in the yellow bowl",
        RecordedBackend(DATA / "garbage"),
        GenerateOptions(repair_attempts=0, run=RunSettings(episodes=1)),
        threading.Event(),
    )
    final = dict(zip(handlers.GENERATE_OUTPUTS, last))
    assert "FAILED at syntax" in final["verdict"]
    assert "no python code block" in final["verdict"] and "I am sorry" in final["verdict"]
    assert "gs-fail" in final["stages"] and final["result"]["accepted"] is False
    assert final["video"] is None


def test_local_model_too_small_for_the_prompt_gets_a_message_and_stays_loaded(tmp_path):
    from tests.tinymodel import build_tiny_model

    path = str(build_tiny_model(tmp_path / "tiny"))
    *_, last = handlers.generate(
        "put the red block in the green bowl", "transformers", "", "", "", path, "", 0.0, 0, 1, 0, "320x240"
    )
    final = dict(zip(handlers.GENERATE_OUTPUTS, last))
    assert "gs-msg-error" in final["verdict"] and "model backend failed" in final["verdict"]
    assert "✕ propose" in final["stages"]
    loaded = handlers.LOCAL_MODELS.get({"model": path})
    assert handlers.LOCAL_MODELS.get({"model": path}) is loaded  # no reload for the next visitor


def test_stop_button_ends_the_run_with_a_stopped_message():
    import time

    stopped_at, last = None, None
    for last in handlers.generate(
        "put the red block in the green bowl", "offline", "", "", "", "", "", 0.0, 0, 10, 0, "320x240"
    ):
        stages = last[handlers.GENERATE_OUTPUTS.index("stages")]
        if stopped_at is None and isinstance(stages, str) and 'gs-run">◐ oracle' in stages:
            handlers.stop_generate(None)  # what the Stop button calls (request None: session "api")
            stopped_at = time.monotonic()
    assert stopped_at is not None, "the oracle never started"
    assert time.monotonic() - stopped_at < 15
    final = dict(zip(handlers.GENERATE_OUTPUTS, last))
    assert handlers.STOPPED in final["verdict"] and final["result"]["accepted"] is False


def test_a_sessions_components_stay_the_pages_over_runs():
    """Gradio answers a `gr.skip()` output with a new component (a new id) in the session's config,
    and the next value sent to that output files this component under its own id too, so each
    skip-then-value of the live frame kept one more component for the session's life: the soak's
    RSS growth (demo/README.md "Load and faults"). Three Generate runs, their updates postprocessed
    on one session as the server does, leave the session with the page's components only."""
    import asyncio

    from gradio.state_holder import SessionState

    from demo.layout import build_demo

    demo = build_demo(1)
    fn = next(f for f in demo.fns.values() if f.api_name == "generate")
    state = SessionState(demo)
    frame = handlers.GENERATE_OUTPUTS.index("frame")

    async def serve(idea: str) -> int:
        """Postprocess one run's updates; returns how often the live frame changed."""
        changes, shown = 0, None
        for update in handlers.generate(idea, "offline", "", "", "", "", "", 0.0, 0, 1, 0, "320x240"):
            await demo.postprocess_data(fn, list(update), state)
            changes += update[frame] is not shown
            shown = update[frame]
        return changes

    for colour in ["green", "yellow", "blue"]:
        assert asyncio.run(serve(f"put the red block in the {colour} bowl")) >= 1  # a live frame was shown
        assert [k for k in state.blocks_config.blocks if k not in demo.blocks] == []
        assert [k for k in state.config_values if k not in demo.blocks] == []


def test_refused_saves_and_stops_add_no_components_to_the_session(tmp_path, monkeypatch):
    """A refused Save used to send `gr.skip()` for the library table and task list; the next save's
    values then filed one more component in the session each time. A Stop with nothing running
    still sends `gr.skip()` to the verdict panel: measured not to add any."""
    import asyncio

    from gradio.state_holder import SessionState

    from demo import library
    from demo.layout import build_demo
    from generation.library import Library
    from sim.tasks import task_path

    demo = build_demo(1)
    save = next(f for f in demo.fns.values() if f.api_name == "save_to_library")
    stop = next(f for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "stop_generate")
    generate = next(f for f in demo.fns.values() if f.api_name == "generate")
    state = SessionState(demo)
    code = task_path("put-block-in-bowl").read_text()
    monkeypatch.setattr(library, "Library", lambda root=None: Library(tmp_path))  # sim/tasks untouched

    async def serve():
        for i in range(3):
            await demo.postprocess_data(save, list(handlers.save_to_library(None, "x", "")), state)
            saved = library.save({"code": code, "accepted": True}, f"bowl-{i}", tmp_path)
            assert "Saved as" in saved[0]
            await demo.postprocess_data(save, list(saved), state)
            await demo.postprocess_data(stop, [handlers.stop_generate(None)], state)
            for update in handlers.generate(
                "put the red block in the green bowl", "offline", *[""] * 5, 0.0, 0, 1, 0, "320x240"
            ):
                await demo.postprocess_data(generate, list(update), state)

    asyncio.run(serve())
    assert [k for k in state.blocks_config.blocks if k not in demo.blocks] == []
