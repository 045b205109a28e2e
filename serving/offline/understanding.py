"""What the offline generator understood: one summary sentence of the task it builds, and a note for
every part of the idea it does not honour exactly.

    from serving.offline.understanding import understanding
    understanding(spec)  # -> {"summary": str, "faithful": bool, "notes": [str]}

The notes are the parser's own (counts capped, a relation swapped, ...) plus those of a scan of the
idea for words nothing in the spec accounts for: a colour no object has, a kind of object not built,
a count that differs, a relation or order word no goal encodes, and any other word the generator does
not know. So a deviation the grammar did not foresee is still named (honesty does not depend on the
grammar being complete). `faithful` is true only when there is no note.
"""

from __future__ import annotations

from serving.offline import lexicon as lx
from serving.offline.goals import RELATION_WORDS, phrase
from serving.offline.parser import RELATION_WORDS as REL
from serving.offline.parser import STRUCTURES, VERBS

# Words that carry no task content (politeness, articles, grammar the parser consumes).
FILLER = set(
    """
a an the and or of to in into inside onto on at with then please can could would you robot arm i we
want like me let lets us it its them they their there here this that these those is are be so some
all each every one ones up down from for by as same other others first second next finally after
afterwards before just also too again both together neatly carefully gently nicely slowly quickly
now make sure use using get go do does will should must need try tidy whole entire kindly over
task scene table top bottom side way another any which where what when while other than more
than please pick grab take lift put place move drop set lay bring position leave keep stand
stack build make assemble line align arrange sort insert sweep push order organize organise group
form create load fill rank pile fit slide them itself himself herself then afterward once
new same different colored color shape shaped piece pieces object objects thing things item items
of onto out off remove empty clear unload unstack towards toward near next beside besides left right
front behind back between around surround surrounding encircle under below beneath underneath
high tall wide long row rows column columns layer layers level levels across by x times
its their my your our his her ones single each every several few many
up please thanks thank you simple small large big little tiny huge medium mini giant
matching match according respective corresponding its by size sizes colors
straighten straight along solve disks rings ring flat upright standing open empty
but except excluding apart play end ends ending finish finished final result out onto start begin
formation shapes puzzle rod rods last own per separate possible alternating another pls plz thx
d ll m ve re s clean cleaning
""".split()
)


def understanding(spec: dict) -> dict:
    """{"summary", "faithful", "notes"} for a parser spec (see module docstring)."""
    notes = list(dict.fromkeys(spec.get("notes", []) + scan(spec)))
    return {"summary": summary(spec), "faithful": not notes, "notes": notes}


def summary(spec: dict) -> str:
    """One sentence of what the task does, from its goals (not from the idea's wording)."""
    groups = {o["name"]: o for o in spec["objects"]}
    parts = [_goal_sentence(g, groups) for g in spec["goals"]]
    text = "; then ".join(parts[:1] + [p[0].lower() + p[1:] for p in parts[1:]])
    return text + "."


