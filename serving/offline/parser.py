"""Plain-English tabletop idea -> structured task spec, by composing small rules (no language model).

    from serving.offline.parser import understand
    spec = understand("stack three red blocks, then put the ball in the green bowl")

An idea is split into clauses at "then" / ";" / "." and at "and" before a verb. In each clause noun
phrases are read as object groups (count, colours, size, kind: "two red and one blue block" -> two
groups), and the clause's verb or structure word picks the goal: place, stack, pyramid, build (wall,
bridge, house, car, sandwich), line, circle, sort, order_by_size, insert, sweep. Groups named twice
("the red block" in two clauses) are the same objects. Pronouns ("it", "them") mean the objects moved
by the previous clause. The result is JSON-serialisable:

    {"idea", "objects": [{"name", "kind", "colors": [str]*count, "size", "count", "fixed"}],
     "goals": [{"type", "objects": [names], "target": name | None, "structure"?: str}], "notes": [str]}

Ideas that name nothing the generator can build raise `NotUnderstood` (the backend turns it into a
refusal with a suggestion).
"""

from __future__ import annotations

import dataclasses
import math
import re

from serving.offline import lexicon as lx

# Scene limits that keep tasks physically reliable on a 0.5 x 1.0 m table (workspace:
# docs/task-api.md#key-numbers).
MAX_MOVABLE = 10
MAX_STACK = 6
# Objects per goal type: a 6-block tower is 24 cm (the arm carries at 32 cm); 6 blocks 6 cm apart make a
# 36 cm line, which fits the 50 cm deep table in any direction; 8 around a circle keep 7 cm apart;
# 6 fill a 12 cm zone on a 4.5 cm grid.
CAPS = {
    "stack": MAX_STACK,
    "line": 6,
    "circle": 8,
    "place": 6,
    "pyramid": 6,
    "order_by_size": 3,
    "square": 8,
    "grid": 9,
}
VERBS = lx.VERBS
PREPOSITIONS = ("into", "in", "inside", "onto", "on", "to", "at", "over", "atop", "within")
STRUCTURES = ("wall", "bridge", "house", "car", "sandwich")
BUILD_VERBS = {"build", "make", "assemble", "construct", "create", "form", "erect", "set", "stack", "pile"}
# Parts each structure is built from when the idea does not list them: (kind, colour, count, size).
STRUCTURE_PARTS = {
    "wall": [("block", None, 6, "medium")],
    "bridge": [("block", None, 2, "medium"), ("plank", "yellow", 1, "medium")],
    "house": [("block", None, 2, "medium"), ("plank", "red", 1, "medium")],
    "car": [("wheel", "black", 2, "medium"), ("plank", "blue", 1, "medium"), ("block", "yellow", 1, "medium")],
    "sandwich": [("plank", "brown", 2, "medium"), ("plank", "green", 1, "small")],
}
# Colours given to objects the idea did not colour, chosen to differ from named ones.
PALETTE = ("red", "blue", "green", "yellow", "orange", "purple", "cyan", "pink", "white", "brown")


class NotUnderstood(ValueError):
    """The idea names no object or action the offline generator can build; message says why."""


@dataclasses.dataclass
class Group:
    """Objects of one kind, size and colour list; `colors[i]` is None where the idea named none."""

    kind: str
    colors: list
    size: str = "medium"
    quantified: bool = False  # "all"/"each"/"every" without a number
    counted: bool = False  # the idea gave a number
    start: str | None = None  # name of the group these objects begin on or in ("off the pallet")

    @property
    def count(self) -> int:
        return len(self.colors)


def split_clauses(tokens: list[str]) -> list[list[str]]:
    """Split tokens at 'then', ';', '.', at 'and'/',' when a verb follows, and at 'and the' when both
    sides name a target ('put X in Y and the Z in W')."""
    clauses, cur = [], []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        rest = tokens[i + 1 :]
        # "put X in Y and the Z in W": a second object-and-target pair after a complete clause.
        where = PREPOSITIONS + tuple(RELATION_WORDS)
        second_pair = (
            tok in ("and", ",")
            and (nxt in ("the", "a", "an") or lx.number_of(nxt) or lx.color_of(nxt))
            and any(t in where for t in cur[1:])
            and any(t in where for t in rest[:8])
            and classify(cur) == "place"
            and not (set(rest[:8]) & set(VERBS))
        )
        # "blue at the bottom, then yellow, then red on top": one ordered tower, not three clauses.
        ordered = "bottom" in cur and tok in ("then", ",", "next", "finally") and nxt not in VERBS
        if ordered:
            cur.append(",")
            continue
        if tok == "after" and nxt in ("that", "this", "which"):
            tok = "then"  # 'after that' reads as 'then'; its 'that' is skipped below
        if cur[-1:] == ["then"] and tok in ("that", "this", "which"):
            continue
        if (
            (tok in ("then", ";", ".", "finally", "afterwards") or (tok == "next" and nxt != "to"))
            or second_pair
            or (tok in ("and", ",") and nxt in VERBS + ("pick", "grab", "take", "lift"))
        ):
            if cur:
                clauses.append(cur)
            cur = []
            continue
        cur.append(tok)
    if cur:
        clauses.append(cur)
    return [c for c in clauses if any(t not in ("and", ",") for t in c)]


def noun_phrases(tokens: list[str]) -> list[tuple[int, Group]]:
    """Object groups named in `tokens`, with the index of their noun.

    'two red and three blue blocks' -> [(5, Group(block, [red, red])), (5, Group(block, [blue]*3))];
    'a red, a green and a blue block' -> three groups of one; 'the blocks' -> one group, colour None.
    """
    out, pairs, count, size, quantified = [], [], None, "medium", False
    last_kind = None
    for i, tok in enumerate(tokens):
        num, color = lx.number_of(tok), lx.color_of(tok)
        kind = lx.NOUNS.get(tok)
        if tok == "one" and (pairs or i + 1 < len(tokens) and tokens[i + 1] in ("of",)) and last_kind:
            kind = last_kind  # "the blue one"
        if kind and not _is_verb_use(tokens, i):
            last_kind = kind
            quantified = quantified or tok == "everything"
            if not pairs:
                pairs = [(count, None)]
            for c, col in pairs:
                n = c if c is not None else (1 if not quantified else 0)
                g = Group(kind, [col] * max(n, 1), size, quantified and c is None, c is not None)
                if tok in ("pile", "heap") or (
                    kind == "block" and size == "small" and c is None and tokens[i + 1 : i + 2] == [lx.PLURAL]
                ):
                    g.kind = "pile"
                out.append((i, g))
            pairs, count, size, quantified = [], None, "medium", False
        elif num is not None and not (tok == "one" and last_kind and pairs):
            count = num
        elif color:
            pairs.append((count, color))
            count = None if pairs and len(pairs) > 1 else count
        elif tok in lx.SIZE_WORDS:
            size = lx.SIZE_WORDS[tok]
        elif tok in lx.QUANTIFIERS:
            quantified = True
        elif tok == lx.PLURAL:  # "the blocks": more than one, however many the goal needs
            named = [g for at, g in out if at == i - 1]
            for g in named:  # "the red, green and blue balls": one of each colour named
                if not g.counted and not (len(named) > 1 and g.colors[0] is not None):
                    g.quantified = True
        elif tok in (
            "and",
            ",",
            "the",
            "of",
            "other",
            "colored",
            "color",
            "different",
            "some",
            "these",
            "those",
            "my",
            "your",
            "more",
            "remaining",
        ):
            continue
        else:
            pairs, count, size, quantified = [], None, "medium", False
    return _fix_shared_counts(out)


