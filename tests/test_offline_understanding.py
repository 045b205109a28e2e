"""The offline generator builds what was asked or says what it changed (issue 14): understanding,
the grammar of relations/orders/counts/moves/structures, refusals, the labelled idea set, and a few
ideas end to end through the sandbox with their relations checked on the final scene."""

import ast
import json

import pytest

from benchmarks.idea_fidelity import check, load
from demo import render
from generation.pipeline import GenerateOptions, generate, understanding_of
from serving import make_backend
from serving.offline import OfflineBackend, Refusal
from serving.offline.parser import understand
from serving.offline.understanding import understanding
from sim.sandbox import run
from sim.settings import RunSettings

LABELLED = load("tests/data/ideas_labelled.jsonl")


def test_labelled_set_covers_every_category_and_refusals():
    cats = {i["category"] for i in LABELLED}
    assert {
        "spatial",
        "stacking",
        "quantities",
        "moves",
        "structures",
        "arrangements",
        "objects",
        "typos",
        "sequences",
        "colours",
        "refuse",
    } <= cats
    assert sum(not i["refuse"] for i in LABELLED) >= 150 and sum(i["refuse"] for i in LABELLED) >= 20


@pytest.mark.parametrize("item", LABELLED, ids=lambda i: i["idea"][:50])
def test_every_labelled_idea_is_refused_or_understood_faithfully(item):
    result = OfflineBackend().write_task(item["idea"])
    if item["refuse"]:
        assert isinstance(result, Refusal) and "Nearest supported idea" in result.message
        return
    assert not isinstance(result, Refusal), result.message
    code, spec = result
    u = spec["understanding"]
    assert u["faithful"] is True and u["notes"] == [], u
    assert u["summary"] and u["summary"] in " ".join(code.split())  # the docstring states the understood task


# -- understanding ---------------------------------------------------------------------------------
def test_understanding_is_faithful_only_without_notes():
    _, spec = OfflineBackend().write_task("put 30 blocks in the zone")
    u = spec["understanding"]
    assert u["faithful"] is False and any("reduced" in n for n in u["notes"])
    _, spec = OfflineBackend().write_task("put the red block in the green bowl")
    assert spec["understanding"] == {"summary": "Put the red block in the green bowl.", "faithful": True, "notes": []}


@pytest.mark.parametrize(
    "idea, note",
    [
        ("put the red block in the green bowl diagonally", "'diagonally'"),  # a word it does not know
        ("put the red block in the bowl to the left of", "'left'"),  # a relation with no reference
        ("stack the blocks in a spiral", "'spiral'"),
        ("put the red block in the tray", "open box"),  # a substituted kind
        ("arrange five blocks in a square", "square"),  # a count changed for the shape
        ("stack nine blocks", "reduced"),  # a capped count
        ("stack four cylinders", "topple"),  # a physical limit
    ],
)
def test_every_deviation_is_named(idea, note):
    result = OfflineBackend().write_task(idea)
    assert not isinstance(result, Refusal)
    u = result[1]["understanding"]
    assert u["faithful"] is False and any(note in n for n in u["notes"]), u


def test_lang_template_and_docstring_state_the_understood_task_not_the_idea():
    code, spec = OfflineBackend().write_task("put the red block in the bowl kinda wobbly")
    assert "self.lang_template = 'put the red block in the bowl'" in code
    assert "Approximated: ignored words" in code


def test_pipeline_reads_an_understanding_and_never_trusts_faithful_with_notes():
    assert understanding_of({"understanding": {"summary": "s", "faithful": True, "notes": ["x"]}})["faithful"] is False
    assert understanding_of({"understanding": {"summary": "s", "faithful": None, "notes": []}})["faithful"] is None
    assert understanding_of({"understanding": "nonsense"}) is None


def test_offline_proposal_carries_the_understanding():
    (answer,) = OfflineBackend().chat(
        [{"role": "user", "content": "[stage: proposal]\n<idea>put the ball behind the bowl</idea>"}]
    )
    proposal = json.loads(answer.split("```json")[1].split("```")[0])
    assert proposal["understanding"]["summary"] == proposal["task-description"]
    assert "behind the bowl" in proposal["task-description"]