def _goal_sentence(g: dict, groups: dict) -> str:
    objs = phrase(g["objects"], groups)
    t = g["type"]
    target = g.get("target")
    if t == "relation":
        seen = " (as seen in the video)" if g["relation"] in ("left", "right", "front", "behind") else ""
        return f"Put {objs} {RELATION_WORDS[g['relation']]} the {target}{seen}"
    if t == "around":
        return f"Put {objs} around the {target}"
    if t == "between":
        (a, i), (b, j) = g["targets"]
        first = f"the {a}" if groups[a]["count"] == 1 else f"the first {a}"
        second = f"the {b}" if groups[b]["count"] == 1 else f"the second {b}"
        return f"Put {objs} between {first} and {second}"
    if t == "stack":
        inst = [(n, i) for n in g["objects"] for i in range(groups[n]["count"])]
        towers = g.get("towers", 1)
        if towers > 1:
            return f"Build {towers} towers from {objs}, {-(-len(inst) // towers)} high"
        if g.get("ordered") or len({groups[n]["colors"][i] for n, i in inst}) == len(inst) > 1:
            order = [_one(n, i, groups) for n, i in inst]
            if target:
                return f"Stack {', then '.join(order)} on the {target} (bottom to top)"
            return (
                f"Stack a tower of {', '.join(order[:-1])} and {order[-1]}, from the bottom up"
                if len(order) > 1
                else f"Put {order[0]} in a zone"
            )
        return f"Stack {objs} on the {target}" if target else f"Stack {objs} into a tower"
    if t == "place":
        src = f" from the {g['source']}" if g.get("source") else ""
        prep = "in" if groups[target]["kind"] in ("bowl", "container", "zone") else "on"
        keep = (
            f", leaving {phrase(g['except'], groups)} where {'it is' if len(g['except']) == 1 else 'they are'}"
            if g.get("except")
            else ""
        )
        if groups[target]["count"] > 1:
            return f"Put {objs}{src} {prep} the {lx.plural(target)} (any of them){keep}"
        return f"Put {objs}{src} {prep} the {target}{keep}"
    if t == "distribute":
        per = g["per"]
        n = groups[target]["count"]
        return f"Put {per} of {objs} in each of the {lx.NUMBER_NAMES.get(n, n)} {lx.plural(target)}"
    if t == "remove":
        src = (
            (
                f" out of the {g['source']}"
                if groups[g["source"]]["kind"] in ("container", "bowl")
                else f" off the {g['source']}"
            )
            if g.get("source")
            else ""
        )
        return f"Move {objs}{src} onto free spots on the table"
    if t == "arrange":
        shape = "a square" if g["shape"] == "square" else f"a {g['rows']} by {g['cols']} grid"
        return f"Arrange {objs} in {shape}"
    if t == "build":
        extra = f" ({g['rows']} rows of {g['cols']})" if g["structure"] == "wall" else ""
        colors = groups[g["objects"][0]]["colors"]
        if g["structure"] == "wall" and len(set(colors)) > 1:
            rows = [
                colors[r * g["cols"]]
                for r in range(g["rows"])
                if len(set(colors[r * g["cols"] : (r + 1) * g["cols"]])) == 1
            ]
            if len(rows) == g["rows"]:
                extra = f" ({g['rows']} rows of {g['cols']}: {', '.join(rows)} from the bottom row up)"
        return f"Build a {g['structure']}{extra} from {objs}"
    if t == "sort":
        return f"Sort {objs} into the {', '.join(g['targets'])} of matching colour"
    if t == "order_by_size":
        order = "largest to smallest" if g.get("descending") else "smallest to largest"
        return f"Line up {objs} from {order}"
    if t == "hanoi":
        n = groups[g["objects"][0]]["count"]
        return f"Solve the towers of Hanoi with {n} disks: move the stack to the rod at the other end"
    if t == "rope":
        return (
            "Close the open side of a square with the rope"
            if g["shape"] == "square"
            else "Straighten the rope along a line"
        )
    if t == "circle":
        return f"Arrange {objs} in a circle"
    if t == "line" and g.get("direction"):
        order = ", ".join(_one(n, i, groups) for n in g["objects"] for i in range(groups[n]["count"]))
        return f"Line up {order} in that order from {g['direction'].replace('_to_', ' to ')} (as seen in the video)"
    verb = {"pyramid": "Build a pyramid from", "line": "Line up", "insert": "Insert", "sweep": "Sweep"}[t]
    tail = (f" on the {target}" if t == "pyramid" else f" into the {target}") if target else ""
    return f"{verb} {objs}{tail}" + (" along a line" if t == "line" else "")


def _one(name: str, i: int, groups: dict) -> str:
    g = groups[name]
    color = g["colors"][i]
    if name.split(" ")[-1].isdigit() and color:  # 'block 2' (a second group of blocks): its colour says which
        name = " ".join(name.split(" ")[:-1])
    if g["count"] == 1 or (color and color in name.split(" ")):
        return f"the {name}" if g["count"] == 1 else f"a {name}"
    return f"the {color} {name}" if color else f"the {name}"


# Relation / order words and the goal that honours them.
_CUES = {
    "left": ("relation", "left"),
    "right": ("relation", "right"),
    "front": ("relation", "front"),
    "behind": ("relation", "behind"),
    "beside": ("relation", "next"),
    "next": ("relation", "next"),
    "between": ("between", None),
    "around": ("around", None),
    "surround": ("around", None),
    "bottom": ("ordered", None),
    "except": ("except", None),
    "each": ("each", None),
    "off": ("source", None),
    "out": ("source", None),
    "from": ("source", None),
    "different": ("different", None),
    "own": ("different", None),
    "per": ("different", None),
    "smallest": ("size", None),
    "under": ("under", None),
    "below": ("under", None),
    "beneath": ("under", None),
    "underneath": ("under", None),
    "wall": ("structure", "wall"),
    "bridge": ("structure", "bridge"),
    "house": ("structure", "house"),
    "car": ("structure", "car"),
    "sandwich": ("structure", "sandwich"),
    "largest": ("size", None),
    "biggest": ("size", None),
    "ascending": ("size", None),
    "descending": ("size", None),
}
# Spec kinds an idea noun may legitimately become (a 'box' to put things in is an open container ...).
_SAME = {
    "box": ("box", "container"),
    "pile": ("pile", "block"),
    "square": ("zone", "square"),
    "disk": ("cylinder", "disk"),
    "disc": ("cylinder", "disk"),
    "cylinder": ("cylinder", "disk"),
}


