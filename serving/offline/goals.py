"""Writes the goal part of a generated `reset`: targets from base poses and slots, then `add_goal` calls.

One `GoalWriter` per task. It counts pick-and-place actions (one per object moved), keeps where every
moved object ends up (so a later "put X on it" targets the right place), and pays each goal
"objects in it / objects moved in the task" so the rewards sum to 1
(docs/task-api.md#task-goals, docs/task-api.md#reward-done).
"""

from __future__ import annotations

import math

from serving.offline import placement
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
        self.extra = 0
        self.n_bases = 0

    # -- helpers -------------------------------------------------------------------------------
    def asset(self, name: str) -> placement.Asset:
        g = self.groups[name]
        return placement.asset(g["kind"], g["size"])

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

    def new_base(self, label: str, size: tuple, kind: str, left_to_right: bool = False) -> str:
        self.n_bases += 1
        name = label if self.n_bases == 1 else f"{label} {self.n_bases}"
        return self.e.base(name, size, kind, left_to_right)

    def goal(
        self,
        inst: list[tuple[str, int]],
        targets: list[str],
        lang: str,
        *,
        matches: str = "ones",
        replace: bool = False,
    ) -> None:
        """Write targets and one add_goal for objects `inst` (group, index) to pose expressions.

        rotations=True even for round objects: with False the oracle keeps the object's yaw but still
        computes the place position for the target yaw, so the grasp offset lands rotated
        (docs/oracle.md#oracle-act).
        """
        n, m = len(inst), len(targets)
        objs = " + ".join(_runs(inst, self))
        syms = _symmetries([self.asset(g).symmetry for g, _ in inst])
        mat = f"np.ones(({n}, {m}))" if matches == "ones" else f"np.eye({n})"
        targ = (
            "[" + ", ".join(targets) + "]"
            if len(", ".join(targets)) < 80
            else "[\n            " + ",\n            ".join(targets) + "]"
        )
        k = len(self.calls)
        self.e.say(f"targets_{k} = {targ}")
        self.calls.append({"n": n, "line": len(self.e.lines)})
        self.e.say(
            f"self.add_goal(objs={objs}, matches={mat}, targ_poses=targets_{k},",
            f"              replace={replace}, rotations=True, metric='pose', params=None,",
            f"              step_max_reward=REWARD_{k}, symmetries={syms},",
            f"              language_goal={lang!r})",
            "",
        )
        for (g, i), t in zip(inst, targets * n if m == 1 else targets):
            self.final[(g, i)] = f"targets_{k}[{targets.index(t)}]"

    # -- goal types ----------------------------------------------------------------------------
    def write_all(self, goals: list[dict]) -> None:
        """Write every goal, then put the rewards in (count of objects per goal / all objects)."""
        for g in goals:
            getattr(self, "write_" + g["type"])(g)
        total = sum(c["n"] for c in self.calls)
        for k, c in enumerate(self.calls):
            if c["line"] is None:  # a goal that writes its own rewards (hanoi, rope): the only goal
                continue
            for j in range(c["line"], c["line"] + 4):
                self.e.lines[j] = self.e.lines[j].replace(f"REWARD_{k}", _fraction(c["n"], total))
        # One action per object plus the spares; a swept pile needs many pushes (20 as in Ravens).
        self.moves = total
        # One more spare per six objects: a long task meets more failed picks (a 3 x 3 grid used all
        # of 9 + 1 actions in 3 of 4 episodes without it).
        self.extra = total // 6
        self.actions = (total + self.e.spare + self.extra) if self.calls else 20
        if any(g["type"] == "rope" for g in goals):
            self.actions = 20 + self.e.spare - 1  # as align-rope: a rope needs many small moves
        elif any(g["type"] == "hanoi" for g in goals):
            self.actions = 2 * total  # as the library's towers-of-hanoi: room for one retry per move

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
        lang = (
            f"put {phrase(g['objects'], self.groups)} {'in' if tk in ('bowl', 'container', 'zone') else 'on'} "
            f"the {target}"
        )
        if count > 1:  # several targets of this kind: any object to any of them
            targets = [self.pose_of(target, j) for j in range(count)]
            self.e.say(f"# Goal: {lang}.")
            return self.goal(inst, targets, lang, replace=len(inst) > count)
        base = self.pose_of(target, 0)
        surface = self.asset(target).height
        slots = placement.slots_on(tk, len(inst))
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
        towers = g.get("towers", 1)
        if towers > 1 and not g.get("target"):  # several towers: the objects split evenly, each its own base
            per = -(-len(inst) // towers)
            for t in range(towers):
                self._tower(inst[t * per : (t + 1) * per], None)
            return
        self._tower(inst, g.get("target"))

    def _tower(self, inst: list[tuple[str, int]], target: str | None) -> None:
        if not inst:
            return
        if target:
            g = {"target": target}
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
        self.e.say(
            "# Stack from the bottom up, one goal per object, so each goal only becomes current once",
            "# the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).",
        )
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
            base, surface = self.new_base("pyramid base", (0.07, 0.17, placement.PLATE_THICKNESS), "plate"), 0.001
        rows = placement.pyramid_slots(len(inst))
        self.e.say("# Pyramid rows (bottom first), each row one goal; blocks of a row may take any of its slots.")
        k = 0
        for r, slots in enumerate(rows):
            part = inst[k : k + len(slots)]
            k += len(slots)
            targets = [
                f"(utils.apply({base}, ({dx}, {dy}, {round(surface + dz, 4)})), {base}[1])" for dx, dy, dz in slots
            ]
            row_name = ["bottom", "middle", "top"][r] if len(rows) != 2 else ["bottom", "top"][r]
            self.goal(part, targets, f"put {_list(part, self.groups)} on the {row_name} row of the pyramid")

    def write_build(self, g: dict) -> None:
        s = g["structure"]
        parts = g["objects"]
        inst = self.instances(parts)
        if s == "wall":
            rows, cols = g.get("rows") or 2, g.get("cols") or math.ceil(len(inst) / 2)
            base = self.new_base("wall base", (round(0.05 * cols + 0.04, 3), 0.08, placement.PLATE_THICKNESS), "plate")
            slots = placement.row(cols, 0.05)
            names = ["bottom", "second", "third"] if rows > 2 else ["bottom", "top"]
            levels = [
                (
                    inst[r * cols : (r + 1) * cols],
                    [(x, y, round(0.021 + 0.04 * r, 3)) for x, y, _ in slots],
                    names[r] if rows > 1 else "only",
                )
                for r in range(rows)
            ]
        else:
            size = {"bridge": (0.18, 0.08), "house": (0.16, 0.08), "car": (0.16, 0.08), "sandwich": (0.12, 0.12)}[s]
            base = self.new_base(f"{s} base", size + (placement.PLATE_THICKNESS,), "plate")
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
        plate = placement.PLATE_THICKNESS
        if s == "sandwich":
            z1 = plate + h[0] / 2
            z2 = plate + h[0] + h[1] / 2
            z3 = plate + h[0] + h[1] + h[0] / 2
            return [
                (a[0][:1], [(0, 0, round(z1, 4))], "as the bottom"),
                (a[1], [(0, 0, round(z2, 4))], "in the middle"),
                (a[0][1:], [(0, 0, round(z3, 4))], "on top"),
            ]
        gap = {"bridge": 0.08, "house": 0.06, "car": 0.07}[s]
        levels = [
            (a[0], [(x, y, round(plate + h[0] / 2, 4)) for x, y, _ in placement.row(2, gap)], "as the supports"),
            (a[1], [(0, 0, round(plate + h[0] + h[1] / 2, 4))], "on top"),
        ]
        if s == "car":
            levels.append((a[2], [(0, 0, round(plate + h[0] + h[1] + h[2] / 2, 4))], "as the cabin on top"))
        return levels

    def write_line(self, g: dict) -> None:
        inst = self.instances(g["objects"])
        n = len(inst)
        spacing = 0.06 if max(self.asset(nm).size[0] for nm, _ in inst) <= 0.04 else 0.08
        length = round(spacing * (n - 1) + 0.06, 3)
        direction = g.get("direction")
        base = self.new_base("line", (length, 0.06, 0), "line", left_to_right=bool(direction))
        slots = placement.row(n, spacing)
        if direction == "right_to_left":
            slots = slots[::-1]
        targets = [
            f"(utils.apply({base}, ({x}, 0, {self.asset(nm).height / 2})), {base}[1])"
            for (nm, _), (x, _, _) in zip(inst, slots)
        ]
        lang = f"line up {phrase(g['objects'], self.groups)} along the line"
        if direction:
            lang += f" from {direction.replace('_to_', ' to ')}"
            return self.goal(inst, targets, lang, matches="eye")  # each object its own place in the order
        self.e.say(f"# Goal: {lang}, {spacing * 100:g} cm apart.")
        self.goal(inst, targets, lang)

    def write_order_by_size(self, g: dict) -> None:
        inst = self.instances(g["objects"])
        n = len(inst)
        base = self.new_base("line", (round(0.08 * (n - 1) + 0.08, 3), 0.08, 0), "line")
        slots = placement.row(n, 0.08)
        if g.get("descending"):
            slots = slots[::-1]
        targets = [
            f"(utils.apply({base}, ({x}, 0, {self.asset(nm).height / 2})), {base}[1])"
            for (nm, _), (x, _, _) in zip(inst, slots)
        ]
        order = "largest to smallest" if g.get("descending") else "smallest to largest"
        kind = plural(self.groups[inst[0][0]]["kind"])
        lang = f"line up the {kind} from {order}"
        self.e.say(f"# Goal: {order} along the line; each object has its own slot (np.eye).")
        self.goal(inst, targets, lang, matches="eye")

    def write_circle(self, g: dict) -> None:
        inst = self.instances(g["objects"])
        radius, slots = placement.ring(len(inst))
        d = round(2 * radius + 0.06, 3)
        base = self.new_base("circle center", (d, d, 0), "center")
        lines = [
            f"(utils.apply({base}, ({x}, {y}, {self.asset(nm).height / 2})), {base}[1])"
            for (nm, _), (x, y, _) in zip(inst, slots)
        ]
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

    def write_relation(self, g: dict) -> None:
        """Objects beside a reference: targets are world offsets from where the reference is (or ends
        up), identity orientation, so left/right/front/behind are as seen in the video."""
        inst = self.instances(g["objects"])
        ref = self.pose_of(g["target"], 0)
        offsets = relation_offsets(g, self.groups)
        rel = RELATION_WORDS[g["relation"]]
        lang = f"put {phrase(g['objects'], self.groups)} {rel} the {g['target']}"
        k = len(self.calls)
        self.e.say(
            f"# Goal: {lang}"
            + (
                " (as seen in the video: left is -y, front is +x)."
                if g["relation"] in ("left", "right", "front", "behind")
                else "."
            ),
            f"reference_{k} = {ref}[0]",
        )
        targets = [
            f"((reference_{k}[0] + {dx}, reference_{k}[1] + {dy}, {self.asset(nm).height / 2}), (0, 0, 0, 1))"
            for (nm, _), (dx, dy) in zip(inst, offsets)
        ]
        self.goal(inst, targets, lang)

    write_around = write_relation

    def write_between(self, g: dict) -> None:
        inst = self.instances(g["objects"])
        (a, i), (b, j) = g["targets"]
        _, (dx, dy) = relation_offsets(g, self.groups)
        first, second = self.pose_of(a, i), self.pose_of(b, j)
        lang = (
            f"put {phrase(g['objects'], self.groups)} between {_one((a, i), self.groups)} and "
            f"{_one((b, j), self.groups)}"
        )
        k = len(self.calls)
        self.e.say(f"# Goal: {lang}: the midpoint of the two.", f"ends_{k} = ({first}[0], {second}[0])")
        z = self.asset(inst[0][0]).height / 2
        self.goal(
            inst,
            [f"(((ends_{k}[0][0] + ends_{k}[1][0]) / 2, (ends_{k}[0][1] + ends_{k}[1][1]) / 2, {z}), (0, 0, 0, 1))"],
            lang,
        )

    def write_distribute(self, g: dict) -> None:
        """'two in each of the three bowls': one goal per container with its share of the objects."""
        target = g["target"]
        tk = self.groups[target]["kind"]
        self.bowl_target |= tk == "bowl"
        self.e.say(f"# Goal: {g['per']} object{'s' if g['per'] > 1 else ''} in each {tk}, one goal per {tk}.")
        n_targets = self.groups[target]["count"]
        for j in range(n_targets):
            # each group shares out evenly: 'a red and a blue block in each zone' gives each zone one of each
            part = [
                (nm, i)
                for nm in g["objects"]
                for i in range(self.groups[nm]["count"])
                if i // max(self.groups[nm]["count"] // n_targets, 1) == j
            ]
            base = self.pose_of(target, j)
            surface = self.asset(target).height
            slots = placement.slots_on(tk, len(part))
            targets = [
                f"(utils.apply({base}, ({dx}, {dy}, {round(surface + dz + self.asset(nm).height / 2, 4)})), {base}[1])"
                for (nm, _), (dx, dy, dz) in zip(part, slots)
            ]
            lang = f"put {_list(part, self.groups)} in {tk} {j + 1}"
            if len(set(slots)) == 1:
                self.goal(part, targets[:1], lang, replace=len(part) > 1)
            else:
                self.goal(part, targets, lang)

    def write_remove(self, g: dict) -> None:
        """Objects onto free table spots: one free region drawn after everything is spawned, with a row
        of spots in it (independent draws could pick the same spot twice)."""
        inst = self.instances(g["objects"])
        n = len(inst)
        spacing = max(self.asset(nm).size[0] for nm, _ in inst) + 0.03
        k = len(self.calls)
        src = f" off the {g['source']}" if g.get("source") else ""
        lang = f"move {phrase(g['objects'], self.groups)}{src} onto the table"
        self.e.say(
            f"# Goal: {lang}: a free stretch of table, found now that everything is spawned.",
            f"spots_{k} = self.get_random_pose(env, ({round(spacing * n + 0.02, 3)}, {round(spacing + 0.02, 3)}, 0))",
        )
        targets = [
            f"(utils.apply(spots_{k}, ({x}, 0, {self.asset(nm).height / 2})), spots_{k}[1])"
            for (nm, _), (x, _, _) in zip(inst, placement.row(n, spacing))
        ]
        self.goal(inst, targets, lang)

    def write_arrange(self, g: dict) -> None:
        """A square (4 corners or 8 corner and side points) or an R x C grid around a free centre."""
        inst = self.instances(g["objects"])
        n = len(inst)
        spacing = max(self.asset(nm).size[0] for nm, _ in inst) + 0.04
        if g["shape"] == "square":
            slots = placement.square_slots(n, spacing)
            extent = 2 * spacing if n == 8 else spacing
            desc = "in a square"
        else:
            slots = placement.grid_slots(g["rows"], g["cols"], spacing, n)
            extent = max(g["rows"], g["cols"]) * spacing
            desc = f"in a {g['rows']} by {g['cols']} grid"
        d = round(extent + 0.08, 3)
        # A thin plate reserves the area before the objects are spawned (a free square this big is
        # rarely left once nine objects are on the table).
        base = self.new_base(f"{g['shape']} base", (d, d, placement.PLATE_THICKNESS), "plate")
        targets = [
            f"(utils.apply({base}, ({x}, {y}, {round(placement.PLATE_THICKNESS + self.asset(nm).height / 2, 4)})), "
            f"{base}[1])"
            for (nm, _), (x, y, _) in zip(inst, slots)
        ]
        k = len(self.calls)
        lang = f"arrange {phrase(g['objects'], self.groups)} {desc}"
        self.e.say(f"# Goal: {lang}, {spacing * 100:g} cm apart; a corner marker shows each spot.")
        self.goal(inst, targets, lang)
        self.e.say(f"for target in targets_{k}:", "    self.add_corner_anchor_for_pose(env, target)", "")

    def write_hanoi(self, g: dict) -> None:
        """Towers of Hanoi as the library task: the stand, n disks on rod 0 (largest at the bottom),
        one goal per move of the optimal solution (2^n - 1 moves)."""
        n = self.groups[g["objects"][0]]["count"]
        self.e.say(
            "# The hanoi stand: three tiles in a row, each with a vertical rod.",
            "base_size = (0.12, 0.36, 0.01)",
            "base_pose = self.get_random_pose(env, base_size)",
            "env.add_object('hanoi/stand.urdf', base_pose, 'fixed')",
            "rod_pos = ((0, -0.12, 0.03), (0, 0, 0.03), (0, 0.12, 0.03))",
            "",
            f"# {n} disks on the first rod, disk{n - 1} (the largest) at the bottom, 1.5 cm apart.",
            f"n_disks = {n}",
            "disks = []",
            "rod0 = utils.apply(base_pose, rod_pos[0])",
            "for i in range(n_disks):",
            "    z = 0.015 * (n_disks - i - 2)",
            "    disks.append(env.add_object(f'hanoi/disk{i}.urdf', ((rod0[0], rod0[1], rod0[2] + z), base_pose[1])))",
            "",
            "# One goal per move of the optimal solution; rings are round (symmetry 0).",
            "steps = utils.solve_hanoi_all(n_disks)",
            "for disk, _, to_rod in steps:",
            "    target = (utils.apply(base_pose, rod_pos[to_rod]), (0, 0, 0, 1))",
            "    self.add_goal(objs=[disks[disk]], matches=np.int32([[1]]), targ_poses=[target],",
            "                  replace=False, rotations=True, metric='pose', params=None,",
            "                  step_max_reward=1 / len(steps), symmetries=[0],",
            f"                  language_goal='move the stack of {n} disks to the rod at the other end')",
        )
        self.calls.append({"n": 2**n - 1, "line": None})

    def write_rope(self, g: dict) -> None:
        """A 20-bead rope laid along a black line (align-rope's geometry) or closing the open side of a
        three-sided square (manipulating-rope)."""
        color = self.groups[g["objects"][0]]["colors"][0]
        self.e.say(
            "# Rope geometry: 20 beads of 5 mm radius; its laid-out length is 2 r n sqrt(2).",
            "n_parts, radius = 20, 0.005",
            "length = 2 * radius * n_parts * np.sqrt(2)",
        )
        if g["shape"] == "square":
            self.e.say(
                "# A three-sided square, open on its +y side; the rope closes it.",
                "square_size = (length, length, 0)",
                "square_pose = self.get_random_pose(env, square_size)",
                "square_urdf = self.fill_template('square/square-template.urdf', "
                "{'DIM': (length,), 'HALF': (length / 2 - 0.005,)})",
                "env.add_object(square_urdf, square_pose, 'fixed')",
                "corners = (utils.apply(square_pose, (length / 2, length / 2, 0.001)),",
                "           utils.apply(square_pose, (-length / 2, length / 2, 0.001)))",
            )
            lang = "close the open side of the square with the rope"
        else:
            self.e.say(
                "# A black line as long as the rope; the rope is straightened along it.",
                "line_size = (length, 0.04, 0)",
                "line_pose = self.get_random_pose(env, line_size)",
                "line_urdf = self.fill_template('line/line-template.urdf', {'DIM': (length, 0.01, 0.001)})",
                "env.add_object(line_urdf, line_pose, 'fixed', color=utils.COLORS['black'])",
                "corners = (utils.apply(line_pose, (-length / 2, 0, 0.001)),",
                "           utils.apply(line_pose, (length / 2, 0, 0.001)))",
            )
            lang = "straighten the rope along the line"
        self.e.say(
            f"objects, targets, matches = self.make_ropes(env, corners=corners, radius=radius, "
            f"n_parts=n_parts, color_name={color!r})",
            "self.add_goal(objs=objects, matches=matches, targ_poses=targets, replace=False,",
            "              rotations=False, metric='pose', params=None, step_max_reward=1,",
            f"              language_goal={lang!r})",
            "# Let the bead chain settle before the first action.",
            "for _ in range(480):",
            "    p.stepSimulation()",
        )
        self.e.uses_p = True
        self.calls.append({"n": 20, "line": None})

    def write_sweep(self, g: dict) -> None:
        """A pile of PILE_BLOCKS 2 cm cubes pushed into a zone. make_piles' 1 cm cubes are about 3 pixels
        wide in the oracle's view, so after its 3x3 erosion (docs/oracle.md#oracle-act) lone cubes vanish and
        the oracle keeps pushing the ones already inside; 2 cm cubes stay visible and give one zone point
        each."""
        pile, zone = g["objects"][0], g["target"]
        color = self.groups[pile]["colors"][0]
        self.e.say(
            f"# A pile of {self.pile_blocks} cubes of 2 cm, scattered within 5 cm of a free spot.",
            "pile_size = (0.15, 0.15, 0.02)",
            "pile_center = self.get_random_pose(env, pile_size)[0]",
            "cube_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.02, 0.02, 0.02)})",
            "pile_ids = []",
            f"for _ in range({self.pile_blocks}):",
            "    x, y = pile_center[0] + np.random.uniform(-0.05, 0.05), "
            "pile_center[1] + np.random.uniform(-0.05, 0.05)",
            "    rotation = utils.eulerXYZ_to_quatXYZW((0, 0, np.random.uniform(0, 2 * np.pi)))",
            f"    pile_ids.append(env.add_object(cube_urdf, ((x, y, 0.01), rotation), color=utils.COLORS[{color!r}]))",
            "",
            "# Goal: every cube inside the zone (zone metric: the fraction of cubes inside).",
            f"zone_size = {self.asset(zone).size!r}",
            f"zone_pose = {self.pose_of(zone, 0)}",
            "self.add_goal(objs=pile_ids, matches=np.ones((len(pile_ids), 1)), targ_poses=[zone_pose],",
            "              replace=True, rotations=False, metric='zone',",
            "              params=[(zone_pose, zone_size)], step_max_reward=1,",
            f"              language_goal={'push the pile of cubes into the ' + zone!r})",
        )


def relation_offsets(goal: dict, groups: dict) -> list[tuple]:
    """(dx, dy) world offsets from the reference's centre of each moved object of a relation, around
    or between goal (between: the second reference first, then the object between them)."""
    movers = [(n, i) for n in goal["objects"] for i in range(groups[n]["count"])]
    m_half = max(placement.half_extent(groups[n]["kind"], groups[n]["size"]) for n, _ in movers)
    if goal["type"] == "between":
        (a, _), (b, _) = goal["targets"]
        ga, gb = groups[a], groups[b]
        d = (
            max(placement.half_extent(ga["kind"], ga["size"]), placement.half_extent(gb["kind"], gb["size"]))
            + m_half
            + placement.GAP
        )
        return [(0.0, round(2 * d, 4)), (0.0, round(d, 4))]
    ref = groups[goal["target"]]
    r_half = placement.half_extent(ref["kind"], ref["size"])
    if goal["type"] == "around":
        return placement.ring_around(r_half, m_half, len(movers))
    return placement.side_slots(goal["relation"], r_half, m_half, len(movers))


RELATION_WORDS = {
    "left": "to the left of",
    "right": "to the right of",
    "front": "in front of",
    "behind": "behind",
    "next": "next to",
    "around": "around",
}


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
        colors = groups[n]["colors"]
        if 1 < c <= 5 and all(colors) and len(set(colors)) == c and not n.split(" ")[-1].isdigit():
            # 'the red, green and blue blocks': which ones, when each has its own colour
            items.append(f"the {', '.join(colors[:-1])} and {colors[-1]} {plural(n)}")
        elif c > 1 and all(colors) and 1 < len(set(colors)) <= 4 and not n.split(" ")[-1].isdigit():
            # 'the three red and two green balls'
            per = [
                f"{NUMBER_NAMES.get(colors.count(k), colors.count(k)) if colors.count(k) > 1 else 'one'} {k}"
                for k in dict.fromkeys(colors)
            ]
            items.append(f"the {', '.join(per[:-1])} and {per[-1]} {plural(n)}")
        else:
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
    whole = [
        n for n in dict.fromkeys(n for n, _ in inst) if sum(1 for x in inst if x[0] == n) == groups[n]["count"] > 1
    ]
    if whole and all(n in whole for n, _ in inst):  # whole groups: 'the two black wheels'
        return phrase(whole, groups)
    words = [_one(x, groups) for x in inst]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
