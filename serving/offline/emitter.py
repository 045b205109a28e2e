"""Task spec (from `serving.offline.parser`) -> readable CLIPort task code (spec §1-2, §5, §6).

    from serving.offline.emitter import emit
    code, scenery = emit(spec)

The code has the shape of the curated tasks in `sim/tasks/`: `class X(Task)` with `__init__`
(max_steps = actions + 1 spare, lang_template, task_completed_desc, additional_reset) and `reset(env)`
that spawns solid scenery first, then the objects to move, then flat markers (zones, lines, anchors: their
outline leaves the inside free, so they go last and `get_random_pose` keeps movables off them), and
registers one goal per step with one language goal each. Stacks are successive single-object goals from
the bottom up, so a goal is never satisfied before its turn (spec §9.4-19). Goal rewards are
"objects in the goal / objects moved in the task", so they sum to 1.
"""
from __future__ import annotations

import functools
import re
import textwrap

from serving.offline import layout
from serving.offline.goals import GoalWriter, phrase
from serving.offline.lexicon import FIXED_KINDS, NUMBER_NAMES, plural
from serving.offline.lexicon import identifier as var

OUTLINE_KINDS = ("zone", "line", "corner")


def class_name(spec: dict) -> str:
    """CamelCase class name from the goals, e.g. 'PlaceRedBlockInGreenBowl' (max ~6 words)."""
    words = re.findall(r"[a-z]+", task_name(spec).replace("-", " "))
    return "".join(w.capitalize() for w in words) or "OfflineTask"


def task_name(spec: dict) -> str:
    """Hyphenated task name: goal type plus the first group names, e.g. 'stack-red-block-blue-block'."""
    parts = []
    for g in spec["goals"]:
        parts.append(g.get("structure") or g["type"].replace("_", "-"))
        parts.extend(g["objects"][:2])
        if g.get("target"):
            parts.append(g["target"])
    words = re.findall(r"[a-z]+", " ".join(parts).lower())
    return "-".join(words[:7]) or "offline-task"


