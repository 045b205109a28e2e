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
import re

from serving.offline import lexicon as lx

# Scene limits that keep tasks physically reliable on a 0.5 x 1.0 m table (spec §0 workspace).
MAX_MOVABLE = 10
MAX_STACK = 6
# Objects per goal type: a 6-block tower is 24 cm (the arm carries at 32 cm); 6 blocks 6 cm apart make a
# 36 cm line, which fits the 50 cm deep table in any direction; 8 around a circle keep 7 cm apart;
# 6 fill a 12 cm zone on a 4.5 cm grid.
CAPS = {"stack": MAX_STACK, "line": 6, "circle": 8, "place": 6, "pyramid": 6, "order_by_size": 3}
VERBS = ("put", "place", "move", "drop", "stack", "build", "make", "assemble", "line", "align", "arrange",
         "sort", "insert", "sweep", "push", "order", "set", "bring", "lay", "pile", "fit", "slide",
         "organize", "organise", "group", "form", "create", "load", "fill", "rank")
PREPOSITIONS = ("into", "in", "inside", "onto", "on", "to", "at", "over", "atop", "within")
STRUCTURES = ("wall", "bridge", "house", "car", "sandwich")
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

    @property
    def count(self) -> int:
        return len(self.colors)


def split_clauses(tokens: list[str]) -> list[list[str]]:
    """Split tokens at 'then', ';', '.', at 'and'/',' when a verb follows, and at 'and the' when both
    sides name a target ('put X in Y and the Z in W')."""
    clauses, cur = [], []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        rest = tokens[i + 1:]
        # "put X in Y and the Z in W": a second object-and-target pair after a complete clause.
        second_pair = (tok == "and" and nxt in ("the", "a", "an") and any(t in PREPOSITIONS for t in cur[1:])
                       and any(t in PREPOSITIONS for t in rest[:8]) and classify(cur) == "place")
        if tok in ("then", ";", ".", "finally", "next", "afterwards") or second_pair or (
                tok in ("and", ",") and nxt in VERBS + ("pick", "grab", "take", "lift")):
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
                if tok in ("pile", "heap") or (kind == "block" and size == "small" and c is None
                                               and tokens[i + 1:i + 2] == [lx.PLURAL]):
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
            for at, g in out:
                if at == i - 1 and not g.counted:
                    g.quantified = True
        elif tok in ("and", ",", "the", "of", "other", "colored", "color", "different", "some", "these",
                     "those", "my", "your", "more", "remaining"):
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
    if "pile up" in text:
        return "stack"
    if has("sweep") or ((has("pile") or has("heap") or (has("push") and has("small"))) and not has("stack")):
        return "sweep"
    if has("ell") or has("fixture") or (has("insert") and (has("slot") or has("hole"))):
        return "insert"
    if has("pyramid"):
        return "pyramid"
    if has("corner"):
        return "place"
    if _structure_word(tokens):
        return "build"
    if has("stack") or has("tower") or "on top of each other" in text or "pile up" in text:
        return "stack"
    if has("circle") or has("ring"):
        return "circle"
    if "by size" in text or has("smallest") or has("largest") or has("biggest") or has("ascending") \
            or has("descending") or ("order" in text and "size" in text):
        return "order_by_size"
    if has("sort") or has("matching") or "same color" in text or "by color" in text or has("group"):
        return "sort"
    if "line up" in text or has("align") or has("row") or has("line") or "in a line" in text:
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
                if other.kind == g.kind and other.size == g.size and (
                        other.colors == g.colors or (not g.counted and set(g.colors) == set(other.colors[:1]))):
                    return name
        base = " ".join(x for x in (g.size if g.size != "medium" else "",
                                    g.colors[0] if len(set(g.colors)) == 1 and g.colors[0] else "",
                                    g.kind) if x)
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
    tokens = lx.words(idea)
    scene, goals, notes, previous = Scene(), [], [], []
    for clause in split_clauses(tokens):
        goal = _clause_goal(clause, scene, previous, notes)
        if goal:
            previous = goal["objects"]
            if goal["type"] != "hold":
                goals.append(goal)
    if any(g["type"] == "sweep" for g in goals) and len(goals) > 1:
        notes.append("sweeping uses the spatula for the whole task, so only the sweep was kept")
        goals = [g for g in goals if g["type"] == "sweep"][:1]
        used = set(goals[0]["objects"]) | {goals[0]["target"]}
        for name in [n for n in scene.names if n not in used]:
            k = scene.names.index(name)
            del scene.names[k], scene.groups[k]
    if not goals:
        raise NotUnderstood("I could not find objects to move (blocks, balls, cylinders...) and a "
                            "place or structure for them")
    _limit_and_colour(scene, notes)
    return {
        "idea": idea.strip(),
        "objects": [{"name": n, "kind": g.kind, "colors": list(g.colors), "count": g.count, "size": g.size,
                     "fixed": g.kind in lx.FIXED_KINDS} for n, g in zip(scene.names, scene.groups)],
        "goals": goals,
        "notes": notes,
    }