def _is_verb_use(tokens: list[str], i: int) -> bool:
    """'line up the blocks', 'pile up ...': here 'line' / 'pile' is the verb, not the noun."""
    return tokens[i] in ("line", "pile") and i + 1 < len(tokens) and tokens[i + 1] in ("up", "them", "the")


def _fix_shared_counts(groups: list[tuple[int, Group]]) -> list[tuple[int, Group]]:
    """'three red, green and blue blocks': one count shared by several colours means one of each
    colour when the count equals the number of colours."""
    by_noun: dict[int, list[Group]] = {}
    for i, g in groups:
        by_noun.setdefault(i, []).append(g)
    for gs in by_noun.values():
        if len(gs) > 1 and gs[0].counted and not any(g.counted for g in gs[1:]) and gs[0].count == len(gs):
            gs[0].colors = gs[0].colors[:1]
    return groups


def _structure_word(tokens):
    return next((t for t in tokens if t in STRUCTURES), None)


def classify(tokens: list[str]) -> str:
    """Goal type of one clause from its keywords (first rule that fires wins)."""
    has = set(tokens).__contains__
    text = " ".join(tokens)
    if (
        "pile up" in text
        or tokens[:1] == ["pile"]
        and "into" not in tokens
        or "on top of one another" in text
        or "on top of each other" in text
    ):
        return "stack"  # 'pile the blocks on top of one another': pile as a verb
    if has("sweep") or ((has("pile") or has("heap") or (has("push") and has("small"))) and not has("stack")):
        return "sweep"
    if has("ell") or has("fixture") or has("kit") or has("slot") or has("hole"):
        return "insert"
    if has("pyramid"):
        return "pyramid"
    if has("corner"):
        return "place"
    if _structure_word(tokens) and (set(tokens) & BUILD_VERBS or tokens[0] in STRUCTURES):
        return "build"  # 'build a car'; 'put the toy car in the box' is not a request to build one
    if has("stack") or has("tower") or "on top of each other" in text or "pile up" in text:
        return "stack"
    if has("grid"):
        return "grid"
    if has("square") and ("a square" in text or re.search(r"square (shape|formation|pattern)", text)):
        return "square"
    if has("circle") or has("ring"):
        return "circle"
    arranging = set(tokens) & {"order", "arrange", "line", "align", "sort", "rank", "row", "organize", "organise"}
    if (
        "by size" in text
        or ("order" in text and "size" in text)
        or has("ascending")
        or has("descending")
        or (arranging and (has("smallest") or has("largest") or has("biggest")))
    ):
        return "order_by_size"
    if ("line up" in text or has("row") or has("line")) and ("by color" in text or has("color")):
        return "line"  # 'line up the blocks by colour': a line, grouped by colour
    if has("sort") or has("matching") or has("match") or "same color" in text or "by color" in text or has("group"):
        return "sort"
    if (
        "line up" in text
        or has("align")
        or has("row")
        or has("line")
        or "in a line" in text
        or "side by side" in text
        or "next to each other" in text
    ):
        return "line"
    return "place"


@dataclasses.dataclass
class Scene:
    """Object groups of the whole idea, merged by (kind, colours, size) across clauses."""

    groups: list = dataclasses.field(default_factory=list)
    names: list = dataclasses.field(default_factory=list)

    def add(self, g: Group, reuse: bool = True) -> str:
        """Register `g` (or find the same group already named) and return its name."""
        if reuse:
            for name, other in zip(self.names, self.groups):
                if (
                    other.kind == g.kind
                    and other.size == g.size
                    and (other.colors == g.colors or (not g.counted and set(g.colors) == set(other.colors[:1])))
                ):
                    return name
        base = " ".join(
            x
            for x in (
                g.size if g.size != "medium" else "",
                g.colors[0] if len(set(g.colors)) == 1 and g.colors[0] else "",
                g.kind,
            )
            if x
        )
        name, k = base, 2
        while name in self.names:
            name, k = f"{base} {k}", k + 1
        self.groups.append(g)
        self.names.append(name)
        return name

    def group(self, name: str) -> Group:
        return self.groups[self.names.index(name)]


def understand(idea: str) -> dict:
    """Parse `idea` (any case, punctuation, numbers in digits or words) into the spec dict above.

    Raises NotUnderstood when no clause names something buildable.
    """
    if not isinstance(idea, str) or not idea.strip():
        raise NotUnderstood("the idea is empty; describe objects and what to do with them")
    tokens = lx.strip_preamble(lx.words(idea))
    special = _whole_idea(tokens)
    if special:
        return dict(special, idea=idea.strip())
    scene, goals, notes, previous = Scene(), [], [], []
    for clause in split_clauses(tokens):
        goal = _clause_goal(clause, scene, previous, notes)
        if goal:
            if (
                goals
                and (goals[-1].pop("pick", False) or goals[-1]["type"] == "remove" and goals[-1].get("source"))
                and goal["type"] != "hold"
                and set(goals[-1]["objects"]) <= set(goal["objects"])
            ):
                # "take the ball out of the box and put it in the bowl": one move, not two
                goal.setdefault("source", goals.pop()["source"])
            if goal["type"] == "tower_beside":  # one clause, two goals: the bottom object, then the rest
                goals.extend(goal["parts"])
                previous = goal["parts"][0]["objects"] + goal["parts"][1]["objects"]
                continue
            previous = goal["objects"]
            if goal["type"] != "hold":
                goals.append(goal)
    if goals:
        goals[-1].pop("pick", None)
    if any(g["type"] == "sweep" for g in goals) and len(goals) > 1:
        notes.append("sweeping uses the spatula for the whole task, so only the sweep was kept")
        goals = [g for g in goals if g["type"] == "sweep"][:1]
        used = set(goals[0]["objects"]) | {goals[0]["target"]}
        for name in [n for n in scene.names if n not in used]:
            k = scene.names.index(name)
            del scene.names[k], scene.groups[k]
    if not goals:
        raise NotUnderstood(
            "; ".join(notes)
            if notes
            else "I could not find objects to move (blocks, balls, cylinders...) and a place or structure for them"
        )
    _limit_and_colour(scene, notes)
    return {
        "idea": idea.strip(),
        "objects": [
            {
                "name": n,
                "kind": g.kind,
                "colors": list(g.colors),
                "count": g.count,
                "size": g.size,
                "fixed": g.kind in lx.FIXED_KINDS,
                **({"start": g.start} if g.start else {}),
            }
            for n, g in zip(scene.names, scene.groups)
        ],
        "goals": goals,
        "notes": notes,
    }