def scan(spec: dict) -> list[str]:
    """Notes for parts of the idea nothing in the spec accounts for (see module docstring)."""
    tokens = lx.strip_preamble(lx.words(spec["idea"]))
    goals = spec["goals"]
    kinds = {o["kind"] for o in spec["objects"]} | {s.get("kind") for s in spec.get("scenery", [])}
    types = {g["type"] for g in goals}
    colors = {c for o in spec["objects"] for c in o["colors"] if c}
    notes = []
    for c in dict.fromkeys(lx.color_of(t) for t in tokens if lx.color_of(t)):
        if c not in colors and not (types & {"hanoi"}):
            notes.append(f"the colour {c} was not used")
        elif c not in colors:
            notes.append(f"the hanoi disks keep their own colours; {c} was not used")
    shapes = {g.get("shape") for g in goals} | {g.get("structure") for g in goals}
    for t in dict.fromkeys(tokens):
        kind = lx.NOUNS.get(t)
        if not kind or kind in ("table", "line") or t in ("everything", "object", "thing", "item", "toy"):
            continue
        if t == "square" and ({"square"} & shapes or "rope" in types):
            continue
        if t in ("disk", "disc") and "hanoi" in types:
            continue
        if kind == "block" and "sweep" in types:
            kind = "pile"  # 'a pile of small blocks'
        if kind == "pile" and "sweep" not in types and "small block" not in {o["name"] for o in spec["objects"]}:
            kind = "block"
        if not ({kind, *_SAME.get(t, ())} & kinds):
            notes.append(f"no {t} was built (the task has {', '.join(sorted(k for k in kinds if k))})")
        elif t in ("plate", "dish", "cup", "mug") and "bowl" in kinds:
            notes.append(f"the {t} is a bowl here")
        elif t in ("tray", "basket", "bin") and "container" in kinds:
            notes.append(f"the {t} is an open box here")
        elif t in ("board", "slab") and "plank" in kinds:
            notes.append(f"the {t} is a plank here")
        elif t in ("coin", "token", "checker") and "cylinder" in kinds:
            notes.append(f"the {t} is a flat cylinder here")
        elif t in ("die", "dice", "lego") and "block" in kinds:
            notes.append(f"the {t} is a plain block here")
        elif t == "kit":
            notes.append("the kit is the ell's fixture here (kits of other shapes are not built)")
    notes += _count_notes(tokens, spec)
    for t in dict.fromkeys(tokens):
        cue = _CUES.get(t)
        if cue and not _honoured(cue, t, tokens, goals):
            notes.append(f"'{t}' was not honoured: the task does not encode it")
    unknown = [t for t in dict.fromkeys(tokens) if t not in FILLER and t != lx.PLURAL and not _known(t)]
    if unknown:
        notes.append("ignored word" + ("s" if len(unknown) > 1 else "") + ": " + ", ".join(f"'{w}'" for w in unknown))
    return notes


def _known(t: str) -> bool:
    if t.endswith("ing") and len(t) > 5 and (_known(t[:-3]) or _known(t[:-3] + "e") or _known(t[:-4])):
        return True  # 'building', 'placing', 'putting'
    return bool(
        lx.color_of(t)
        or lx.number_of(t) is not None
        or t in lx.NOUNS
        or t in lx.SIZE_WORDS
        or t in lx.KEYWORDS
        or t in VERBS
        or t in STRUCTURES
        or t in REL
        or t in lx.QUANTIFIERS
        or t in (",", ".", ";")
        or t in ("hanoi", "rope", "disk", "grid", "circle", "ring", "pyramid", "tower", "wall", "kit", "shape")
    )


