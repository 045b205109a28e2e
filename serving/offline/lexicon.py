"""Words the offline generator understands: colours, numbers, object nouns, sizes and spelling repair.

Everything here is data plus two small helpers (`normalise`, `words`); the grammar lives in
`serving.offline.parser`. Colour names are the 16 keys of `utils.COLORS` (docs/task-api.md#utils-colours) —
anything else a visitor types is mapped onto them through `COLOR_SYNONYMS`, because the original silently
turned unknown names into red (docs/compat.md#silent-fallbacks).
"""

from __future__ import annotations

import difflib
import re

# The 16 colours of docs/task-api.md#utils-colours, in `utils.COLORS_NAMES` order.
COLORS = (
    "blue",
    "red",
    "green",
    "orange",
    "yellow",
    "purple",
    "pink",
    "cyan",
    "brown",
    "white",
    "gray",
    "indigo",
    "violet",
    "black",
    "silver",
    "gold",
)

COLOR_SYNONYMS = {
    "grey": "gray",
    "golden": "gold",
    "silvery": "silver",
    "crimson": "red",
    "scarlet": "red",
    "maroon": "red",
    "navy": "blue",
    "azure": "blue",
    "lime": "green",
    "emerald": "green",
    "olive": "green",
    "amber": "orange",
    "lavender": "violet",
    "lilac": "violet",
    "magenta": "pink",
    "rose": "pink",
    "teal": "cyan",
    "turquoise": "cyan",
    "aqua": "cyan",
    "beige": "brown",
    "tan": "brown",
    "chocolate": "brown",
    "ivory": "white",
    "ebony": "black",
}

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "pair": 2,
    "couple": 2,
    "both": 2,
    "three": 3,
    "few": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "several": 4,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
}
# "all the blocks" / "each block": the number is not said; the scene gets this many.
QUANTIFIERS = ("all", "each", "every", "some", "everything")

# noun (singular, after spelling repair) -> object kind the emitter knows.
NOUNS = {
    "block": "block",
    "cube": "block",
    "brick": "block",
    "box": "box",
    "crate": "box",
    "plank": "plank",
    "board": "plank",
    "slab": "plank",
    "cup": "bowl",
    "mug": "bowl",
    "coin": "cylinder",
    "token": "cylinder",
    "checker": "cylinder",
    "die": "block",
    "dice": "block",
    "lego": "block",
    "cylinder": "cylinder",
    "puck": "cylinder",
    "disc": "cylinder",
    "disk": "cylinder",
    "ball": "ball",
    "sphere": "ball",
    "marble": "ball",
    "orb": "ball",
    "bowl": "bowl",
    "plate": "bowl",
    "dish": "bowl",
    "zone": "zone",
    "square": "zone",
    "area": "zone",
    "target": "zone",
    "region": "zone",
    "spot": "zone",
    "container": "container",
    "bin": "container",
    "basket": "container",
    "tray": "container",
    "pallet": "pallet",
    "stand": "stand",
    "base": "stand",
    "platform": "stand",
    "line": "line",
    "corner": "corner",
    "marker": "corner",
    "ell": "ell",
    "fixture": "fixture",
    "slot": "fixture",
    "hole": "fixture",
    "table": "table",
    "kit": "fixture",
    "pile": "pile",
    "heap": "pile",
    "wheel": "wheel",
    "object": "block",
    "thing": "block",
    "item": "block",
    "toy": "block",
    "everything": "block",
}
# Kinds that are scenery (added with category 'fixed'); the rest can be picked by the suction cup.
FIXED_KINDS = ("bowl", "zone", "container", "pallet", "stand", "line", "corner", "fixture")

SIZE_WORDS = {
    "small": "small",
    "little": "small",
    "tiny": "small",
    "mini": "small",
    "medium": "medium",
    "big": "large",
    "large": "large",
    "huge": "large",
    "giant": "large",
}