class Emitter:
    """Accumulates the lines of `reset` section by section; `code()` assembles the file."""

    def __init__(self, spec: dict, spare: int = 1):
        self.spec = spec
        self.spare = spare
        self.groups = {o["name"]: o for o in spec["objects"]}
        # reset() in four parts: solid scenery, objects to move, flat markers, goals.
        self.parts: dict[str, list[str]] = {"solid": [], "movers": [], "markers": [], "goals": []}
        self.lines = self.parts["goals"]  # GoalWriter edits lines it wrote (rewards) by index
        self.scenery: list[dict] = []  # scenery the emitter added that the idea did not name
        self.uses_p = False
        self.sweep = any(g["type"] == "sweep" for g in spec["goals"])
        self.writer = GoalWriter(self)

    # -- small writers -------------------------------------------------------------------------
    def say(self, *lines: str, part: str = "goals") -> None:
        """Append lines to a part of `reset` (8-space indented); '' gives a blank line."""
        self.parts[part].extend(("        " + line) if line else "" for line in lines)

    def spawn(self, name: str, part: str) -> None:
        """Spawn the group `name` into `part`: one add_object per colour; scenery keeps its poses."""
        say = functools.partial(self.say, part=part)
        g = self.groups[name]
        a = layout.asset(g["kind"], g["size"])
        v = var(name)
        fixed = poses = g["kind"] in FIXED_KINDS
        colors = g["colors"]
        what = f"{NUMBER_NAMES.get(g['count'], g['count'])} {plural(name)}" if g["count"] > 1 else f"the {name}"
        say(f"# {what[0].upper() + what[1:]} ({_describe(a)}).")
        say(f"{v}_size = {a.size!r}")
        urdf = repr(a.urdf)
        if a.fill:
            say(f"{v}_urdf = self.fill_template({a.urdf!r}, {a.fill!r})")
            urdf = f"{v}_urdf"
        category = ", 'fixed'" if fixed else ""
        color = ", color=utils.COLORS[color]" if colors[0] else ""
        add = f"env.add_object({urdf}, pose{category}{color})"
        say(f"{v}_poses = []" if poses else f"{v}_ids = []",  # scenery is a target: keep its poses
            f"for color in {colors!r}:",
            f"    pose = self.get_random_pose(env, {v}_size)",
            f"    {add}" if poses else f"    {v}_ids.append({add})")
        if poses:
            say(f"    {v}_poses.append(pose)")
        say("")

    def base(self, name: str, size: tuple, kind: str = "plate") -> str:
        """Add scenery the idea implies (a build plate, a zone, a line) and return its pose variable."""
        v = f"{var(name)}_pose"
        self.scenery.append({"name": name, "kind": kind, "size": list(size)})
        say = functools.partial(self.say, part="solid" if kind == "plate" else "markers")
        say(f"# {_BASE_COMMENT[kind]}",
                 f"{var(name)}_size = {size!r}",
                 f"{v} = self.get_random_pose(env, {var(name)}_size)")
        if kind == "plate":
            say(f"{var(name)}_urdf = self.fill_template('box/box-template.urdf', {{'DIM': {var(name)}_size}})",
                     f"env.add_object({var(name)}_urdf, {v}, 'fixed', color=utils.COLORS['gray'])")
        elif kind == "zone":
            say(f"env.add_object('zone/zone.urdf', {v}, 'fixed')")
        elif kind == "line":
            say(f"{var(name)}_urdf = self.fill_template('line/line-template.urdf', "
                     f"{{'DIM': ({size[0]}, 0.01, 0.001)}})",
                     f"env.add_object({var(name)}_urdf, {v}, 'fixed', color=utils.COLORS['black'])")
        say("")
        return v

    # -- assembly ------------------------------------------------------------------------------
    def build(self) -> str:
        """Write `reset` and return the whole task file."""
        for name, g in self.groups.items():
            if g["kind"] == "pile":
                continue  # make_piles spawns it next to its goal
            part = "movers" if g["kind"] not in FIXED_KINDS else "markers" if g["kind"] in OUTLINE_KINDS else "solid"
            self.spawn(name, part)
        self.writer.write_all(self.spec["goals"])
        return self._file()

    def _file(self) -> str:
        spec = self.spec
        steps = self.writer.actions
        lang = _lang_template(spec)
        imports = ["import numpy as np"]
        if self.uses_p:
            imports.append("import pybullet as p")
        if self.sweep:
            imports.append("from cliport.tasks import primitives")
            imports.append("from cliport.tasks.grippers import Spatula")
        imports += ["from cliport.tasks.task import Task", "from cliport.utils import utils"]
        init = [
            "    def __init__(self):",
            "        super().__init__()",
        ]
        if self.sweep:
            init += ["        # Pushes with the spatula; a pile needs several sweeps, so 20 actions as in Ravens.",
                     f"        self.max_steps = {steps}"]
        else:
            moves = self.writer.moves
            spares = "one spare" if self.spare == 1 else f"{self.spare} spares (a repair: room to retry failed picks)"
            init += [f"        # {moves} pick-and-place action{'s' if moves > 1 else ''} plus {spares}.",
                     f"        self.max_steps = {steps}"]
        init += [f"        self.lang_template = {lang!r}",
                 f"        self.task_completed_desc = {'done ' + _gerund(spec) + '.'!r}",
                 "        self.additional_reset()"]
        if self.writer.bowl_target:
            init += ["        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.",
                     "        self.pos_eps = 0.05"]
        if self.sweep:
            init += ["        self.ee = Spatula", "        self.primitive = primitives.push"]
        doc = _docstring(spec)
        return "\n".join(imports + ["", "", f"class {class_name(spec)}(Task):", doc, ""] + init
                         + ["", "    def reset(self, env):", "        super().reset(env)", ""]
                         + _trim(sum(self.parts.values(), []))) + "\n"


