"""Prompt assembly: templates, markers, placeholders, generated API/asset listings, bounded history."""

import re

import pytest

from generation import prompt_assembly as P
from generation.conversation import Conversation
from generation.pipeline import MODES

LEFTOVER = re.compile(r"\{\{[A-Z_]+\}\}|[A-Z]+_TEMPLATE")


class FakeTask:
    """Base class of tasks."""

    def __init__(self):
        self.max_steps = 10
        self.pos_eps = 0.01

    def get_random_pose(self, env, obj_size=0.1):
        """Random pose on the table.

        Second paragraph is detail."""

    def _private(self):
        """Hidden."""


def fill_all(template, stage):
    text = (P.PROMPT_DIR / f"{template}.txt").read_text()
    return P.render(template, stage, **{k: f"<{k}>" for k in set(P._PLACEHOLDER.findall(text))})


@pytest.mark.parametrize(
    "template,stage",
    [
        *[(f"proposal_{m}", "proposal") for m in MODES],
        ("api_review", "api_review"),
        ("error_review", "error_review"),
        ("reference_selection", "reference_selection"),
        ("implementation", "implementation"),
        ("repair", "repair"),
        ("reflection", "reflection"),
    ],
)
def test_every_template_has_marker_blocks_and_no_leftover_placeholder(template, stage):
    text = fill_all(template, stage)
    assert text.split("\n", 1)[0] == f"[stage: {stage}]"
    assert not LEFTOVER.search(text)
    if stage == "proposal":
        assert "<idea>\n<IDEA>\n</idea>" in text
    if stage in ("implementation", "repair", "reflection", "reference_selection"):
        assert "<task>\n<TASK_JSON>\n</task>" in text


def test_render_rejects_missing_and_unused_values_and_wrong_stage():
    with pytest.raises(P.PromptError, match="without value"):
        P.render("error_review", "error_review")
    with pytest.raises(P.PromptError, match="without placeholder"):
        P.render("error_review", "error_review", TASK_NAME="x", TASK_CODE_REFERENCE="lost code")
    with pytest.raises(P.PromptError, match=r"\[stage: repair\]"):
        P.render("error_review", "repair", TASK_NAME="x")


def test_values_are_pasted_once_not_rescanned():
    text = P.render("error_review", "error_review", TASK_NAME="{{TASK_NAME}} and {{IDEA}}")
    assert '"{{TASK_NAME}} and {{IDEA}}"' in text


def test_reference_code_reaches_the_implementation_prompt():
    ref = P.fenced("class Ref(Task):\n    pass\n", "ref-task (ref_task.py)")
    text = P.render(
        "implementation", "implementation", TASK_JSON='{"task-name": "t"}', REFERENCE_CODE=ref, TASK_NAME="t"
    )
    assert "```python\n# ref-task (ref_task.py)\nclass Ref(Task):\n    pass\n```" in text


def test_task_api_listing_from_inspect():
    listing = P.task_api_listing(FakeTask)
    assert "def get_random_pose(self, env, obj_size=0.1):" in listing
    assert '"""Random pose on the table."""' in listing
    assert "Second paragraph" not in listing and "_private" not in listing
    assert "self.max_steps = 10" in listing and "self.pos_eps = 0.01" in listing


def test_task_api_listing_of_the_real_task_class():
    listing = P.task_api_listing()
    for name in ("add_goal", "get_random_pose", "reset", "fill_template"):
        assert f"def {name}(" in listing


def test_asset_catalogue_lists_urdf_paths(tmp_path):
    (tmp_path / "bowl").mkdir()
    (tmp_path / "bowl" / "bowl.urdf").write_text("<robot/>")
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "box-template.urdf").write_text("<robot/>")
    (tmp_path / "box" / "notes.txt").write_text("")
    (tmp_path / "ur5").mkdir()  # the robot is the scene's, never a task asset
    (tmp_path / "ur5" / "ur5.urdf").write_text("<robot/>")
    assert P.asset_catalogue(tmp_path) == "- bowl: bowl/bowl.urdf\n- box: box/box-template.urdf"
    assert P.asset_catalogue(tmp_path / "missing") == "(no assets found)"


def test_library_listing_sample_is_seeded_and_bounded():
    entries = [{"name": f"t-{i:02d}", "description": f"d{i}"} for i in range(30)]
    a, b = P.library_listing(entries, 5, seed=3), P.library_listing(entries, 5, seed=3)
    assert a == b and len(a.splitlines()) == 5
    assert P.library_listing([]) == "(the library is empty)"


def test_trim_traceback_keeps_the_end():
    tb = "\n".join(f"line {i}" for i in range(100))
    out = P.trim_traceback(tb, max_lines=3)
    assert out == "line 97\nline 98\nline 99"


def test_conversation_never_drops_system_or_pinned_proposal():
    conv = Conversation("SYSTEM", max_chars=200)
    conv.add("user", "[stage: proposal] P" * 5, pinned=True)
    conv.add("assistant", "PROPOSAL-ANSWER", pinned=True)
    for i in range(10):
        conv.add("user", f"review {i} " + "x" * 40)
        conv.add("assistant", f"ack {i}")
    conv.add("user", "LAST " + "y" * 300)  # alone over the budget, still sent
    msgs = conv.messages()
    assert msgs[0] == {"role": "system", "content": "SYSTEM"}
    assert msgs[1]["content"].startswith("[stage: proposal]") and msgs[2]["content"] == "PROPOSAL-ANSWER"
    assert msgs[-1]["content"].startswith("LAST")
    assert "review 0" not in " ".join(m["content"] for m in msgs)
    assert len(conv.transcript()) == 1 + 2 + 20 + 1


def test_conversation_keeps_recent_turns_within_budget():
    conv = Conversation("S", max_chars=100)
    conv.add("user", "a" * 30)
    conv.add("assistant", "b" * 30)
    conv.add("user", "c" * 30)
    contents = [m["content"][0] for m in conv.messages()]
    assert contents == ["S", "a", "b", "c"]  # 1 + 90 <= 100: nothing dropped
    conv.add("assistant", "d" * 30)
    conv.add("user", "e" * 30)
    contents = [m["content"][0] for m in conv.messages()]
    assert contents == ["S", "c", "d", "e"]