def _honoured(cue, word, tokens, goals) -> bool:
    kind, rel = cue
    types = {g["type"] for g in goals}
    if kind == "relation":
        i = tokens.index(word)
        after = tokens[i + 1 : i + 3]
        if word == "right" and (
            after
            and after[0]
            in ("next", "away", "now", "there", "here", "in", "on", "into", "onto", "beside", "behind", "above")
        ):
            return True  # 'right next to', 'right away': not a relation
        if word == "next" and "to" not in after:
            return True
        if tokens[i + 2 : i + 4] in (["each", "other"], ["one", "another"]):
            return "line" in types  # 'next to each other': a row
        return (
            any(g["type"] == "relation" and g["relation"] == rel for g in goals)
            or (rel == "next" and "between" in types)
            or (rel in ("left", "right") and any(g.get("direction") for g in goals))
        )
    if kind == "between":
        return "between" in types
    if kind == "around":
        return "around" in types or "circle" in types
    if kind == "ordered":
        return any(g.get("ordered") for g in goals) or types & {"build", "pyramid", "hanoi", "order_by_size"}
    if kind == "size":
        return "order_by_size" in types or any(g.get("by_size") for g in goals)
    if kind == "except":
        return any(g.get("except") for g in goals)
    if kind == "each":
        i = tokens.index(word)
        if "color" in tokens[i : i + 3]:
            return bool(types & {"sort"}) or any(g.get("each_color") for g in goals)
        if tokens[i + 1 : i + 2] == ["other"]:
            return True  # 'on top of each other'
        if any(lx.NOUNS.get(t) in ("bowl", "zone", "container", "pallet", "stand") for t in tokens[i + 1 : i + 4]):
            return "distribute" in types  # 'each bowl': a share per container must be encoded
        place_words = {"in", "into", "on", "onto", "to", "inside", "at", "atop"}
        return "distribute" in types or not (set(tokens[:i]) & place_words)  # 'each block' vs 'on each block'
    if kind == "under":
        return any(g.get("under") for g in goals)
    if kind == "structure":
        return any(g.get("structure") == rel for g in goals)
    if kind == "different":
        i = tokens.index(word)
        container = any(lx.NOUNS.get(t) in lx.FIXED_KINDS for t in tokens[i + 1 : i + 3])
        return "distribute" in types or not container  # 'blocks of different colours' is no placement
    if kind == "ordered" and "build" in types:
        return True
    if kind == "source":
        i = tokens.index(word)
        if word == "out" and "of" not in tokens[i + 1 : i + 2]:
            # 'lay out', 'pick out': no source; 'take it out (again)': a removal that must be encoded
            return not (set(tokens[max(i - 2, 0) : i]) & {"it", "them", "take", "get", "pull"}) or "remove" in types
        noun = next((lx.NOUNS[t] for t in tokens[i + 1 :] if lx.NOUNS.get(t)), None)
        if noun not in lx.FIXED_KINDS:
            return True  # 'a wall out of six blocks', 'a bridge from two blocks': what it is made of
        if word == "from" and (
            set(tokens[i + 1 : i + 3]) & {"smallest", "largest", "biggest", "left", "right", "bottom", "top"}
        ):
            return True
        return any(g.get("source") for g in goals) or "remove" in types
    return True


def _count_notes(tokens: list[str], spec: dict) -> list[str]:
    """'three blocks' named but a different number built: a note (several groups of one kind may add up)."""
    by_kind: dict[str, list[int]] = {}
    for o in spec["objects"]:
        by_kind.setdefault(o["kind"], []).append(o["count"])
    per = {g["objects"][0]: g["per"] for g in spec["goals"] if g["type"] == "distribute"}
    towers = {n: g.get("towers", 1) for g in spec["goals"] if g["type"] == "stack" for n in g["objects"]}
    notes = []
    for i, t in enumerate(tokens[:-1]):
        n = lx.number_of(t)
        if n is None or t in ("a", "an", "one", "single") or "by" in tokens[max(i - 1, 0) : i + 2]:
            continue
        noun = next((w for w in tokens[i + 1 : i + 4] if lx.NOUNS.get(w)), None)
        if noun is None:
            continue
        kind = lx.NOUNS[noun]
        if kind in ("table", "line") or noun in ("square",):
            continue
        if set(tokens[i + 1 : i + 4]) & {"wide", "high", "tall", "long", "row", "layer", "level", "across"} or set(
            tokens[max(i - 3, 0) : i]
        ) & {"row", "layer", "level"}:
            continue  # 'four blocks wide': a dimension
        counts = by_kind.get(kind, []) + (by_kind.get("container", []) if kind == "box" else [])
        if kind == "cylinder":
            counts += by_kind.get("disk", [])
        colour = next((lx.color_of(w) for w in tokens[i + 1 : tokens.index(noun, i + 1)] if lx.color_of(w)), None)
        coloured = sum(c == colour for o in spec["objects"] if o["kind"] == kind for c in o["colors"])
        ok = (
            n in counts
            or sum(counts) == n
            or (colour is not None and coloured == n)
            or any(n * c == cnt for name, c in per.items() for cnt in counts)
            or any(n * k in counts for k in towers.values())
            or any(per.get(x) == n for x in per)
        )
        if counts and not ok:
            notes.append(f"{n} {noun}{'s' if n > 1 else ''} were asked for; the task has {sum(counts)}")
    return notes