_BASE_COMMENT = {
    "plate": "Build area: a thin grey plate that keeps other objects off the structure's footprint.",
    "zone": "A zone marks where the objects go.",
    "line": "A black line marks the row.",
    "center": "The centre of the arrangement (free space around it).",
}


def _describe(a: layout.Asset) -> str:
    size = " x ".join(f"{s * 100:g}" for s in a.size if s) + " cm"
    return f"{a.urdf.split('/')[-1].replace('.urdf', '')}, {size}"


def _lang_template(spec: dict) -> str:
    """One sentence for the whole task; words that would trigger additional_reset rules are avoided."""
    text = re.sub(r"\s+", " ", spec["idea"].strip().rstrip(".!")).lower()
    text = text.replace("piles", "pile").replace("rope", "r-o-p-e") if not any(
        g["type"] == "sweep" for g in spec["goals"]) else text
    if not any(g["type"] == "sweep" for g in spec["goals"]):
        text = text.replace("piles", "heaps")
    return text[:200]


def _gerund(spec: dict) -> str:
    names = {"place": "placing", "stack": "stacking", "pyramid": "building the pyramid", "build": "building",
             "line": "lining up", "circle": "arranging", "sort": "sorting", "order_by_size": "ordering",
             "insert": "inserting", "sweep": "sweeping"}
    return " and ".join(dict.fromkeys(names[g["type"]] for g in spec["goals"]))


def _docstring(spec: dict) -> str:
    """Class docstring: what the task is (the library's description) and the idea it came from."""
    pad = "    "
    text = textwrap.wrap(_sentence(spec), 96)
    idea = textwrap.wrap(repr(spec["idea"][:300]), 96)
    lines = [pad + '"""' + text[0]] + [pad + t for t in text[1:]]
    lines += ["", pad + "Written by the offline rule-based generator from the idea:"] + [pad + t for t in idea]
    return "\n".join(lines + [pad + '"""'])


def _sentence(spec: dict) -> str:
    groups = {o["name"]: o for o in spec["objects"]}
    parts = []
    for g in spec["goals"]:
        objs = phrase(g["objects"], groups)[4:]  # without the leading 'the '
        objs = objs.replace(" and the ", ", ")
        if g["type"] == "build":
            parts.append(f"Build a {g['structure']} from the {objs}")
        elif g["type"] == "sort":
            parts.append(f"Sort the {objs} into the {', '.join(g['targets'])} of matching colour")
        elif g["type"] == "order_by_size":
            order = "largest to smallest" if g.get("descending") else "smallest to largest"
            parts.append(f"Line up the {objs} from {order}")
        else:
            verb = {"place": "Put", "stack": "Stack", "pyramid": "Build a pyramid from", "line": "Line up",
                    "circle": "Arrange in a circle", "insert": "Insert", "sweep": "Sweep"}[g["type"]]
            tail = f" {'on' if g['type'] == 'stack' else 'into'} the {g['target']}" if g.get("target") else ""
            parts.append(f"{verb} the {objs}{tail}")
    return "; then ".join(parts[:1] + [p[0].lower() + p[1:] for p in parts[1:]]) + "."


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1]:
        lines.pop()
    return lines


def emit(spec: dict, spare: int = 1) -> tuple[str, list[dict]]:
    """Return (task source code, scenery the emitter added) for a parser spec; max_steps is the number
    of pick-and-place actions plus `spare` (>= 1; repairs give more).

    The code imports only what it uses; it is deterministic for a given spec (randomness happens at
    reset time through the task's own get_random_pose calls, seeded by the episode runner).
    """
    if not isinstance(spare, int) or spare < 1:
        raise ValueError(f"spare must be an integer >= 1, got {spare!r}")
    e = Emitter(spec, spare)
    code = e.build()
    compile(code, "<offline task>", "exec")  # a bug here must fail loudly, not reach the sandbox
    return code, e.scenery