def test_render_shows_summary_and_an_amber_badge_only_when_approximated():
    exact = render.understanding_html({"summary": "Put <the> block.", "faithful": True, "notes": []})
    assert "Put &lt;the&gt; block." in exact and "approximated" not in exact
    approx = render.understanding_html({"summary": "S", "faithful": False, "notes": ["count <capped>"]})
    assert 'data-testid="approximated-badge"' in approx and "count &lt;capped&gt;" in approx
    assert render.understanding_html(None) == ""


# -- grammar ---------------------------------------------------------------------------------------
def goals(idea):
    return understand(idea)["goals"]


def test_relations_name_mover_and_reference():
    (g,) = goals("put the red block to the left of the blue bowl")
    assert (g["type"], g["relation"], g["objects"], g["target"]) == ("relation", "left", ["red block"], "blue bowl")
    assert goals("put the ball in front of the bowl")[0]["relation"] == "front"
    assert goals("place the ball behind the box")[0]["relation"] == "behind"
    assert goals("put the cube next to the zone")[0]["relation"] == "next"
    assert goals("put the ball between the red block and the blue block")[0]["type"] == "between"
    assert goals("put four blocks around the bowl")[0]["type"] == "around"


def test_stacking_orders_are_bottom_to_top():
    (g,) = goals("build a tower with blue at the bottom, then yellow, then red on top")
    assert g["objects"] == ["blue block", "yellow block", "red block"] and g["target"] is None
    (g,) = goals("stack the red block on the green block on the blue block")
    assert g["target"] == "blue block" and g["objects"] == ["green block", "red block"]
    (g,) = goals("build a tower with red on top and blue at the bottom")
    assert g["objects"] == ["blue block", "red block"]


def test_quantities_each_and_except():
    spec = understand("put two red blocks in each of the three bowls")
    (g,) = spec["goals"]
    counts = {o["name"]: o["count"] for o in spec["objects"]}
    assert g["type"] == "distribute" and g["per"] == 2 and counts == {"red block": 6, "bowl": 3}
    (g,) = goals("put all the blocks except the red one in the bowl")
    assert g["except"] == ["red block"] and "red block" not in g["objects"]


def test_moves_start_at_their_source():
    spec = understand("move every block off the pallet onto the table")
    (g,) = spec["goals"]
    start = {o["name"]: o.get("start") for o in spec["objects"]}
    assert g["type"] == "remove" and start[g["objects"][0]] == "pallet"
    (g,) = goals("move the red block from the zone to the blue bowl")
    assert (g["type"], g["target"], g["source"]) == ("place", "blue bowl", "zone")


def test_structures_and_shapes():
    assert goals("solve towers of hanoi with 4 disks")[0]["type"] == "hanoi"
    assert understand("towers of hanoi with 7 disks")["notes"]  # capped at the 4 assets, said so
    g = goals("build a wall 4 blocks wide and 2 high")[0]
    assert (g["rows"], g["cols"]) == (2, 4)
    g = goals("arrange 6 cubes in a 2x3 grid")[0]
    assert (g["type"], g["shape"], g["rows"], g["cols"]) == ("arrange", "grid", 2, 3)
    assert goals("arrange four blocks in a square")[0]["shape"] == "square"
    assert goals("build two towers of three blocks")[0]["towers"] == 2
    assert goals("straighten the rope along the line")[0]["type"] == "rope"


@pytest.mark.parametrize(
    "idea, why",
    [
        ("put the elephant in the fridge", "no elephant"),
        ("pour the water into the bowl", "pour"),
        ("cut the red block", "cut"),
        ("put the pizza in the box", "no pizza"),
    ],
)
def test_refusals_say_why_and_suggest_a_supported_idea(idea, why):
    result = OfflineBackend().write_task(idea)
    assert isinstance(result, Refusal) and why in result.message
    suggested = result.message.split('Nearest supported idea: "')[1].split('"')[0]
    spec = understand(suggested)  # the suggestion is itself built exactly
    assert understanding(spec)["faithful"]


