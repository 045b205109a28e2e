"""Writes the goal part of a generated `reset`: targets from base poses and slots, then `add_goal` calls.

One `GoalWriter` per task. It counts pick-and-place actions (one per object moved), keeps where every
moved object ends up (so a later "put X on it" targets the right place), and pays each goal
"objects in it / objects moved in the task" so the rewards sum to 1 (spec §2.4, §2.7).
"""
from __future__ import annotations

import math

from serving.offline import layout
from serving.offline.lexicon import FIXED_KINDS, NUMBER_NAMES, plural
from serving.offline.lexicon import identifier as var

PILE_BLOCKS = 8  # cubes in a swept pile (Ravens pushes 50 1 cm cubes; see write_sweep)


class GoalWriter:
    """Turns spec goals into code lines through its Emitter (`say`, `base`, `uses_p`)."""

    def __init__(self, emitter):
        self.e = emitter
        self.groups = emitter.groups
        self.calls: list[dict] = []  # add_goal calls, rewards filled in at the end
        self.final: dict = {}  # (group, index) -> pose expression where that object ends up
        self.bowl_target = False
        self.pile_blocks = PILE_BLOCKS
        self.actions = 1
        self.n_bases = 0

    # -- helpers -------------------------------------------------------------------------------
    def asset(self, name: str) -> layout.Asset:
        g = self.groups[name]
        return layout.asset(g["kind"], g["size"])

    def instances(self, names: list[str]) -> list[tuple[str, int]]:
        return [(n, i) for n in names for i in range(self.groups[n]["count"])]

    def pose_of(self, name: str, i: int) -> str:
        """Pose expression of object i of group `name`: where it ends up, or where it was spawned."""
        if (name, i) in self.final:
            return self.final[(name, i)]
        if self.groups[name]["kind"] in FIXED_KINDS:
            return f"{var(name)}_poses[{i}]"
        self.e.uses_p = True
        return f"p.getBasePositionAndOrientation({var(name)}_ids[{i}])"

    def new_base(self, label: str, size: tuple, kind: str) -> str:
        self.n_bases += 1
        name = label if self.n_bases == 1 else f"{label} {self.n_bases}"
        return self.e.base(name, size, kind)

    def goal(self, inst: list[tuple[str, int]], targets: list[str], lang: str, *, matches: str = "ones",
             replace: bool = False) -> None:
        """Write targets and one add_goal for objects `inst` (group, index) to pose expressions.

        rotations=True even for round objects: with False the oracle keeps the object's yaw but still
        computes the place position for the target yaw, so the grasp offset lands rotated (spec §5.1-9).
        """
        n, m = len(inst), len(targets)
        objs = " + ".join(_runs(inst, self))
        syms = _symmetries([self.asset(g).symmetry for g, _ in inst])
        mat = f"np.ones(({n}, {m}))" if matches == "ones" else f"np.eye({n})"
        targ = "[" + ", ".join(targets) + "]" if len(", ".join(targets)) < 80 else \
            "[\n            " + ",\n            ".join(targets) + "]"
        k = len(self.calls)
        self.e.say(f"targets_{k} = {targ}")
        self.calls.append({"n": n, "line": len(self.e.lines)})
        self.e.say(f"self.add_goal(objs={objs}, matches={mat}, targ_poses=targets_{k},",
                   f"              replace={replace}, rotations=True, metric='pose', params=None,",
                   f"              step_max_reward=REWARD_{k}, symmetries={syms},",
                   f"              language_goal={lang!r})",
                   "")
        for (g, i), t in zip(inst, targets * n if m == 1 else targets):
            self.final[(g, i)] = f"targets_{k}[{targets.index(t)}]"

    # -- goal types ----------------------------------------------------------------------------
    def write_all(self, goals: list[dict]) -> None:
        """Write every goal, then put the rewards in (count of objects per goal / all objects)."""
        for g in goals:
            getattr(self, "write_" + g["type"])(g)
        total = sum(c["n"] for c in self.calls)
        for k, c in enumerate(self.calls):
            for j in range(c["line"], c["line"] + 4):
                self.e.lines[j] = self.e.lines[j].replace(f"REWARD_{k}", _fraction(c["n"], total))
        # One action per object plus the spares; a swept pile needs many pushes (20 as in Ravens).
        self.moves = total
        self.actions = (total + self.e.spare) if self.calls else 20

    def write_place(self, g: dict) -> None:
        target = g["target"]
        tk = self.groups[target]["kind"]
        inst = self.instances(g["objects"])
        if tk == "line":
            return self.write_line(dict(g, target=None))
        if tk == "corner":
            return self.write_corner(g)
        if tk not in FIXED_KINDS:  # "on the blue block": a stack on an object that stays put
            return self.write_stack(g)
        self.bowl_target |= tk == "bowl"
        count = self.groups[target]["count"]
        lang = f"put {phrase(g['objects'], self.groups)} {'in' if tk in ('bowl', 'container', 'zone') else 'on'} " \
               f"the {target}"
        if count > 1:  # several targets of this kind: any object to any of them
            targets = [self.pose_of(target, j) for j in range(count)]
            self.e.say(f"# Goal: {lang}.")
            return self.goal(inst, targets, lang, replace=len(inst) > count)
        base = self.pose_of(target, 0)
        surface = self.asset(target).height
        slots = layout.slots_on(tk, len(inst))
        targets = []
        for (name, _), (dx, dy, dz) in zip(inst, slots):
            z = round(surface + dz + self.asset(name).height / 2, 4)
            targets.append(f"(utils.apply({base}, ({dx}, {dy}, {z})), {base}[1])")
        self.e.say(f"# Goal: {lang}" + (" (spaced slots, one object each)." if len(set(slots)) > 1 else "."))
        if len(set(slots)) == 1 and len(inst) > 1:  # a bowl: all in the middle, they may stack
            return self.goal(inst, targets[:1], lang, replace=True)
        self.goal(inst, targets, lang)

    def write_stack(self, g: dict) -> None:
        inst = self.instances(g["objects"])
        if g.get("target"):
            base_name = g["target"]
            bases = [(base_name, 0)]
            base = self.pose_of(base_name, 0)
            kind = self.groups[base_name]["kind"]
            level = self.asset(base_name).height / 2 if kind not in FIXED_KINDS else self.asset(base_name).height
            self.bowl_target |= kind == "bowl"
            where = f"on the {base_name}"
        else:
            base = self.new_base("tower base", (0.12, 0.12, 0), "zone")
            bases, level, where = [], 0.0, "in the zone"
        self.e.say("# Stack from the bottom up, one goal per object, so each goal only becomes current once",
                   "# the object below is in place (is_match ignores height, spec 2.5).")
        below = [_one(b, self.groups) for b in bases]
        for name, i in inst:
            h = self.asset(name).height
            z = round(level + h / 2, 4)
            level += h
            what = _one((name, i), self.groups)
            lang = f"put {what} on {below[-1]}" if below else f"put {what} {where}"
            self.goal([(name, i)], [f"(utils.apply({base}, (0, 0, {z})), {base}[1])"], lang)
            below.append(what)

    def write_pyramid(self, g: dict) -> None:
        inst = self.instances(g["objects"])
        base_name = g.get("target")
        if base_name and self.groups[base_name]["kind"] in FIXED_KINDS:
            base, surface = self.pose_of(base_name, 0), self.asset(base_name).height
        else:
            base, surface = self.new_base("pyramid base", (0.07, 0.17, layout.PLATE_THICKNESS), "plate"), 0.001
        rows = layout.pyramid_slots(len(inst))
        self.e.say("# Pyramid rows (bottom first), each row one goal; blocks of a row may take any of its slots.")
        k = 0
        for r, slots in enumerate(rows):
            part = inst[k:k + len(slots)]
            k += len(slots)
            targets = [f"(utils.apply({base}, ({dx}, {dy}, {round(surface + dz, 4)})), {base}[1])"
                       for dx, dy, dz in slots]
            row_name = ["bottom", "middle", "top"][r] if len(rows) != 2 else ["bottom", "top"][r]
            self.goal(part, targets, f"put {_list(part, self.groups)} on the {row_name} row of the pyramid")

    def write_build(self, g: dict) -> None:
        s = g["structure"]
        parts = g["objects"]
        inst = self.instances(parts)
        if s == "wall":
            n = len(inst)
            k = math.ceil(n / 2)
            base = self.new_base("wall base", (round(0.05 * k + 0.04, 3), 0.08, layout.PLATE_THICKNESS), "plate")
            slots = layout.row(k, 0.05)
            levels = [(inst[:k], [(x, y, 0.021) for x, y, _ in slots], "bottom"),
                      (inst[k:], [(x, y, 0.061) for x, y, _ in slots[:n - k]], "top")]
        else:
            size = {"bridge": (0.18, 0.08), "house": (0.16, 0.08), "car": (0.16, 0.08), "sandwich": (0.12, 0.12)}[s]
            base = self.new_base(f"{s} base", size + (layout.PLATE_THICKNESS,), "plate")
            levels = self._structure_levels(s, parts)
        self.e.say(f"# Build the {s} bottom-up: one goal per layer.")
        for objs, slots, label in levels:
            if not objs:
                continue
            targets = [f"(utils.apply({base}, ({dx}, {dy}, {dz})), {base}[1])" for dx, dy, dz in slots]
            self.goal(objs, targets, f"put {_list(objs, self.groups)} {label} of the {s}")

    def _structure_levels(self, s: str, parts: list[str]):
        """(objects, slots, label) per layer for bridge, house, car and sandwich (slot z = centre)."""
        a = [self.instances([p]) for p in parts]
        h = [self.asset(p).height for p in parts]
        plate = layout.PLATE_THICKNESS
        if s == "sandwich":
            z1 = plate + h[0] / 2
            z2 = plate + h[0] + h[1] / 2
            z3 = plate + h[0] + h[1] + h[0] / 2
            return [(a[0][:1], [(0, 0, round(z1, 4))], "as the bottom"), (a[1], [(0, 0, round(z2, 4))], "in the middle"),
                    (a[0][1:], [(0, 0, round(z3, 4))], "on top")]
        gap = {"bridge": 0.08, "house": 0.06, "car": 0.07}[s]
        levels = [(a[0], [(x, y, round(plate + h[0] / 2, 4)) for x, y, _ in layout.row(2, gap)], "as the supports"),
                  (a[1], [(0, 0, round(plate + h[0] + h[1] / 2, 4))], "on top")]
        if s == "car":
            levels.append((a[2], [(0, 0, round(plate + h[0] + h[1] + h[2] / 2, 4))], "as the cabin on top"))
        return levels

    def write_line(self, g: dict) -> None:
        inst = self.instances(g["objects"])
        n = len(inst)
        spacing = 0.06 if max(self.asset(nm).size[0] for nm, _ in inst) <= 0.04 else 0.08
        length = round(spacing * (n - 1) + 0.06, 3)
        base = self.new_base("line", (length, 0.06, 0), "line")
        targets = [f"(utils.apply({base}, ({x}, 0, {self.asset(nm).height / 2})), {base}[1])"
                   for (nm, _), (x, _, _) in zip(inst, layout.row(n, spacing))]
        lang = f"line up {phrase(g['objects'], self.groups)} along the line"
        self.e.say(f"# Goal: {lang}, {spacing * 100:g} cm apart.")
        self.goal(inst, targets, lang)

    def write_order_by_size(self, g: dict) -> None:
        inst = self.instances(g["objects"])
        n = len(inst)
        base = self.new_base("line", (round(0.08 * (n - 1) + 0.08, 3), 0.08, 0), "line")
        slots = layout.row(n, 0.08)
        if g.get("descending"):
            slots = slots[::-1]
        targets = [f"(utils.apply({base}, ({x}, 0, {self.asset(nm).height / 2})), {base}[1])"
                   for (nm, _), (x, _, _) in zip(inst, slots)]
        order = "largest to smallest" if g.get("descending") else "smallest to largest"
        kind = plural(self.groups[inst[0][0]]["kind"])
        lang = f"line up the {kind} from {order}"
        self.e.say(f"# Goal: {order} along the line; each object has its own slot (np.eye).")
        self.goal(inst, targets, lang, matches="eye")

    def write_circle(self, g: dict) -> None:
        inst = self.instances(g["objects"])
        radius, slots = layout.ring(len(inst))
        d = round(2 * radius + 0.06, 3)
        base = self.new_base("circle center", (d, d, 0), "center")
        lines = [f"(utils.apply({base}, ({x}, {y}, {self.asset(nm).height / 2})), {base}[1])"
                 for (nm, _), (x, y, _) in zip(inst, slots)]
        self.e.say(f"# Goal: a circle of radius {radius * 100:.0f} cm; a corner marker shows each spot.")
        k = len(self.calls)
        lang = f"arrange {phrase(g['objects'], self.groups)} in a circle"
        self.goal(inst, lines, lang)
        self.e.say(f"for target in targets_{k}:", "    self.add_corner_anchor_for_pose(env, target)", "")

    def write_sort(self, g: dict) -> None:
        for objs, target in zip(g["objects"], g["targets"]):
            self.write_place({"type": "place", "objects": [objs], "target": target})

    def write_insert(self, g: dict) -> None:
        ell, fixture = g["objects"][0], g["target"]
        base = self.pose_of(fixture, 0)
        self.e.say("# Goal: the ell into the fixture, in the fixture's orientation (symmetry 2 pi: one fit).")
        self.goal(self.instances([ell]), [base], "insert the ell into the fixture")

    def write_corner(self, g: dict) -> None:
        inst = self.instances(g["objects"])[:1]
        corner = g["target"]
        base = self.pose_of(corner, 0)
        self.e.say("# Goal: one corner of the object against the L-shaped marker (as align-box-corner).")
        self.goal(inst, [base], f"put {_one(inst[0], self.groups)} in the corner")

    def write_sweep(self, g: dict) -> None:
        """A pile of PILE_BLOCKS 2 cm cubes pushed into a zone. make_piles' 1 cm cubes are about 3 pixels
        wide in the oracle's view, so after its 3x3 erosion (spec §5.1-5) lone cubes vanish and the oracle
        keeps pushing the ones already inside; 2 cm cubes stay visible and give one zone point each."""
        pile, zone = g["objects"][0], g["target"]
        color = self.groups[pile]["colors"][0]
        self.e.say(f"# A pile of {self.pile_blocks} cubes of 2 cm, scattered within 5 cm of a free spot.",
                   "pile_size = (0.15, 0.15, 0.02)",
                   "pile_center = self.get_random_pose(env, pile_size)[0]",
                   "cube_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.02, 0.02, 0.02)})",
                   "pile_ids = []",
                   f"for _ in range({self.pile_blocks}):",
                   "    x, y = pile_center[0] + np.random.uniform(-0.05, 0.05), pile_center[1] + np.random.uniform(-0.05, 0.05)",
                   "    rotation = utils.eulerXYZ_to_quatXYZW((0, 0, np.random.uniform(0, 2 * np.pi)))",
                   f"    pile_ids.append(env.add_object(cube_urdf, ((x, y, 0.01), rotation), color=utils.COLORS[{color!r}]))",
                   "",
                   "# Goal: every cube inside the zone (zone metric: the fraction of cubes inside).",
                   f"zone_size = {self.asset(zone).size!r}",
                   f"zone_pose = {self.pose_of(zone, 0)}",
                   "self.add_goal(objs=pile_ids, matches=np.ones((len(pile_ids), 1)), targ_poses=[zone_pose],",
                   "              replace=True, rotations=False, metric='zone',",
                   "              params=[(zone_pose, zone_size)], step_max_reward=1,",
                   f"              language_goal={'push the pile of cubes into the ' + zone!r})")


