"""Task spec (from `serving.offline.parser`) -> readable CLIPort task code (docs/task-api.md, docs/oracle.md,
docs/assets.md).

    from serving.offline.emitter import emit
    code, scenery = emit(spec)

The code has the shape of the curated tasks in `sim/tasks/`: `class X(Task)` with `__init__`
(max_steps = actions + 1 spare, lang_template, task_completed_desc, additional_reset) and `reset(env)`
that spawns solid scenery first, then the objects to move, then flat markers (zones, lines, anchors: their
outline leaves the inside free, so they go last and `get_random_pose` keeps movables off them), and
registers one goal per step with one language goal each. Stacks are successive single-object goals from
the bottom up, so a goal is never satisfied before its turn (docs/compat.md#height-ignored). Goal rewards are
"objects in the goal / objects moved in the task", so they sum to 1.
"""

from __future__ import annotations

import functools
import re
import textwrap

from serving.offline import placement
from serving.offline.goals import RELATION_WORDS, GoalWriter, relation_offsets
from serving.offline.lexicon import FIXED_KINDS, NUMBER_NAMES, plural
from serving.offline.lexicon import identifier as var
from serving.offline.understanding import summary, understanding

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
        # reset() in five parts: solid scenery, objects to move, flat markers, reference objects placed
        # with room for what goes next to them (drawn last so their regions avoid everything), goals.
        self.parts: dict[str, list[str]] = {"solid": [], "movers": [], "markers": [], "anchored": [], "goals": []}
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
        a = placement.asset(g["kind"], g["size"])
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
        start = g.get("start")
        if start:  # "off the pallet": the objects begin on (in) their source, spread over it
            src = self.groups[start]
            sa = placement.asset(src["kind"], src["size"])
            slots = [
                (dx, dy, round(sa.height + a.height / 2 + 0.002, 4))
                for dx, dy, _ in (
                    placement.grid(len(colors), 0.045) if src["kind"] != "pallet" else placement.grid(len(colors), 0.07)
                )
            ]
            say(f"# They start on the {start}.", f"{v}_starts = {slots!r}")
            pose_line = f"    pose = (utils.apply({var(start)}_poses[0], {v}_starts[k]), {var(start)}_poses[0][1])"
            loop = f"for k, color in enumerate({colors!r}):"
        else:
            pose_line = f"    pose = self.get_random_pose(env, {v}_size)"
            loop = f"for color in {colors!r}:"
        say(
            f"{v}_poses = []" if poses else f"{v}_ids = []",  # scenery is a target: keep its poses
            loop,
            pose_line,
            f"    {add}" if poses else f"    {v}_ids.append({add})",
        )
        if poses:
            say(f"    {v}_poses.append(pose)")
        say("")

    def base(self, name: str, size: tuple, kind: str = "plate", left_to_right: bool = False) -> str:
        """Add scenery the idea implies (a build plate, a zone, a line) and return its pose variable.
        `left_to_right`: the base's x axis points to the video's right (+y, yaw 90 degrees)."""
        v = f"{var(name)}_pose"
        self.scenery.append({"name": name, "kind": kind, "size": list(size)})
        say = functools.partial(self.say, part="solid" if kind == "plate" else "markers")
        say(
            f"# {_BASE_COMMENT[kind]}",
            f"{var(name)}_size = {size!r}",
            f"{v} = self.get_random_pose(env, {var(name)}_size)",
        )
        if left_to_right:
            say(
                "# Turned so that the row runs from left to right as seen in the video (+y).",
                f"{v} = ({v}[0], (0, 0, 0.7071068, 0.7071068))",
            )
        if kind == "plate":
            say(
                f"{var(name)}_urdf = self.fill_template('box/box-template.urdf', {{'DIM': {var(name)}_size}})",
                f"env.add_object({var(name)}_urdf, {v}, 'fixed', color=utils.COLORS['gray'])",
            )
        elif kind == "zone":
            say(f"env.add_object('zone/zone.urdf', {v}, 'fixed')")
        elif kind == "line":
            say(
                f"{var(name)}_urdf = self.fill_template('line/line-template.urdf', "
                f"{{'DIM': ({size[0]}, 0.01, 0.001)}})",
                f"env.add_object({var(name)}_urdf, {v}, 'fixed', color=utils.COLORS['black'])",
            )
        say("")
        return v

    def _anchor_clusters(self) -> set:
        """Reference objects of relation / around / between goals, spawned with their target spots as
        one free region so that every spot is on the table and clear: returns their group names."""
        done = set()
        for goal in self.spec["goals"]:
            if goal["type"] not in ("relation", "around", "between"):
                continue
            offsets = relation_offsets(goal, self.groups)
            if goal["type"] == "between":
                (a, _), (b, _) = goal["targets"]
                members = [(a, (0.0, 0.0)), (b, offsets[0])]
                spots = offsets[1:]
            else:
                members, spots = [(goal["target"], (0.0, 0.0))], offsets
            names = [m for m, _ in members]
            if (
                any(n in done or self.groups[n].get("start") for n in names)
                or len(set(names)) != len(names)
                and self.groups[names[0]]["count"] != 2
                or any(self.groups[n]["count"] > (2 if len(set(names)) == 1 else 1) for n in names)
            ):
                continue  # already placed, or a group of several: spawned the ordinary way
            m_half = max(placement.half_extent(self.groups[n]["kind"], self.groups[n]["size"]) for n in goal["objects"])
            boxes = [
                (dx, dy, placement.half_extent(self.groups[n]["kind"], self.groups[n]["size"]))
                for n, (dx, dy) in members
            ]
            boxes += [(dx, dy, m_half) for dx, dy in spots]
            lo_x, hi_x = min(x - h for x, _, h in boxes), max(x + h for x, _, h in boxes)
            lo_y, hi_y = min(y - h for _, y, h in boxes), max(y + h for _, y, h in boxes)
            cx, cy = (lo_x + hi_x) / 2, (lo_y + hi_y) / 2
            k = len(done)
            say = functools.partial(self.say, part="anchored")
            say(
                f"# The {' and the '.join(dict.fromkeys(names))} with room for what goes "
                f"{'between' if goal['type'] == 'between' else RELATION_WORDS[goal['relation']].split(' of')[0]} "
                "(one free region, so every spot is on the table).",
                f"region_{k} = self.get_random_pose(env, ({round(hi_x - lo_x + 0.02, 3)}, "
                f"{round(hi_y - lo_y + 0.02, 3)}, 0))[0]",
            )
            for n in dict.fromkeys(names):
                g = self.groups[n]
                a = placement.asset(g["kind"], g["size"])
                urdf = repr(a.urdf)
                if a.fill:
                    say(f"{var(n)}_urdf = self.fill_template({a.urdf!r}, {a.fill!r})")
                    urdf = f"{var(n)}_urdf"
                offs = [off for m, off in members if m == n]
                poses = ", ".join(
                    f"((region_{k}[0] + {round(dx - cx, 4)}, region_{k}[1] + {round(dy - cy, 4)}, "
                    f"{a.size[2] / 2}), (0, 0, 0, 1))"
                    for dx, dy in offs
                )
                fixed = g["kind"] in FIXED_KINDS
                say(f"{var(n)}_poses = [{poses}]")
                if not fixed:
                    say(f"{var(n)}_ids = []")
                for i, c in enumerate(g["colors"][: len(offs)]):
                    add = (
                        f"env.add_object({urdf}, {var(n)}_poses[{i}]{', ' + repr('fixed') if fixed else ''}"
                        f"{f', color=utils.COLORS[{c!r}]' if c else ''})"
                    )
                    say(add if fixed else f"{var(n)}_ids.append({add})")
                done.add(n)
            say("")
        return done

    # -- assembly ------------------------------------------------------------------------------
    def build(self) -> str:
        """Write `reset` and return the whole task file."""
        sources = {g.get("start") for g in self.groups.values()}
        anchored = self._anchor_clusters()
        for name, g in self.groups.items():
            if g["kind"] in ("pile", "hanoi_stand", "disk", "rope") or name in anchored:
                continue  # spawned by their goal (make_piles, hanoi, make_ropes) or by an anchor cluster
            part = (
                "movers"
                if g["kind"] not in FIXED_KINDS
                else "markers"
                if g["kind"] in OUTLINE_KINDS and name not in sources
                else "solid"
            )
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
            init += [
                "        # Pushes with the spatula; a pile needs several sweeps, so 20 actions as in Ravens.",
                f"        self.max_steps = {steps}",
            ]
        else:
            moves = self.writer.moves
            spare = self.spare + self.writer.extra
            spares = (
                "one spare"
                if spare == 1
                else f"{spare} spares (one per six objects"
                + (", more for a repair: room to retry failed picks)" if self.spare > 1 else ")")
            )
            init += [
                f"        # {moves} pick-and-place action{'s' if moves > 1 else ''} plus {spares}.",
                f"        self.max_steps = {steps}",
            ]
        init += [
            f"        self.lang_template = {lang!r}",
            f"        self.task_completed_desc = {'done ' + _gerund(spec) + '.'!r}",
            "        self.additional_reset()",
        ]
        if self.writer.bowl_target:
            init += [
                "        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.",
                "        self.pos_eps = 0.05",
            ]
        if self.sweep:
            init += ["        self.ee = Spatula", "        self.primitive = primitives.push"]
        doc = _docstring(dict(spec, scenery=self.scenery))  # notes see the scenery the goals added
        return (
            "\n".join(
                imports
                + ["", "", f"class {class_name(spec)}(Task):", doc, ""]
                + init
                + ["", "    def reset(self, env):", "        super().reset(env)", ""]
                + _trim(sum(self.parts.values(), []))
            )
            + "\n"
        )