# Verbs and structure words the grammar keys on; they are also spelling-repair targets.
KEYWORDS = (
    "put",
    "place",
    "move",
    "stack",
    "tower",
    "pyramid",
    "build",
    "make",
    "assemble",
    "wall",
    "bridge",
    "car",
    "house",
    "sandwich",
    "line",
    "align",
    "row",
    "arrange",
    "circle",
    "ring",
    "sort",
    "matching",
    "insert",
    "sweep",
    "push",
    "order",
    "size",
    "then",
    "into",
    "onto",
    "inside",
    "top",
    "colour",
    "color",
    "small",
    "smallest",
    "largest",
    "biggest",
    "ascending",
    "descending",
    "blocks",
    "each",
    "every",
    "drop",
    "stand",
    "left",
    "right",
    "front",
    "behind",
    "between",
    "around",
    "beside",
    "bottom",
    "except",
    "remove",
    "table",
    "hanoi",
    "rope",
    "grid",
    "square",
    "pyramid",
    "tower",
    "towers",
    "surround",
    "middle",
    "center",
    "disks",
    "empty",
    "clear",
    "stack",
)

_VOCAB = sorted(set(COLORS) | set(COLOR_SYNONYMS) | set(NUMBER_WORDS) | set(NOUNS) | set(SIZE_WORDS) | set(KEYWORDS))
# Everyday words that are never typos of the vocabulary ('where' is not 'wheel', 'back' not 'black').
COMMON_WORDS = set(
    """where were there these those them then than what when which while with will would could
should have here into onto from that this they their each every some same side sides back read want like
make made take taken give gave keep kept leave left right next near over under above below first last
them they bring brings show shows find found need needs still also just very
pick grab take lift place put move build make sort arrange push sweep insert align line stack organize group
form create generate design load fill rank set lay fit slide drop robot task goal have has see""".split()
)
_KNOWN = (
    COMMON_WORDS
    | set(_VOCAB)
    | {
        "back",
        "read",
        "side",
        "sides",
        "same",
        "some",
        "clean",
        "solve",
        "straighten",
        "along",
        "straight",
        "stacks",
        "lines",
        "rows",
        "bowls",
        "towers",
        "colors",
        "sizes",
        "boxes",
    }
)
_BY_LETTER: dict[str, list[str]] = {}
for _w in _VOCAB:
    _BY_LETTER.setdefault(_w[0], []).append(_w)
_IRREGULAR_PLURALS = {"boxes": "box", "dishes": "dish", "pieces": "piece"}


def singular(word: str) -> str:
    """'blocks' -> 'block', 'boxes' -> 'box'; words that are not a plural are returned unchanged."""
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word[:-1] in _KNOWN:
        return word[:-1]
    return word


def repair(word: str) -> str:
    """Fix a misspelt vocabulary word ('blcok' -> 'block', 'bowel' -> 'bowl') by difflib ratio >= 0.8.

    Only words of 4+ letters that are not already known are touched, so ordinary English passes
    through unchanged (e.g. 'the', 'them').
    """
    if len(word) < 4 or word in _KNOWN or singular(word) in _KNOWN:
        return word
    # Typos rarely change the first letter; requiring it keeps 'fridge' from becoming 'bridge' and
    # 'solve' from becoming 'olive' (a colour).
    vocab = _BY_LETTER.get(word[0], [])
    swapped = [v for v in vocab if len(v) == len(word) and sorted(v) == sorted(word)]  # 'lfet' -> 'left'
    if swapped:
        return swapped[0]
    close = difflib.get_close_matches(word, vocab, n=1, cutoff=0.8)
    if close:
        return close[0]
    if word.endswith("s"):  # misspelt plural: 'bloks' -> 'block'
        close = difflib.get_close_matches(word[:-1], vocab, n=1, cutoff=0.8)
        if close:
            return close[0]
    return word


