"""Saying no: ideas a suction arm on a tabletop cannot do, and the nearest library task by TF-IDF.

    from serving.offline.refusal import out_of_domain, nearest_task
    out_of_domain("do a backflip")  -> "backflip"
    nearest_task("stack blocks into a pyramid", texts)  -> "stack-block-pyramid"

The suggestion ranks library tasks by cosine similarity of TF-IDF vectors (smoothed idf, log-scaled
term frequency) over each task's name and description. The texts come from the caller
(`generation.library.Library.texts()`, or the listing in a prompt): serving reads no library files.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from serving.offline import lexicon as lx
from serving.offline.parser import NotUnderstood, understand
from serving.offline.understanding import understanding

# Actions a suction gripper over a table cannot perform (it picks from the top, places, or pushes).
IMPOSSIBLE = {
    "backflip": "do acrobatics",
    "flip": "flip or turn objects over",
    "jump": "jump",
    "fly": "fly",
    "dance": "dance",
    "sing": "sing",
    "throw": "throw things",
    "toss": "throw things",
    "catch": "catch things in the air",
    "kick": "kick",
    "juggle": "juggle",
    "spin": "spin objects",
    "fold": "fold cloth",
    "laundry": "handle laundry",
    "shirt": "handle clothes",
    "towel": "handle cloth",
    "cloth": "handle cloth",
    "cook": "cook",
    "bake": "bake",
    "fry": "cook",
    "boil": "cook",
    "eat": "eat",
    "drink": "drink",
    "pour": "pour liquids",
    "water": "handle liquids",
    "liquid": "handle liquids",
    "cut": "cut things",
    "slice": "cut things",
    "knife": "use tools",
    "tie": "tie knots",
    "knot": "tie knots",
    "open": "open things",
    "door": "open doors",
    "drawer": "open drawers",
    "unscrew": "screw or unscrew",
    "screw": "screw or unscrew",
    "write": "write",
    "draw": "draw",
    "paint": "paint",
    "wash": "wash things",
    "wipe": "wipe surfaces",
    "walk": "walk",
    "run": "run",
    "swim": "swim",
    "hammer": "use tools",
    "nail": "use tools",
    "sew": "sew",
    "drive": "drive",
    "ride": "ride",
    "squeeze": "squeeze",
    "bend": "bend objects",
    "break": "break things",
    "melt": "melt things",
    "inflate": "inflate things",
    "balance": "balance objects on edges",
    "hang": "hang things up",
    "wave": "wave",
    "stir": "stir",
    "shake": "shake things",
    "crush": "crush things",
    "squash": "crush things",
    "glue": "glue things",
    "tape": "tape things",
    "type": "type",
    "lock": "lock things",
    "feed": "feed anything",
    "hug": "hug",
    "heat": "heat things",
    "freeze": "freeze things",
    "burn": "burn things",
    "roll": "roll things",
    "shoot": "shoot",
    "launch": "launch things",
    "smash": "smash things",
    "knock": "knock things over",
    "destroy": "destroy things",
    "topple": "knock things over",
    "bounce": "bounce things",
    "teleport": "teleport things",
    "levitate": "make things float",
    "float": "make things float",
    "dig": "dig",
    "say": "speak",
    "speak": "speak",
    "talk": "speak",
    "give": "hand things to people",
    "hand": "hand things to people",
    "upside": "flip or turn objects over",
    "tilt": "tilt objects",
    "close": "open or close things",
}

# Things there is no asset for, by category; `refusal_message` names the category.
_THINGS = {
    "animals": "animal pet dog puppy cat kitten horse cow pig sheep goat bird duck chicken fish mouse rat lion "
    "tiger bear monkey giraffe zebra rabbit bunny snake frog turtle insect bug spider ant bee "
    "butterfly dinosaur shark whale dolphin penguin owl fox wolf deer hamster parrot octopus "
    "unicorn dragon elephant",
    "furniture and appliances": "fridge refrigerator chair sofa couch bed desk shelf cupboard cabinet wardrobe "
    "closet lamp oven microwave sink toilet bathtub piano tv television computer "
    "laptop phone truck bus bike bicycle door window furniture",
    "food": "food apple banana fruit bread cheese pizza cake cookie egg meat carrot potato tomato burger "
    "candy rice pasta soup cereal donut grape lemon strawberry cherry snack vegetable sushi",
    "liquids": "water milk juice coffee tea wine beer soda oil sauce liquid sand",
    "people": "person man woman child kid baby people human boy girl friend",
    "everyday objects": "book pen pencil paper scissors fork spoon bottle shoe sock hat plant flower tree vase "
    "leaf pillow blanket",
}
UNKNOWN_THINGS = {w: cat for cat, words in _THINGS.items() for w in words.split()}
# What an unknown thing is replaced by in the suggested idea: containers become the box, the rest a block.
_CONTAINERS = {
    "fridge",
    "refrigerator",
    "cupboard",
    "cabinet",
    "wardrobe",
    "closet",
    "oven",
    "microwave",
    "sink",
    "shelf",
    "bathtub",
    "toilet",
}
# Actions refused only where they are the verb (first word of a clause): 'the open box' is fine.
_VERB_ONLY = {
    "open",
    "draw",
    "run",
    "break",
    "balance",
    "hang",
    "wave",
    "spin",
    "flip",
    "tie",
    "drive",
    "ride",
    "bend",
    "walk",
    "jump",
    "fly",
    "type",
    "lock",
    "hand",
    "float",
    "say",
    "give",
    "close",
}

CAPABILITIES = (
    "put or move blocks, boxes, balls and cylinders into bowls, zones, containers, onto "
    "pallets or stands; stack towers and pyramids; build a wall, bridge, house, car or "
    "sandwich; line objects up or arrange them in a circle; sort by colour; order by size; "
    "insert the ell into its fixture; sweep a pile into a zone"
)

_WORD = re.compile(r"[a-z]+")


def out_of_domain(idea: str) -> str | None:
    """The first word of `idea` naming an action the arm cannot do or a thing there is no asset for,
    or None. Ambiguous verbs (_VERB_ONLY) count only as the first word of a clause."""
    words = lx.normalise(idea).split()
    for i, w in enumerate(words):
        stem = (
            w[:-3]
            if w.endswith("ing") and w[:-3] in IMPOSSIBLE
            else w[:-1]
            if (w.endswith("s") and w[:-1] in IMPOSSIBLE)
            else w
        )
        if stem in IMPOSSIBLE:
            clause_start = i == 0 or words[i - 1] in (
                "then",
                "and",
                ",",
                ".",
                ";",
                "to",
                "please",
                "robot",
                "can",
                "you",
                "first",
                "will",
                "should",
            )
            rope = stem == "close" and ({"rope", "square", "gap"} & set(words))  # 'close the square with the rope'
            if (stem not in _VERB_ONLY or clause_start) and not rope:
                return w
        thing = (
            w
            if w in UNKNOWN_THINGS
            else w[:-1]
            if w.endswith("s") and w[:-1] in UNKNOWN_THINGS
            else w[:-2]
            if w.endswith("es") and w[:-2] in UNKNOWN_THINGS
            else None
        )
        if thing:
            return thing
    return None


def suggest_idea(idea: str, reason: str) -> str:
    """The nearest idea the generator supports: refused verbs replaced by 'put', unknown things by
    blocks (a box when it is something to put things in); a plain example when the result would still
    not be built exactly."""
    out = []
    for w in lx.normalise(idea).split():
        thing = next((t for t in (w, w.removesuffix("s"), w.removesuffix("es")) if t in UNKNOWN_THINGS), None)
        verb = next((t for t in (w, w.removesuffix("ing"), w.removesuffix("s")) if t in IMPOSSIBLE), None)
        if thing:
            many = bool(out) and (lx.number_of(out[-1]) or 0) > 1 or w != thing
            out.append(
                ""
                if UNKNOWN_THINGS[thing] == "liquids"
                else ("boxes" if many else "box")
                if thing in _CONTAINERS
                else ("blocks" if many else "block")
            )
        elif verb and (verb not in _VERB_ONLY or not out or out[-1] in ("then", "and", ",")):
            out.append("put")
        else:
            out.append(w)
    candidate = " ".join(t for t in out if t)
    try:
        if understanding(understand(candidate))["faithful"]:
            return candidate
    except NotUnderstood:
        pass
    return "put the red block in the green bowl"


def refusal_message(idea: str, reason: str | None, suggestion: str | None, detail: str = "") -> str:
    """A user-facing refusal: why (`detail`: what the parser found, when it found nothing to build), the
    nearest supported idea, what the generator can do, and the nearest library task."""
    if reason:
        key = reason if reason in IMPOSSIBLE else reason.removesuffix("ing").removesuffix("s")
        if reason in UNKNOWN_THINGS:
            head = (
                f"There is no {reason} in the simulator: it has no {UNKNOWN_THINGS[reason]}, only blocks, "
                f"boxes, balls, cylinders, bowls, zones, containers, pallets and the like, so "
                f'"{idea.strip()[:80]}" cannot become a task.'
            )
        else:
            head = (
                f"The robot is a single suction arm over a table: it cannot {IMPOSSIBLE.get(key, reason)}, "
                f'so "{idea.strip()[:80]}" cannot become a task.'
            )
        head += f' Nearest supported idea: "{suggest_idea(idea, reason)}".'
    else:
        why = f" ({detail})" if detail else ""
        head = (
            f'The offline rule-based generator could not understand "{idea.strip()[:80]}"{why}. '
            f'Nearest supported idea: "{suggest_idea(idea, "")}".'
        )
    tail = f" The closest task in the library is '{suggestion}'." if suggestion else ""
    return f"{head} It can {CAPABILITIES}.{tail}"


def _terms(text: str) -> list[str]:
    return [lx.singular(w) for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP]


_STOP = {
    "there",
    "here",
    "please",
    "can",
    "you",
    "want",
    "like",
    "would",
    "the",
    "and",
    "with",
    "into",
    "onto",
    "from",
    "that",
    "this",
    "are",
    "for",
    "its",
    "one",
    "each",
    "put",
    "on",
    "of",
    "to",
    "in",
    "a",
    "an",
    "is",
    "it",
    "so",
    "by",
    "at",
    "be",
    "or",
    "all",
    "then",
}


def nearest_task(idea: str, texts: dict[str, str]) -> str | None:
    """Library task name with the highest TF-IDF cosine similarity to `idea`; None if nothing shares a term.

    tf = 1 + log(count); idf = log((1 + N) / (1 + df)) + 1 (scikit-learn's smoothed form).
    """
    ranked = rank_tasks(idea, texts)
    return ranked[0] if ranked else None


def rank_tasks(idea: str, texts: dict[str, str], k: int = 3) -> list[str]:
    """Up to `k` library task names by decreasing TF-IDF similarity to `idea` (only positive scores).
    `texts`: {task name: text} (the library's, which the caller provides: serving reads no files)."""
    docs = {name: Counter(_terms(t)) for name, t in texts.items()}
    n = len(docs)
    df = Counter(term for c in docs.values() for term in c)
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}

    def vec(counts: Counter) -> dict[str, float]:
        v = {t: (1 + math.log(c)) * idf.get(t, 0.0) for t, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    q = vec(Counter(_terms(idea)))
    scores = {name: sum(q.get(t, 0.0) * x for t, x in vec(c).items()) for name, c in docs.items()}
    return [name for name, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])) if s > 0][:k]