_BASE_COMMENT = {
    "plate": "Build area: a thin grey plate that keeps other objects off the structure's footprint.",
    "zone": "A zone marks where the objects go.",
    "line": "A black line marks the row.",
    "center": "The centre of the arrangement (free space around it).",
}


def _describe(a: placement.Asset) -> str:
    size = " x ".join(f"{s * 100:g}" for s in a.size if s) + " cm"
    return f"{a.urdf.split('/')[-1].replace('.urdf', '')}, {size}"


def _lang_template(spec: dict) -> str:
    """The understood task in one sentence (not the raw idea); words that would trigger
    additional_reset rules (docs/task-api.md#additional-reset) are avoided unless the task is about them."""
    text = summary(spec).rstrip(".").lower()
    types = {g["type"] for g in spec["goals"]}
    if "sweep" not in types:
        text = text.replace("piles", "heaps")
    if "rope" not in types:
        text = text.replace("rope", "r-o-p-e")
    return text[:200]


def _gerund(spec: dict) -> str:
    names = {
        "place": "placing",
        "stack": "stacking",
        "pyramid": "building the pyramid",
        "build": "building",
        "line": "lining up",
        "circle": "arranging",
        "sort": "sorting",
        "order_by_size": "ordering",
        "insert": "inserting",
        "sweep": "sweeping",
        "relation": "placing",
        "around": "placing",
        "between": "placing",
        "distribute": "distributing",
        "remove": "moving",
        "arrange": "arranging",
        "hanoi": "solving towers of hanoi",
        "rope": "laying out the rope",
    }
    return " and ".join(dict.fromkeys(names[g["type"]] for g in spec["goals"]))


def _doc_text(text: str) -> str:
    """`text` safe inside a triple-quoted docstring: backslashes and quotes escaped, so words from
    the idea (which reach the summary, the notes and the quoted idea) can never end the string and
    become code."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _docstring(spec: dict) -> str:
    """Class docstring: the understood task, what it approximates, and the idea it came from."""
    pad = "    "
    text = textwrap.wrap(_doc_text(summary(spec)), 96)
    lines = [pad + '"""' + text[0]] + [pad + t for t in text[1:]]
    notes = understanding(spec)["notes"]
    if notes:
        approx = _doc_text("Approximated: " + "; ".join(notes) + ".")
        lines += [""] + [pad + t for t in textwrap.wrap(approx, 96)]
    idea = textwrap.wrap(_doc_text(repr(spec["idea"][:300])), 96)
    lines += ["", pad + "Written by the offline rule-based generator from the idea:"] + [pad + t for t in idea]
    return "\n".join(lines + [pad + '"""'])


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