def _clause_goal(clause: list[str], scene: Scene, previous: list[str], notes: list[str]) -> dict | None:
    """The goal dict of one clause, registering its objects in `scene`; None if nothing to do."""
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
    prep = next((i for i, t in enumerate(clause) if t in PREPOSITIONS and i > 0), None)
    if "top" in clause and "of" in clause:
        prep = clause.index("top")
    if kind == "stack" and "bottom" in clause:  # "a red block at the bottom and a blue one on top"
        prep = None
    movers = [g for i, g in phrases if prep is None or i < prep]
    targets = [g for i, g in phrases if prep is not None and i > prep]
    if clause[0] in ("pick", "grab", "take", "lift") and not targets:
        # "pick up the yellow block and put it in ...": only names what 'it' means next.
        return {"type": "hold", "objects": [scene.add(g) for g in movers]} if movers else None
    for g in targets:
        if g.kind == "box" and clause[prep] in ("in", "into", "inside"):
            g.kind = "container"  # "put it in the box": an open box
    if kind == "build":
        return _build_goal(_structure_word(clause), movers + targets, scene)
    if kind in ("sweep", "insert"):
        return _special_goal(kind, phrases, scene)
    movers = [g for g in movers if g.kind not in lx.FIXED_KINDS] or \
             [g for g in targets if g.kind not in lx.FIXED_KINDS]
    base = next((g for g in targets if g.kind in lx.FIXED_KINDS or g not in movers), None)
    if base and base.kind == "line":  # "put the cubes on the line": the line goal draws its own line
        kind, base = ("line" if kind == "place" else kind), None
    if base is None and kind == "place":  # "align the box with the corner": any scenery named is the target
        base = next((g for _, g in phrases if g.kind in lx.FIXED_KINDS), None)
    if kind == "sort":
        return _sort_goal(movers, [g for _, g in phrases if g.kind in ("bowl", "zone", "container")], scene)
    defaults = {"stack": 3, "pyramid": 6, "line": 4, "circle": 6, "order_by_size": 3, "place": 1}
    if not movers:
        if kind == "place":
            return None
        movers = [Group("block", [None] * defaults[kind])]
    for g in movers:
        if not g.counted and (g.quantified or (kind != "place" and len(movers) == 1 and g.colors[0] is None)):
            g.colors = g.colors[:1] * defaults[kind] if kind != "place" else g.colors[:1] * 2
    if kind == "order_by_size":
        movers = _sized(movers)
    _cap(movers, CAPS.get(kind, MAX_MOVABLE), kind, notes)
    if base and base.kind == "corner":  # one corner marker fits one object
        movers = movers[:1]
        movers[0].colors = movers[0].colors[:1]
    names = [scene.add(g) for g in movers]
    goal = {"type": kind, "objects": names, "target": scene.add(base) if base else None}
    if kind == "order_by_size":
        text = " ".join(clause)
        goal["descending"] = bool(re.search(r"(largest|biggest|descending).*(smallest|$)", text)
                                  and not re.search(r"smallest.*(largest|biggest)", text))
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
    g.colors = (g.colors * total)[:max(total - others, 1)]


def _build_goal(structure: str, groups: list[Group], scene: Scene) -> dict:
    """Structure goals take their parts from STRUCTURE_PARTS; named colours recolour the parts."""
    named = [c for g in groups for c in g.colors if c]
    parts = []
    for k, (kind, color, count, size) in enumerate(STRUCTURE_PARTS[structure]):
        given = next((g for g in groups if g.kind == kind), None)
        if structure == "wall" and given and given.counted:
            count = min(max(given.count, 2), MAX_STACK * 2)
        colors = [color] * count
        if structure in ("wall", "bridge", "house") and kind == "block" and named:
            colors = [named[i % len(named)] for i in range(count)]
        parts.append(scene.add(Group(kind, colors, size, counted=True), reuse=False))
    return {"type": "build", "structure": structure, "objects": parts, "target": None}


def _special_goal(kind: str, phrases, scene: Scene) -> dict:
    """sweep: a pile of small blocks into a zone; insert: the ell into its fixture."""
    groups = [g for _, g in phrases]
    if kind == "sweep":
        pile = next((g for g in groups if g.kind in ("pile", "block")), Group("pile", [None]))
        pile = Group("pile", pile.colors[:1])
        zone = next((g for g in groups if g.kind in ("zone", "container", "bowl")), Group("zone", [None]))
        return {"type": "sweep", "objects": [scene.add(pile)],
                "target": scene.add(Group("zone", zone.colors[:1]))}
    ell = next((g for g in groups if g.kind not in lx.FIXED_KINDS), Group("ell", [None]))
    fixture = next((g for g in groups if g.kind == "fixture"), Group("fixture", [None]))
    return {"type": "insert", "objects": [scene.add(Group("ell", ell.colors[:1]))],
            "target": scene.add(Group("fixture", fixture.colors[:1]))}


def _sort_goal(movers: list[Group], containers: list[Group], scene: Scene) -> dict:
    """Sort: every colour among the movers gets a target of the same colour (default 3 colours x 2)."""
    colors = list(dict.fromkeys(c for g in movers for c in g.colors if c))
    n_targets = containers[0].count if containers and containers[0].counted and containers[0].count > 1 else 3
    if not colors:
        colors = ["red", "green", "blue", "yellow"][:min(n_targets, 4)]
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
                    g.colors[i] = {"bowl": "green", "zone": "green", "container": "brown",
                                   "pile": "blue", "wheel": "black"}[g.kind]
                else:
                    g.colors[i] = free[k % len(free)]
                    k += 1