def _runs(inst, w: GoalWriter) -> list[str]:
    """Object-id expressions, using whole lists or slices where a goal takes a run of one group."""
    out, k = [], 0
    while k < len(inst):
        name, start = inst[k]
        end = start
        while k + 1 < len(inst) and inst[k + 1] == (name, end + 1):
            k, end = k + 1, end + 1
        n = w.groups[name]["count"]
        v = f"{var(name)}_ids"
        out.append(v if (start, end) == (0, n - 1) else f"{v}[{start}:{end + 1}]")
        k += 1
    return out


def _symmetries(syms: list[str]) -> str:
    runs, out = [], []
    for s in syms:
        if runs and runs[-1][0] == s:
            runs[-1][1] += 1
        else:
            runs.append([s, 1])
    for s, n in runs:
        out.append(f"[{s}] * {n}" if n > 1 else f"[{s}]")
    return " + ".join(out)


def _fraction(n: int, total: int) -> str:
    if n == total:
        return "1"
    g = math.gcd(n, total)
    return f"{n // g} / {total // g}"


def phrase(names: list[str], groups: dict) -> str:
    """'the red block', 'the three blue blocks', joined with 'and'."""
    items = []
    for n in names:
        c = groups[n]["count"]
        items.append(f"the {n}" if c == 1 else f"the {NUMBER_NAMES.get(c, c)} {plural(n)}")
    return " and ".join(items)


def _one(inst: tuple[str, int], groups: dict) -> str:
    """One object in words: 'the red block'; in a group of several colours, its own colour."""
    name, i = inst
    g = groups[name]
    if g["count"] == 1:
        return f"the {name}"
    color = g["colors"][i]
    if color in name.split(" "):
        return f"a {name}"
    return f"the {color} {name}"


def _list(inst: list[tuple[str, int]], groups: dict) -> str:
    """Several objects in words: 'the red block and the blue block'."""
    whole = [n for n in dict.fromkeys(n for n, _ in inst)
             if sum(1 for x in inst if x[0] == n) == groups[n]["count"] > 1]
    if whole and all(n in whole for n, _ in inst):  # whole groups: 'the two black wheels'
        return phrase(whole, groups)
    words = [_one(x, groups) for x in inst]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
