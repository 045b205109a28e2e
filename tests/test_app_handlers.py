"""The Generate handler's panels on a recorded conversation run in the real sandbox.

tests/data/recorded/repair: the first implementation fails at reset (NameError), the repair passes.
"""
import threading
from pathlib import Path

from demo import handlers, render
from generation.pipeline import GenerateOptions
from serving.recorded import RecordedBackend

DATA = Path(__file__).resolve().parent / "data" / "recorded"


def test_failed_attempt_shows_error_line_and_repair():
    screen = handlers.Screen(handlers.GENERATE_OUTPUTS)
    tracker = render.StageTracker(render.GENERATE_STAGES)
    updates = list(handlers.stream_generation(
        screen, tracker, "put the blue block in the yellow bowl", RecordedBackend(DATA / "repair"),
        GenerateOptions(episodes=1, seed=3, repair_attempts=1), threading.Event()))
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