def normalise(text: str) -> str:
    """Lower-case, unify British spelling and punctuation; keeps commas and full stops as tokens."""
    text = text.lower().replace("colour", "color").replace("-", " ")
    text = re.sub(r"(\d+)\s*(?:x|\*|×)\s*(\d+)", r"\1 by \2", text)  # "2x3 grid" -> "2 by 3 grid"
    text = re.sub(r"\bl\s+shaped(\s+(block|piece|object|thing)s?)?\b", "ell", text)
    text = re.sub(r"[^a-z0-9,.;\s]", " ", text)
    text = re.sub(r"([,.;])", r" \1 ", text)
    return re.sub(r"\s+", " ", text).strip()


PLURAL = "+pl"  # token placed after a noun that was plural ('blocks' -> 'block', '+pl')


# Words that may come before the task itself ("the robot should ...", "create a task where the robot
# has to ...", "make the robot ..."): dropped when nothing but these precedes the first verb.
PREAMBLE = set(
    """please can could would will you i we want like to see have has let lets s create generate
design write task where which in that goal is the a an robot arm gripper should must needs need idea this
new simple for me us here my make get it its whose so""".split()
)
# Verbs that start an instruction the parser acts on.
VERBS = (
    "put",
    "place",
    "move",
    "drop",
    "stack",
    "build",
    "make",
    "assemble",
    "line",
    "align",
    "arrange",
    "sort",
    "insert",
    "sweep",
    "push",
    "order",
    "set",
    "bring",
    "lay",
    "pile",
    "fit",
    "slide",
    "organize",
    "organise",
    "group",
    "form",
    "create",
    "load",
    "fill",
    "rank",
)
# A preamble ends at any of these ("the robot should pick up ...").
PREAMBLE_VERBS = VERBS + (
    "pick",
    "grab",
    "take",
    "lift",
    "solve",
    "straighten",
    "surround",
    "remove",
    "empty",
    "clear",
)


def strip_preamble(tokens: list[str]) -> list[str]:
    """Tokens from the first verb on, when only PREAMBLE words come before it ('the robot should pick up
    ...' -> 'pick up ...'); a verb aimed at the robot or a task ('make the robot', 'create a task') is
    part of the preamble."""
    for k, tok in enumerate(tokens):
        if (
            tok in PREAMBLE_VERBS
            and tokens[k + 1 : k + 3] not in (["the", "robot"], ["the", "arm"], ["a", "task"])
            and tokens[k + 1 : k + 2] not in (["robot"], ["task"])
        ):
            return tokens[k:] if all(t in PREAMBLE for t in tokens[:k]) else tokens
        if tok not in PREAMBLE:
            return tokens
    return tokens


def words(text: str) -> list[str]:
    """Tokens of `normalise(text)` with spelling repaired and plurals made singular; a plural noun is
    followed by the PLURAL marker token so 'put the blocks ...' still means more than one."""
    out = []
    for w in normalise(text).split():
        fixed = repair(w)
        one = singular(fixed)
        out.append(one)
        if one != fixed and one in NOUNS:
            out.append(PLURAL)
    return out


def number_of(word: str) -> int | None:
    """The count a token says ('3' -> 3, 'three' -> 3), or None."""
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def color_of(word: str) -> str | None:
    """The colour (docs/task-api.md#utils-colours) a token names ('grey' -> 'gray'), or None."""
    if word in COLORS:
        return word
    return COLOR_SYNONYMS.get(word)


NUMBER_NAMES = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def plural(name: str) -> str:
    """'red block' -> 'red blocks', 'box 2' -> 'boxes 2' (the noun is the last word before a number)."""
    parts = name.split(" ")
    k = len(parts) - 2 if parts[-1].isdigit() and len(parts) > 1 else len(parts) - 1
    parts[k] += "es" if parts[k].endswith(("x", "s")) else "s"
    return " ".join(parts)


def identifier(name: str) -> str:
    """Python identifier for a group name: 'large red block 2' -> 'large_red_block_2'."""
    return re.sub(r"\W+", "_", name).strip("_") or "obj"