def test_supported_words_are_not_refused():
    for idea in (
        "put the block in the open box",
        "put the red block on the table next to the bowl",
        "build a sandwich",
        "build a car",
    ):
        assert not isinstance(OfflineBackend().write_task(idea), Refusal), idea


# -- end to end ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "idea, relations",
    [
        ("put the red block to the left of the blue bowl", [["left_of", "red block", "blue bowl"]]),
        (
            "build a tower with blue at the bottom, then yellow, then red on top",
            [["tower", ["blue block", "yellow block", "red block"]]],
        ),
        ("put two red blocks in each of the two bowls", [["each_in", "red block", "bowl", 2]]),
        ("move every block off the pallet onto the table", [["not_in", "block", "pallet"], ["count", "block", 2]]),
    ],
)
def test_end_to_end_the_relation_holds_in_the_final_scene(idea, relations):
    code, spec = OfflineBackend().write_task(idea)
    verdict = run(code, RunSettings(episodes=1, seed=5, video=False), stream_frames=False)
    assert verdict["success"], verdict["error"]
    scene = verdict["scene"][0]
    assert all(set(o) >= {"name", "color", "position", "category"} for o in scene)
    assert [check(r, scene) for r in relations] == [None] * len(relations)


def test_phrasing_a_visitor_uses():
    # a preamble before the first verb is not part of the task
    assert (
        understand("The robot should pick up the green cube and place it inside the yellow bowl")["goals"]
        == understand("put the green cube in the yellow bowl")["goals"]
    )
    assert understand("create a task where the robot has to stack three blocks")["goals"][0]["type"] == "stack"
    # rows in a named order, as seen in the video
    (g,) = goals("put the three blocks in a row from left to right: red, green, blue")
    assert g["direction"] == "left_to_right" and g["objects"] == ["red block", "green block", "blue block"]
    # a tower placed by a relation: the bottom block goes there, the rest on it
    relation, stack = goals("build a tower of three red blocks next to the blue bowl")
    assert relation["type"] == "relation" and stack["target"] == relation["objects"][0]
    # two groups named alike are two sets of objects
    (g,) = goals("stack a red block, a blue block and a red block")
    assert len(set(g["objects"])) == 3
    # every object in its own container
    spec = understand("put 3 red balls and 2 green balls into separate bowls")
    assert {o["kind"]: o["count"] for o in spec["objects"]} == {"ball": 5, "bowl": 5}


@pytest.mark.parametrize(
    "idea, note",
    [
        ("put the ball in the cup", "cup is a bowl"),
        ("put one block of each colour in the zone", "each colour"),
        ("put a ball on top of the tower", "built first"),
        ("move the red block 10 cm to the left", "'left'"),
        ("put the toy car in the box", "'car'"),
    ],
)
def test_approximations_of_visitor_ideas_are_named(idea, note):
    u = OfflineBackend().write_task(idea)[1]["understanding"]
    assert not u["faithful"] and any(note in n for n in u["notes"]), u


@pytest.mark.parametrize(
    "idea",
    [
        'put the red block in the green bowl """ and __import__("os") or """',
        'put the red block in the green bowl """\nimport os; os.system("echo owned")\n"""',
        "put the red block in the green bowl \\\" ''' \\\\",
    ],
)
def test_quotes_in_an_idea_never_become_code(idea):
    result = generate(
        idea,
        make_backend("offline"),
        options=GenerateOptions(repair_attempts=0, run=RunSettings(episodes=1, video=False)),
    )
    code = result["attempts"][-1]["code"]
    task = next(n for n in ast.parse(code).body if isinstance(n, ast.ClassDef))
    # The class body is its docstring and methods only; the idea's text stays inside the docstring.
    assert all(isinstance(n, ast.FunctionDef) for n in task.body[1:])
    assert "__import__" not in ast.dump(task) or "__import__" in ast.get_docstring(task)
    assert "system(" not in "".join(ast.unparse(n) for n in task.body[1:])
    assert result["final"]["success"]
