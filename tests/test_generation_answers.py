"""Parsers of model answers: code fences, dicts with nested braces, lists, critic booleans, names."""

import pytest

from generation.answers import (
    IMPORT_HEADER,
    ParseError,
    extract_code,
    extract_dict,
    extract_list,
    fenced_blocks,
    is_valid_task_name,
    normalise_proposal,
    normalise_task_name,
    parse_bool,
    with_import_header,
)
from sim.loader import task_classes

CODE = '''import numpy as np
from cliport.tasks.task import Task


class PythonTask(Task):
    """A task about python."""

    def reset(self, env):
        name = "python"  # python stays python
'''


def test_code_in_python_fence_is_kept_verbatim():
    text = f"Here is the python code:\n```python\n{CODE}```\nDone."
    code = extract_code(text)
    assert code == CODE
    assert code.count("python") == CODE.count("python") == 4


def test_first_block_with_a_task_class_wins_over_other_blocks():
    text = f'```python\nimport os\n```\n```\n{CODE}```\n```json\n{{"a": 1}}\n```'
    assert extract_code(text) == CODE


def test_missing_fence_uses_the_whole_text_when_it_parses():
    assert extract_code(CODE) == CODE


def test_unterminated_fence_runs_to_the_end():
    assert extract_code("```python\n" + CODE) == CODE


def test_python_block_with_syntax_error_is_returned_for_the_sandbox():
    broken = "class A(Task):\n    def f(self:\n        pass\n"
    assert extract_code(f"```python\n{broken}```") == broken


def test_prose_raises_parse_error_with_the_text_attached():
    text = "Sorry, I cannot do that. {maybe}"
    with pytest.raises(ParseError) as info:
        extract_code(text)
    assert info.value.text == text


def test_task_classes_by_ast_including_attribute_base():
    src = "import x\nclass A(x.Task):\n    pass\nclass B(Other):\n    pass\nclass C(Task):\n    pass\n"
    assert [c.name for c in task_classes(src)] == ["A", "C"]


def test_dict_with_nested_braces_and_braces_in_strings():
    text = (
        'Prose {not a dict} then {"task-name": "a", "extra": {"deep": {"x": [1, {"k": "}"}]}},'
        ' "d": "brace } in string"} trailing'
    )
    d = extract_dict(text)
    assert d["extra"]["deep"]["x"][1] == {"k": "}"}
    assert d["d"] == "brace } in string"


def test_python_dict_literal_with_comment_and_newlines():
    text = (
        "{\n  'task-name': 'build-car',  # a comment would swallow the rest if newlines were stripped\n"
        "  'assets-used': ['a.urdf'],\n}"
    )
    assert extract_dict(text) == {"task-name": "build-car", "assets-used": ["a.urdf"]}


def test_json_fence_preferred_over_prose_braces():
    text = 'Layout {"left": 1} is nice.\n```json\n{"task-name": "x"}\n```'
    assert extract_dict(text) == {"task-name": "x"}


def test_dict_parsing_never_executes_code():
    with pytest.raises(ParseError):
        extract_dict("{__import__('os').system('echo hacked'): 1}")


def test_extract_list_skips_bracket_prose():
    assert extract_list("See [1] and pick ['a-b', \"c\"] please") == [1]
    assert extract_list("Pick ['a-b', \"c\"] please") == ["a-b", "c"]
    with pytest.raises(ParseError):
        extract_list("no list here")


def test_fenced_blocks_languages():
    blocks = fenced_blocks("```Python\na\n```\n```json\n{}\n```\n``` \nb\n```")
    assert blocks == [("python", "a\n"), ("json", "{}\n"), ("", "b\n")]


@pytest.mark.parametrize(
    "value,expected",
    [
        (True, True),
        (False, False),
        ("True", True),
        ("false", False),
        ("FALSE", False),
        (" yes ", True),
        ("No", False),
        ("'False'", False),
        (1, True),
        (0, False),
        ("maybe", None),
        (None, None),
        (2, None),
    ],
)
def test_parse_bool_case_insensitive(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize(
    "raw,name",
    [
        ("Build_Car ", "build-car"),
        ("StackBlockPyramid", "stack-block-pyramid"),
        ("../../etc/passwd", "etc-passwd"),
        ("a  b--c", "a-b-c"),
        ("!!!", ""),
    ],
)
def test_normalise_task_name(raw, name):
    assert normalise_task_name(raw) == name


@pytest.mark.parametrize(
    "name,ok",
    [
        ("build-car", True),
        ("a1", True),
        ("Build-car", False),
        ("a--b", False),
        ("-a", False),
        ("a/b", False),
        ("..", False),
        ("a_b", False),
        ("a" * 65, False),
        ("", False),
    ],
)
def test_is_valid_task_name(name, ok):
    assert is_valid_task_name(name) is ok


def test_normalise_proposal_key_spellings_and_asset_string():
    p = normalise_proposal(
        {
            "task_name": "Build Car",
            "Task Description": " d ",
            "assets_used": "a.urdf, b/b.urdf",
            "idea": "build a car",
            "novelty": "new",
            "nested": {"dropped": True},
            "long": "x" * 3000,
        }
    )
    assert p == {
        "task-name": "build-car",
        "task-description": "d",
        "assets-used": ["a.urdf", "b/b.urdf"],
        "idea": "build a car",
        "novelty": "new",
    }
    with pytest.raises(ParseError):
        normalise_proposal({"assets-used": []})


def test_import_header_adds_only_missing_lines():
    full = "\n".join(IMPORT_HEADER.values()) + "\n\nclass A(Task):\n    pass\n"
    assert with_import_header(full) == full  # complete code is left byte-for-byte
    bare = "import numpy as np\n\nclass A(Task):\n    x = p.getNumBodies\n"
    out = with_import_header(bare)
    assert out.endswith(bare)
    added = out[: -len(bare)].splitlines()
    assert "import numpy as np" not in added and "from cliport.tasks.task import Task" in added
    assert len(added) == 7
    assert with_import_header("class A(Task:\n") == "class A(Task:\n"  # keeps syntax-error lines
