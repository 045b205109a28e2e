"""One idea check and one set of run settings for the app, the CLIs and the pipeline."""

import pytest

from generation.idea import MAX_IDEA_CHARS, IdeaError, clean_idea
from sim.sandbox import Limits
from sim.settings import DEFAULT_EPISODES, MAX_EPISODES, RunSettings, parse_video_size


def test_clean_idea_folds_spaces_and_keeps_lines():
    assert clean_idea("  put the red   block\tin the green bowl ") == "put the red block in the green bowl"
    assert clean_idea("first stack the blocks\r\nthen  push them") == "first stack the blocks\nthen push them"
    assert clean_idea("", required=False) == ""


@pytest.mark.parametrize(
    "idea, fragment",
    [
        ("", "describe a task"),
        ("   \n ", "describe a task"),
        (None, "describe a task"),
        (42, "must be text"),
        ("x" * (1 << 20), "1,048,576 characters"),
        ("stack\x07 blocks", "U+0007"),
        ("stack\u200b blocks", "U+200B"),
    ],
)
def test_clean_idea_rejects_bad_input_with_a_message(idea, fragment):
    with pytest.raises(IdeaError) as err:
        clean_idea(idea)
    assert fragment.lower() in str(err.value).lower()


def test_idea_at_the_limit_is_accepted():
    assert len(clean_idea("a" * MAX_IDEA_CHARS)) == MAX_IDEA_CHARS


def test_run_settings_defaults_and_normalisation():
    settings = RunSettings()
    assert settings.episodes == DEFAULT_EPISODES and settings.seed == 0 and settings.video_size == (320, 240)
    form = RunSettings(episodes=2.0, seed="7", video_size="480x360")  # what a form or an API client sends
    assert (form.episodes, form.seed, form.video_size, form.seeds) == (2, 7, (480, 360), [7, 8])
    assert (form.video, form.fps, form.limits) == (True, 15, None)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"episodes": 0}, "Episodes"),
        ({"episodes": MAX_EPISODES + 1}, "Episodes"),
        ({"episodes": 1.5}, "Episodes"),
        ({"episodes": True}, "Episodes"),
        ({"seed": -1}, "Seed"),
        ({"seed": "x"}, "Seed"),
        ({"video_size": "big"}, "320x240"),
        ({"video_size": "10x10"}, "outside"),
        ({"video_size": None}, "320x240"),
        ({"fps": 0}, "Frames"),
        ({"limits": {"wall_seconds": 1}}, "Limits"),
    ],
)
def test_run_settings_name_the_bad_value(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        RunSettings(**kwargs)


def test_video_size_and_limits():
    assert parse_video_size((640, 480)) == (640, 480)
    limits = Limits(wall_seconds=30)
    assert RunSettings(limits=limits).limits is limits