def _clause_goal(clause: list[str], scene: Scene, previous: list[str], notes: list[str]) -> dict | None:
    """The goal dict of one clause, registering its objects in `scene`; None if nothing to do."""
    if clause[:1] == ["fill"] and "with" in clause:  # 'fill each bowl with two balls' = 'put two balls in each bowl'
        w = clause.index("with")
        clause = ["put"] + clause[w + 1 :] + ["in"] + clause[1:w]
    clause, excepted = split_except(clause)
    if not clause:
        return None
    if excepted:
        goal = _clause_goal(clause, scene, previous, notes)
        if goal:
            _add_excepted(goal, excepted, clause, scene)
        return goal
    kind = classify(clause)
    # A named line is drawn by the line goal itself; a pile only means something to a sweep.
    phrases = [(i, g) for i, g in noun_phrases(clause) if g.kind != "line"]
    if kind != "sweep":
        for _, g in phrases:
            if g.kind == "pile":
                g.kind, g.size = "block", "small"
    if "it" in clause or "them" in clause:
        pronoun_at = clause.index("it") if "it" in clause else clause.index("them")
        prev_groups = [(pronoun_at, scene.group(n)) for n in previous]
        phrases = sorted(phrases + prev_groups, key=lambda p: p[0])
    for i, g in phrases:
        if g.kind == "box" and ("out" in clause[max(i - 4, 0) : i] or "from" in clause[max(i - 3, 0) : i]):
            g.kind = "container"  # "take the ball out of the box": an open box
    prep = next((i for i, t in enumerate(clause) if t in PREPOSITIONS and i > 0), None)
    if "top" in clause and "of" in clause:
        prep = clause.index("top")
    if kind == "stack" and "bottom" in clause:  # "a red block at the bottom and a blue one on top"
        prep = None
    movers = [g for i, g in phrases if prep is None or i < prep]
    targets = [g for i, g in phrases if prep is not None and i > prep]
    if clause[0] in ("pick", "grab", "take", "lift") and _source_at(clause) is not None:
        goal = _move_goal(clause, phrases, scene, notes)
        if goal:
            return dict(goal, pick=goal["type"] == "remove")
    if clause[0] in ("pick", "grab", "take", "lift") and not targets:
        # "pick up the yellow block and put it in ...": only names what 'it' means next.
        return {"type": "hold", "objects": [scene.add(g) for g in movers]} if movers else None
    for g in targets:
        if g.kind == "box" and clause[prep] in ("in", "into", "inside"):
            g.kind = "container"  # "put it in the box": an open box
    moved_structure = next(
        (
            t
            for i, t in enumerate(clause[1:], 1)
            if t in ("tower", "stack", "pyramid", "wall")
            and clause[i - 1] in ("the", "this", "that", "it")
            and not set(clause[:i]) & set(PREPOSITIONS + ("top",))
        ),
        None,
    )
    if moved_structure and clause[0] in ("put", "move", "place", "bring", "take", "carry", "set", "push"):
        notes.append(
            f"the arm carries one object at a time, so '{' '.join(clause)}' (moving the whole "
            f"{moved_structure}) was not kept"
        )
        return None
    rel = find_relation(clause)
    if rel and kind not in ("build", "sweep", "insert", "pyramid", "sort"):
        goal = _relation_goal(clause, rel, phrases, scene, notes, tower=kind == "stack")
        if (
            goal is not None
            and kind not in ("place", "line", "stack")
            and goal["type"] not in ("stack",)
            and not (kind == "circle" and goal["type"] == "around")
        ):
            shape = next(
                (t for t in clause if t in ("tower", "stack", "wall", "row", "grid", "square", "pyramid")), kind
            )
            notes.append(
                f"the {shape} itself is not built: the objects are only placed {rel_text(clause[rel[0]])} the "
                f"{goal.get('target') or 'others'}"
            )
        if goal is not None:
            return goal  # else the relation could not be kept (a note says why): read the rest as usual
    if kind in ("place", "line", "stack") and _source_at(clause) is not None:
        goal = _move_goal(clause, phrases, scene, notes)
        if goal:
            return goal
    if any(g.kind == "table" for g in targets) and kind == "place":
        return _table_goal(movers, scene, notes)
    phrases = [(i, g) for i, g in phrases if g.kind != "table"]
    movers = [g for g in movers if g.kind != "table"]
    targets = [g for g in targets if g.kind != "table"]
    if kind == "stack" and "bottom" in clause and not set(clause) & {"largest", "biggest", "smallest"}:
        return _ordered_tower(clause, phrases, scene, notes)
    last_noun = max((i for i, _ in phrases), default=-1)
    dangling = [t for t in clause[last_noun + 1 :] if lx.color_of(t)]
    if kind == "stack" and len(dangling) >= 2 and not chain_named(clause):
        # 'stack the blocks in the order red, green, blue': the colours listed after the noun, bottom first
        return _ordered_tower(["bottom"] + dangling, phrases, scene, notes)
    colours = [(i, lx.color_of(t)) for i, t in enumerate(clause) if lx.color_of(t)]
    if (
        kind in ("stack", "place")
        and len(colours) >= 2
        and not [g for _, g in phrases if g.kind not in lx.FIXED_KINDS]
        and all("on" in clause[a:b] for (a, _), (b, _) in zip(colours, colours[1:]))
    ):
        # 'stack red on green on blue': the last colour named is at the bottom
        return _ordered_tower(["bottom"] + [c for _, c in reversed(colours)], phrases, scene, notes)
    if kind == "build":
        return _build_goal(_structure_word(clause), movers + targets, scene, clause, notes)
    if kind in ("sweep", "insert"):
        return _special_goal(kind, phrases, scene)
    movers = [g for g in movers if g.kind not in lx.FIXED_KINDS] or [g for g in targets if g.kind not in lx.FIXED_KINDS]
    chain = [g for g in targets if g.kind not in lx.FIXED_KINDS and g not in movers]
    if kind in ("place", "stack") and chain and len(movers) == 1 and (len(chain) >= 2 or chain[0].count == 1):
        return _chain_stack(movers, chain, scene, notes)
    base = next((g for g in targets if g.kind in lx.FIXED_KINDS or g not in movers), None)
    each_at = next((i for i in range(prep or 0, len(clause)) if clause[i] in ("each", "every", "all", "both")), None)
    if (
        kind == "place"
        and base is not None
        and base.kind in lx.FIXED_KINDS
        and prep is not None
        and each_at is not None
        and any(lx.NOUNS.get(t) == base.kind for t in clause[each_at : each_at + 5])
    ):
        return _distribute_goal(movers, base, scene, notes)  # 'in each of the three bowls', 'in every bowl'
    if (
        kind == "place"
        and base is not None
        and base.kind in lx.FIXED_KINDS
        and prep is not None
        and set(clause[prep:]) & {"different", "own", "per", "separate"}
        and movers
    ):
        # 'each block in a different bowl': as many containers as objects, one in each
        if not any(g.counted for g in movers):
            movers = [Group(movers[0].kind, movers[0].colors[:1] * 3, movers[0].size, counted=True)]
        if len({(g.kind, g.size) for g in movers}) > 1:
            notes.append("objects of different kinds share one row of containers in the order named")
        merged = Group(movers[0].kind, [c for g in movers for c in g.colors], movers[0].size, counted=True)
        _cap([merged], 6, "'each in its own container'", notes)
        base.colors, base.counted = base.colors[:1] * merged.count, True
        return {"type": "distribute", "objects": [scene.add(merged, reuse=False)], "target": scene.add(base), "per": 1}
    if base and base.kind == "line":  # "put the cubes on the line": the line goal draws its own line
        kind, base = ("line" if kind == "place" else kind), None
    if base is None and kind == "place":  # "align the box with the corner": any scenery named is the target
        base = next((g for _, g in phrases if g.kind in lx.FIXED_KINDS), None)
    if kind == "sort":
        return _sort_goal(movers, [g for _, g in phrases if g.kind in ("bowl", "zone", "container")], scene)
    defaults = {
        "stack": 3,
        "pyramid": 6,
        "line": 4,
        "circle": 6,
        "order_by_size": 3,
        "place": 1,
        "square": 4,
        "grid": 4,
    }
    dims = _dims(clause)
    rows_named = next(
        (
            lx.number_of(clause[i - 1])
            for i, t in enumerate(clause)
            if t in ("row", "line", "column") and i > 0 and (lx.number_of(clause[i - 1]) or 0) > 1
        ),
        None,
    )
    if kind == "line" and rows_named and not dims:  # 'in two rows': a grid of that many rows
        n = sum(g.count for g in movers if g.counted) or rows_named * 3
        kind, dims = "grid", (rows_named, -(-n // rows_named))
    if kind == "grid" and dims:
        defaults["grid"] = dims[0] * dims[1]
    movers = [g for g in movers if g.kind != "table"]
    if kind in ("square", "grid") and base is not None and base.kind == "zone":
        base = None  # 'in a square': the shape, not a zone
    if (
        kind == "stack"
        and "tower" in clause
        and "top" in clause
        and movers
        and not targets
        and clause.index("tower") > clause.index("top")
    ):
        # 'put a ball on top of the tower': the tower (three blocks) is built first, the ball goes on it
        notes.append("no tower was named before, so one of three blocks is built first")
        movers = [Group("block", [None] * 3, counted=True)] + movers
        names = add_distinct(scene, movers)
        return {"type": "stack", "objects": names, "target": None, "ordered": True}
    if not movers:
        if kind == "place":
            return None
        movers = [Group("block", [None] * defaults[kind])]
    each_color = re.search(r"\b(of|in) (each|every) color", " ".join(clause)) and movers[0].colors[0] is None
    if each_color:  # 'one block of each colour': which colours is not said; four, with a note
        per = movers[0].count if movers[0].counted else 1
        movers[0].colors, movers[0].counted = [c for c in EACH_COLOR for _ in range(per)], True
        notes.append(f"'each colour' was taken as {len(EACH_COLOR)} colours: {', '.join(EACH_COLOR)}")
    if kind == "stack" and "possible" in clause and not any(g.counted for g in movers):
        for g in movers:  # 'a tower as tall as possible': as tall as this table's towers go
            g.colors, g.counted = g.colors[:1] * MAX_STACK, True
    if kind == "stack" and "alternating" in clause:
        named = [c for g in movers for c in dict.fromkeys(g.colors) if c]
        if len(named) >= 2:  # 'a tower of alternating red and blue blocks': four, colours taking turns
            n = max(sum(g.count for g in movers if g.counted), 4)
            movers = [
                Group(movers[0].kind, [named[k % len(named)]], movers[0].size, counted=True)
                for k in range(min(n, MAX_STACK))
            ]
            return {
                "type": "stack",
                "objects": [scene.add(g, reuse=False) for g in movers],
                "target": None,
                "ordered": True,
            }
    towers = _tower_count(clause) if kind == "stack" else 1
    if towers > 1:  # 'two towers of three blocks': the count is per tower
        for g in movers:
            g.colors = (g.colors if g.counted else g.colors[:1] * defaults["stack"]) * towers
            g.counted = True
    for g in movers:
        if not g.counted and (g.quantified or (kind != "place" and len(movers) == 1 and g.colors[0] is None)):
            g.colors = g.colors[:1] * defaults[kind] if kind != "place" else g.colors[:1] * 2
    by_size = kind == "stack" and bool(set(clause) & {"largest", "biggest", "smallest"})
    direction = None
    if kind == "line" and ("left to right" in " ".join(clause) or "right to left" in " ".join(clause)):
        direction = "left_to_right" if "left to right" in " ".join(clause) else "right_to_left"
        last_noun = max((i for i, _ in phrases), default=-1)
        listed = [lx.color_of(t) for t in clause[last_noun + 1 :] if lx.color_of(t)]
        if len(listed) >= 2 and len(movers) == 1 and movers[0].colors[0] is None:
            # 'three blocks in a row from left to right: red, green, blue'
            movers = [Group(movers[0].kind, [c], movers[0].size, counted=True) for c in listed]
    if (
        kind == "line"
        and "color" in clause
        and len(movers) == 1
        and movers[0].colors[0] is None
        and not movers[0].counted
    ):
        movers = [Group(movers[0].kind, [c, c], movers[0].size, counted=True) for c in ("red", "green", "blue")]
    if kind == "order_by_size" or by_size:
        movers = _sized(movers)  # small, medium, large
    if by_size and not re.search(r"smallest (at|on) the bottom|(largest|biggest) (at|on) (the )?top", " ".join(clause)):
        movers = movers[::-1]  # 'stack from largest to smallest': the largest at the bottom
    if kind == "grid" and dims and sum(g.count for g in movers) != dims[0] * dims[1]:
        notes.append(
            f"a {dims[0]} by {dims[1]} grid has {dims[0] * dims[1]} places; "
            f"{sum(g.count for g in movers)} objects were named, so the grid is filled in order"
        )
    if kind == "square" and sum(g.count for g in movers) not in (4, 8):
        want = 4 if sum(g.count for g in movers) < 6 else 8
        notes.append(f"a square is made of 4 (corners) or 8 (corners and sides) objects; using {want}")
        _resize_groups(movers, want)
    if (
        kind == "stack"
        and all(g.kind in ("cylinder", "ball") for g in movers)
        and sum(g.count for g in movers) > 3 * towers
    ):
        notes.append(f"round {movers[0].kind}s topple above 3 high here; the tower has 3")
        _cap(movers, 3 * towers, kind, [])
    _cap(movers, CAPS.get(kind, MAX_MOVABLE) * towers, kind, notes)
    if base and base.kind == "corner":  # one corner marker fits one object
        movers = movers[:1]
        movers[0].colors = movers[0].colors[:1]
    names = add_distinct(scene, movers)
    goal = {"type": kind, "objects": names, "target": scene.add(base) if base else None}
    if kind in ("square", "grid"):
        n = sum(scene.group(x).count for x in names)
        rows, cols = dims if kind == "grid" and dims else (0, 0)
        goal = {
            "type": "arrange",
            "shape": kind,
            "objects": names,
            "target": None,
            "rows": rows or math.ceil(n / math.ceil(math.sqrt(n))),
            "cols": cols or math.ceil(math.sqrt(n)),
        }
    if towers > 1:
        goal["towers"] = towers
    if each_color:
        goal["each_color"] = True
    if direction:
        goal["direction"] = direction
    if by_size:
        goal.update(ordered=True, by_size=True)
    if kind == "order_by_size":
        text = " ".join(clause)
        goal["descending"] = bool(
            re.search(r"(largest|biggest|descending).*(smallest|$)", text)
            and not re.search(r"smallest.*(largest|biggest)", text)
        )
    if kind == "place" and goal["target"] is None:
        if previous and "there" in clause:
            goal["target"] = previous[0]
        else:
            notes.append("no target was named; the objects go into a zone")
            goal["target"] = scene.add(Group("zone", [None]), reuse=False)
    if kind == "pyramid" and sum(scene.group(n).count for n in names) not in (3, 6):
        notes.append("a pyramid has 3 (2-1) or 6 (3-2-1) blocks; using 6")
        _resize(scene, names, 6)
    return goal


def _cap(groups: list[Group], cap: int, kind: str, notes: list[str]) -> None:
    """Shrink the largest groups until they hold at most `cap` objects, with a note saying so."""
    if sum(g.count for g in groups) <= cap:
        return
    while sum(g.count for g in groups) > cap and max(g.count for g in groups) > 1:
        max(groups, key=lambda g: g.count).colors.pop()  # every group keeps at least one object
    notes.append(f"a {kind.replace('_', ' ')} goal takes at most {cap} objects here; counts were reduced")


def _sized(movers: list[Group]) -> list[Group]:
    """Blocks of distinct sizes for 'order by size': small, medium, large (one group each)."""
    n = min(sum(g.count for g in movers), 3)
    colors = [c for g in movers for c in g.colors][:n] + [None] * 3
    kind = movers[0].kind
    sizes = ("small", "medium", "large") if n == 3 else ("small", "large")
    return [Group(kind, [colors[i]], s, counted=True) for i, s in enumerate(sizes)]


def _resize(scene: Scene, names: list[str], total: int) -> None:
    """Change the first group's count so the goal's groups hold `total` objects."""
    others = sum(scene.group(n).count for n in names[1:])
    g = scene.group(names[0])
    g.colors = (g.colors * total)[: max(total - others, 1)]


def _build_goal(structure: str, groups: list[Group], scene: Scene, clause: list[str], notes: list[str]) -> dict:
    """Structure goals take their parts from STRUCTURE_PARTS; named colours recolour the parts.
    A wall is rows x columns of blocks ('a 2 by 3 wall', 'a wall 4 blocks wide and 2 high', 'a wall of
    six blocks' = 2 rows of 3)."""
    named = [c for g in groups for c in g.colors if c]
    parts, rows, cols = [], 0, 0
    if structure == "wall":
        given = next((g for g in groups if g.kind == "block" and g.counted), None)
        if given and set(clause) & {"wide", "high", "tall", "long", "row", "layer", "level", "across"}:
            given = None  # 'four blocks wide': a dimension, not a count
        rows, cols = _wall_dims(clause, given.count if given else None)
        if rows > 3 or cols > 5:
            notes.append(
                f"a wall here is at most 3 rows of 5 blocks; {rows} x {cols} became {min(rows, 3)} x {min(cols, 5)}"
            )
            rows, cols = min(rows, 3), min(cols, 5)
        if given and given.count != rows * cols:
            notes.append(f"{given.count} blocks do not fill whole rows; the wall has {rows} rows of {cols}")
    elif any(g.counted and g.kind == "block" and g.count != 2 for g in groups) and structure == "bridge":
        notes.append("a bridge here is two blocks with a plank across; the block count was not used")
    by_row = structure == "wall" and "bottom" in clause and len(named) > 1
    if by_row:  # 'red blocks on the bottom row and blue on top': one colour per row, bottom first
        order = list(dict.fromkeys(lx.color_of(t) for t in clause if lx.color_of(t)))
        if "top" in clause and clause.index("top") < clause.index("bottom"):
            order = order[::-1]
        if len(order) != rows:
            notes.append(f"{len(order)} row colours were named for a wall of {rows} rows; colours repeat upwards")
    for kind, color, count, size in STRUCTURE_PARTS[structure]:
        if structure == "wall":
            count = rows * cols
        colors = [color] * count
        if by_row and kind == "block":
            colors = [order[min(i // cols, len(order) - 1)] for i in range(count)]
        elif structure in ("wall", "bridge", "house") and kind == "block" and named:
            colors = [named[i % len(named)] for i in range(count)]
        parts.append(scene.add(Group(kind, colors, size, counted=True), reuse=False))
    goal = {"type": "build", "structure": structure, "objects": parts, "target": None}
    if structure == "wall":
        goal.update(rows=rows, cols=cols)
    return goal


def _dims(clause: list[str]) -> tuple[int, int] | None:
    """(rows, columns) from 'N by M' in the clause, or None."""
    for i in range(1, len(clause) - 1):
        a, b = lx.number_of(clause[i - 1]), lx.number_of(clause[i + 1])
        if clause[i] == "by" and a and b and a < 100 and b < 100:
            return a, b
    return None


def _wall_dims(clause: list[str], count: int | None) -> tuple[int, int]:
    """(rows, columns) of a wall: 'R by C', 'C wide/long and R high/tall', 'R rows/layers', a block
    count (two rows), else 2 x 3."""
    dims = _dims(clause)
    if dims:
        return dims
    rows = cols = None
    for i, tok in enumerate(clause[1:], 1):
        n = next((lx.number_of(t) for t in clause[max(i - 3, 0) : i][::-1] if lx.number_of(t)), None)
        if tok in ("high", "tall", "row", "layer", "level") and n:
            rows = n
            per = next((lx.number_of(t) for t in clause[i + 1 : i + 5] if lx.number_of(t)), None)
            if tok in ("row", "layer", "level") and "of" in clause[i + 1 : i + 3] and per:
                cols = per  # 'two rows of four blocks'
        elif tok in ("wide", "long", "across", "column") and n:
            cols = n
    if rows and cols:
        return rows, cols
    if count:
        rows = rows or (1 if count <= 2 else 2 if count <= 10 else 3)
        return rows, max(-(-count // rows), 1)
    if rows or cols:
        return rows or 2, cols or 3
    return 2, 3


def _tower_count(clause: list[str]) -> int:
    """'two towers of three blocks' -> 2; one tower otherwise (at most 3 towers fit)."""
    for i, tok in enumerate(clause):
        if tok == "tower" and i > 0:
            n = lx.number_of(clause[i - 1])
            if n and n > 1:
                return min(n, 3)
    return 1


def _resize_groups(groups: list[Group], total: int) -> None:
    """Grow or shrink the groups' colour lists (the first group absorbs the change) to `total`."""
    others = sum(g.count for g in groups[1:])
    g = groups[0]
    g.colors = (g.colors * total)[: max(total - others, 1)]


def _add_excepted(goal: dict, excepted: list[str], clause: list[str], scene: Scene) -> None:
    """Objects named after 'except' are spawned but left where they are (goal["except"] names them)."""
    kind = next((lx.NOUNS[t] for t in clause if lx.NOUNS.get(t) and lx.NOUNS[t] not in lx.FIXED_KINDS), "block")
    groups = [g for _, g in noun_phrases(excepted) if g.kind not in lx.FIXED_KINDS + ("table", "pile")]
    colors = [lx.color_of(t) for t in excepted if lx.color_of(t)]
    if not groups:
        # 'all the red blocks except one': one more of the objects moved, left where it is
        mover = scene.group(goal["objects"][0]) if goal.get("objects") else None
        same = [mover.colors[0]] if mover is not None and len(set(mover.colors)) == 1 else [None]
        groups = [Group(kind, [c]) for c in colors] or [Group(mover.kind if mover else kind, same)]
    goal["except"] = [scene.add(Group(g.kind, g.colors, g.size, counted=True), reuse=False) for g in groups]


def _special_goal(kind: str, phrases, scene: Scene) -> dict:
    """sweep: a pile of small blocks into a zone; insert: the ell into its fixture."""
    groups = [g for _, g in phrases]
    if kind == "sweep":
        pile = next((g for g in groups if g.kind in ("pile", "block")), Group("pile", [None]))
        pile = Group("pile", pile.colors[:1])
        zone = next((g for g in groups if g.kind in ("zone", "container", "bowl")), Group("zone", [None]))
        return {"type": "sweep", "objects": [scene.add(pile)], "target": scene.add(Group("zone", zone.colors[:1]))}
    ell = next((g for g in groups if g.kind not in lx.FIXED_KINDS), Group("ell", [None]))
    fixture = next((g for g in groups if g.kind == "fixture"), Group("fixture", [None]))
    return {
        "type": "insert",
        "objects": [scene.add(Group("ell", ell.colors[:1]))],
        "target": scene.add(Group("fixture", fixture.colors[:1])),
    }


def _sort_goal(movers: list[Group], containers: list[Group], scene: Scene) -> dict:
    """Sort: every colour among the movers gets a target of the same colour (default 3 colours x 2)."""
    colors = list(dict.fromkeys(c for g in movers for c in g.colors if c))
    n_targets = containers[0].count if containers and containers[0].counted and containers[0].count > 1 else 3
    if not colors:
        colors = ["red", "green", "blue", "yellow"][: min(n_targets, 4)]
    total = sum(g.count for g in movers if g.counted and not any(g.colors))
    per_color = -(-total // len(colors)) if total else (1 if any(g.counted for g in movers) and len(colors) > 1 else 2)
    target_kind = containers[0].kind if containers else "bowl"
    names, targets = [], []
    for c in colors[:4]:
        n = sum(g.colors.count(c) for g in movers if g.counted) or per_color
        kind = next((g.kind for g in movers if c in g.colors), movers[0].kind if movers else "block")
        names.append(scene.add(Group(kind, [c] * min(n, 3), counted=True)))
        targets.append(scene.add(Group(target_kind, [c], counted=True)))
    return {"type": "sort", "objects": names, "target": None, "targets": targets}


def _limit_and_colour(scene: Scene, notes: list[str]) -> None:
    """Clamp counts to what fits on the table, then give uncoloured objects distinct colours."""
    movable = [g for g in scene.groups if g.kind not in lx.FIXED_KINDS and g.kind != "pile"]
    if sum(g.count for g in movable) > MAX_MOVABLE:
        _cap(movable, MAX_MOVABLE, "task", notes)
    used = {c for g in scene.groups for c in g.colors if c}
    free = [c for c in PALETTE if c not in used] + list(PALETTE)
    k = 0
    for g in scene.groups:
        if g.kind in lx.FIXED_KINDS and g.kind not in ("bowl", "zone", "container"):
            continue
        for i, c in enumerate(g.colors):
            if c is None:
                if g.kind in ("bowl", "zone", "container", "pile", "wheel"):
                    g.colors[i] = {
                        "bowl": "green",
                        "zone": "green",
                        "container": "brown",
                        "pile": "blue",
                        "wheel": "black",
                    }[g.kind]
                else:
                    g.colors[i] = free[k % len(free)]
                    k += 1


# -- relations, moves between places, orders and counts ------------------------------------------
# Relation words -> relation. Left/right/front/behind are as seen in the video (camera in front of
# the table looking towards the robot): see serving.offline.placement.RELATION_AXES.
RELATION_WORDS = {
    "left": "left",
    "right": "right",
    "front": "front",
    "behind": "behind",
    "back": "behind",
    "next": "next",
    "beside": "next",
    "besides": "next",
    "alongside": "next",
    "near": "next",
    "close": "next",
    "adjacent": "next",
    "nearby": "next",
    "by": "next",
    "between": "between",
    "around": "around",
    "surround": "around",
    "surrounding": "around",
    "encircle": "around",
    "under": "under",
    "below": "under",
    "beneath": "under",
    "underneath": "under",
    "middle": "between",
    "center": "between",
}


def rel_text(word: str) -> str:
    """The relation word as a phrase for notes: 'next' -> 'next to', 'left' -> 'left of'."""
    return {
        "next": "next to",
        "left": "left of",
        "right": "right of",
        "front": "in front of",
        "close": "close to",
        "middle": "in the middle of",
        "center": "in the middle of",
        "adjacent": "next to",
        "back": "behind",
    }.get(word, word)


def find_relation(clause: list[str]) -> tuple[int, str] | None:
    """(index, relation) of the first spatial relation phrase in `clause`, or None.

    'left'/'right' need 'of'/'side' after them ('to the left of', 'on the right side of'); 'front' needs
    'of'; 'back' needs 'of' ('in back of'); 'next'/'close' need 'to'; 'by' needs 'the side'."""
    for i, tok in enumerate(clause):
        rel = RELATION_WORDS.get(tok)
        if rel is None or i == 0 and tok not in ("surround", "encircle"):
            continue
        after = clause[i + 1 : i + 3]
        if tok in ("left", "right") and not (set(after) & {"of", "side", "hand"}):
            continue
        if tok in ("front", "back") and "of" not in after:
            continue
        if tok in ("next", "close", "adjacent") and (
            "to" not in after or clause[i + 2 : i + 4] in (["each", "other"], ["one", "another"])
        ):
            continue  # 'next to each other' is a row, read by classify
        if tok == "by" and after[:2] != ["the", "side"]:
            continue
        if tok in ("middle", "center"):
            if "of" in after and "and" in clause[i + 2 :]:
                return i, "between"  # 'in the middle of the red and blue blocks'
            continue
        if tok == "around" and not any(lx.NOUNS.get(t) for t in clause[i + 1 :]) and "it" not in clause[i + 1 :]:
            continue  # "move the blocks around": no reference object
        return i, rel
    return None


def _relation_goal(clause, rel, phrases, scene: Scene, notes: list[str], tower: bool = False) -> dict | None:
    """relation / between / around / under goals: movers are named before the relation word, the
    reference object(s) after it."""
    at, kind = rel
    movers = [g for i, g in phrases if i < at and g.kind != "table"]
    refs = [g for i, g in phrases if i > at and g.kind != "table"]
    if kind in ("around",) and clause[0] in ("surround", "encircle") and not movers:
        movers, refs = refs[1:], refs[:1]  # "surround the bowl with four blocks"
    if not refs:
        notes.append(f"'{clause[at]}' names no reference object, so the relation was ignored")
        return None
    if not movers:
        movers = [Group("block", [None] * (4 if kind == "around" else 1))]
    if kind == "between":
        movers = [g for g in movers if g.kind not in lx.FIXED_KINDS] or [Group("block", [None])]
        pair = refs[:2] if len(refs) >= 2 or refs[0].count < 2 else refs[:1]
        if len(pair) == 1 and pair[0].count < 2:
            notes.append("'between' needs two reference objects; a second one was added")
            pair = [pair[0], Group(pair[0].kind, [None], pair[0].size)]
        mover = movers[0]
        if sum(g.count for g in movers) > 1:
            notes.append("only one object fits between the two references; one was placed there")
            mover.colors = mover.colors[:1]
        names = [scene.add(g) for g in pair]
        ends = [[names[0], 0], [names[-1], 1 if len(names) == 1 else 0]]
        return {"type": "between", "objects": [scene.add(mover)], "targets": ends}
    ref = refs[0]
    if all(g.kind in lx.FIXED_KINDS for g in movers) and ref.kind not in lx.FIXED_KINDS:
        inverse = {
            "left": "right",
            "right": "left",
            "front": "behind",
            "behind": "front",
            "next": "next",
            "under": "on",
        }.get(kind, kind)
        notes.append(
            f"the arm cannot move a {movers[0].kind}, so the {ref.kind} is moved instead (the relation is the same)"
        )
        movers, ref, kind = [ref], movers[0], inverse
    movers = [g for g in movers if g.kind not in lx.FIXED_KINDS]
    if not movers:
        notes.append(f"the arm cannot move a {ref.kind}; nothing was placed {rel_text(clause[at])} it")
        return None
    for g in movers:
        if not g.counted and g.quantified:
            g.colors = g.colors[:1] * (4 if kind == "around" else 2)
    if kind == "under" and ref.kind in lx.FIXED_KINDS:
        notes.append(f"a {ref.kind} cannot be put on top of anything here; 'under' was not kept")
        return None
    if kind == "under":  # "put the red block under the blue one": the blue one goes on top of it (the
        return {"type": "stack", "objects": [scene.add(ref)], "target": scene.add(movers[0]), "under": True}
    if kind == "on":
        return {"type": "stack", "objects": [scene.add(g) for g in movers], "target": scene.add(ref)}
    if tower and kind != "around":  # 'a tower of three red blocks next to the bowl': the bottom one goes
        if sum(g.count for g in movers) == 1 and movers[0].colors[0] is None and not movers[0].counted:
            movers[0].colors = movers[0].colors * 3  # 'a tower next to the bowl': three blocks
        _cap(movers, MAX_STACK, "stack", notes)  # there, the others are stacked on it
        first = movers[0]
        bottom = Group(first.kind, first.colors[:1], first.size, counted=True)
        rest = ([Group(first.kind, first.colors[1:], first.size, counted=True)] if first.count > 1 else []) + movers[1:]
        base = scene.add(bottom, reuse=False)
        relation = {"type": "relation", "relation": kind, "objects": [base], "target": scene.add(ref)}
        if not rest:
            return relation
        return {
            "type": "tower_beside",
            "parts": [
                relation,
                {
                    "type": "stack",
                    "objects": [scene.add(g, reuse=False) for g in rest],
                    "target": base,
                    "ordered": True,
                },
            ],
        }
    cap = 8 if kind == "around" else 3
    _cap(movers, cap, f"'{kind}' relation", notes)
    return {
        "type": "around" if kind == "around" else "relation",
        "relation": kind,
        "objects": [scene.add(g) for g in movers],
        "target": scene.add(ref),
    }


SOURCE_WORDS = ("off", "out", "from", "remove", "empty", "clear", "unload", "unstack")


def _source_at(clause: list[str]) -> int | None:
    """Index of the word that introduces where the objects start ('off the pallet', 'out of the box',
    'from the zone', 'empty the bowl'), or None."""
    for i, tok in enumerate(clause):
        if tok in ("off", "from") or (tok == "out" and "of" in clause[i + 1 : i + 2]):
            return i
        if tok in ("empty", "clear", "unload", "unstack") and i == 0:
            return i
    return None


def _move_goal(clause, phrases, scene: Scene, notes: list[str]) -> dict | None:
    """Objects that start on/in a source and go to a target after it, or onto the table.

    'move every block off the pallet onto the table', 'take the ball out of the box',
    'move the red block from the zone to the blue bowl', 'empty the bowl'."""
    at = _source_at(clause)
    after = [(i, g) for i, g in phrases if i > at]
    source = next((g for i, g in after if g.kind in lx.FIXED_KINDS), None)
    if source is None or clause[at] in ("empty", "clear", "unload", "unstack") and after[0][1] is not source:
        return None  # 'clear the table by putting ...': the table is not a place objects start on
    src_i = next(i for i, g in after if g is source)
    movers = [g for i, g in phrases if i < at and g.kind not in lx.FIXED_KINDS + ("table",)]
    movers += [g for i, g in after if i < src_i and g.kind not in lx.FIXED_KINDS + ("table",)]
    dest = next((g for i, g in after if i > src_i and g.kind in lx.FIXED_KINDS + ("table",)), None)
    if not movers:
        movers = [Group("block", [None] * 2)]  # "empty the bowl": what is in it is ours to choose
    for g in movers:
        if not g.counted and g.quantified:
            g.colors = g.colors[:1] * 2
    if source.kind in ("line", "corner"):
        notes.append(f"objects cannot start on a {source.kind}; they start on the table")
        source = None
    _cap(movers, 6 if source is not None and source.kind in ("pallet", "zone", "container") else 3, "move", notes)
    src_name = scene.add(source) if source is not None else None
    if src_name is not None and source.count > 1:
        source.colors = source.colors[:1]
    names = []
    for g in movers:
        g.start = src_name
        names.append(scene.add(g, reuse=False))
    if dest is None or dest.kind == "table":
        return {"type": "remove", "objects": names, "target": None, "source": src_name}
    same = src_name is not None and dest.kind == source.kind and dest.colors[:1] == source.colors[:1]
    # 'from the left bowl to the right bowl': two bowls, not the same one twice
    return {"type": "place", "objects": names, "target": scene.add(dest, reuse=not same), "source": src_name}


def add_distinct(scene: Scene, groups: list[Group]) -> list[str]:
    """Names of `groups` in the scene; two groups named alike in one phrase ('a red, a blue and a red
    block') are two sets of objects, not the same one twice."""
    names = []
    for g in groups:
        name = scene.add(g)
        names.append(scene.add(g, reuse=False) if name in names else name)
    return names


def chain_named(clause: list[str]) -> bool:
    """Whether colours in the clause are chained with 'on' ('red on green on blue')."""
    at = [i for i, t in enumerate(clause) if lx.color_of(t)]
    return len(at) >= 2 and all("on" in clause[a:b] for a, b in zip(at, at[1:]))


def _table_goal(movers: list[Group], scene: Scene, notes: list[str]) -> dict | None:
    """'put the blocks on the table': free spots on the table."""
    movers = [g for g in movers if g.kind not in lx.FIXED_KINDS + ("table",)]
    if not movers:
        return None
    _cap(movers, 6, "table", notes)
    return {"type": "remove", "objects": [scene.add(g) for g in movers], "target": None, "source": None}


def _ordered_tower(clause, phrases, scene: Scene, notes: list[str]) -> dict:
    """'a tower with blue at the bottom, then yellow, then red on top' -> a stack in that order.

    Colours are read in clause order; 'from top to bottom' or a 'top' named before 'bottom' reverses."""
    text = " ".join(clause)
    kind = next((g.kind for _, g in phrases if g.kind not in lx.FIXED_KINDS), "block")
    size = next((g.size for _, g in phrases if g.kind == kind), "medium")
    colors = [lx.color_of(t) for t in clause if lx.color_of(t)]
    top_first = "top to bottom" in text or (
        "bottom to top" not in text and "top" in clause and clause.index("top") < clause.index("bottom")
    )
    if top_first:
        colors = colors[::-1]
    if not colors:
        return _clause_goal([t for t in clause if t != "bottom"], scene, [], notes)
    if len(colors) > MAX_STACK:
        notes.append(f"a tower takes at most {MAX_STACK} objects here; the top colours were dropped")
        colors = colors[:MAX_STACK]
    names = [scene.add(Group(kind, [c], size, counted=True)) for c in colors]
    return {"type": "stack", "objects": names, "target": None, "ordered": True}


def _chain_stack(movers: list[Group], chain: list[Group], scene: Scene, notes: list[str]) -> dict:
    """'stack the red block on the green block on the blue block': the last one named stays put at
    the bottom, the others go on it in reverse order of naming."""
    if len(chain) + sum(g.count for g in movers) > MAX_STACK:
        notes.append(f"a tower takes at most {MAX_STACK} objects here; the top ones were dropped")
    order = list(reversed(chain[:-1])) + movers
    names = add_distinct(scene, order)[: MAX_STACK - 1]
    return {"type": "stack", "objects": names, "target": scene.add(chain[-1]), "ordered": True}


def _distribute_goal(movers: list[Group], base: Group, scene: Scene, notes: list[str]) -> dict:
    """'two red blocks in each of the three bowls': every container gets the named count."""
    if not base.counted:
        base.colors = base.colors[:1] * 3
    if len(set(base.colors)) > 1 and base.colors[0] is not None:
        pass  # distinct colours named for the containers are kept
    movers = [g for g in movers if g.kind not in lx.FIXED_KINDS] or [Group("block", [None])]
    per = sum(g.count for g in movers)
    if per * base.count > MAX_MOVABLE:
        keep = max(MAX_MOVABLE // per, 1)
        notes.append(
            f"{per} objects in each of {base.count} {base.kind}s is more than fits on the table; "
            f"{keep} {base.kind}s were used"
        )
        base.colors = base.colors[:keep]
    names = []
    for g in movers:
        g.colors = [c for c in g.colors for _ in range(base.count)]
        names.append(scene.add(g, reuse=False))
    return {"type": "distribute", "objects": names, "target": scene.add(base), "per": per}


def split_except(clause: list[str]) -> tuple[list[str], list[str]]:
    """(clause without the excepted part, the excepted words): 'all blocks except the red one in the
    bowl' -> ('all blocks in the bowl', 'the red one')."""
    for i, tok in enumerate(clause):
        if (
            tok in ("except", "excluding")
            or (tok == "but" and clause[i + 1 : i + 2] in (["not"], ["the"]))
            or (tok == "apart" and clause[i + 1 : i + 2] == ["from"])
            or (tok == "other" and clause[i + 1 : i + 2] == ["than"])
        ):
            end = next(
                (j for j in range(i + 1, len(clause)) if clause[j] in PREPOSITIONS and clause[j] != "of" and j > i + 1),
                len(clause),
            )
            return clause[:i] + clause[end:], clause[i:end]
    return clause, []


EACH_COLOR = ("red", "green", "blue", "yellow")  # 'one of each colour' when no colours are named
HANOI_MAX = 4  # the hanoi assets ship disk0..disk3
ROPE_WORDS = ("rope", "cable", "string", "cord", "chain")


def _whole_idea(tokens: list[str]) -> dict | None:
    """Ideas that are one whole task of their own: towers of Hanoi, a rope, a kit. None otherwise."""
    notes = []
    if "hanoi" in tokens:
        n = next(
            (
                lx.number_of(tokens[i - 1])
                for i, t in enumerate(tokens)
                if t in ("disk", "ring", "disc", "cylinder", "piece", "level") and i and lx.number_of(tokens[i - 1])
            ),
            3,
        )
        if n > HANOI_MAX or n < 1:
            notes.append(f"the hanoi assets have {HANOI_MAX} disks; {n} disks became {min(max(n, 1), HANOI_MAX)}")
            n = min(max(n, 1), HANOI_MAX)
        return {
            "objects": [
                {
                    "name": "hanoi stand",
                    "kind": "hanoi_stand",
                    "colors": [None],
                    "count": 1,
                    "size": "medium",
                    "fixed": True,
                },
                {"name": "disk", "kind": "disk", "colors": [None] * n, "count": n, "size": "medium", "fixed": False},
            ],
            "goals": [{"type": "hanoi", "objects": ["disk"], "target": "hanoi stand"}],
            "notes": notes,
        }
    if any(t in ROPE_WORDS for t in tokens):
        text = " ".join(tokens)
        shape = "square" if ("square" in tokens or "close" in tokens or "complete" in tokens) else "line"
        if any(t in tokens for t in ("circle", "ring", "triangle", "knot", "shape")) and shape == "line":
            notes.append(
                "a rope can only be straightened along a line or close a three-sided square here; "
                "it is straightened along a line"
            )
        color = next((lx.color_of(t) for t in tokens if lx.color_of(t)), "red")
        return {
            "objects": [
                {
                    "name": f"{color} rope",
                    "kind": "rope",
                    "colors": [color],
                    "count": 1,
                    "size": "medium",
                    "fixed": False,
                }
            ],
            "goals": [{"type": "rope", "shape": shape, "objects": [f"{color} rope"], "target": None}],
            "notes": notes,
            "rope_text": text,
        }
    return None
