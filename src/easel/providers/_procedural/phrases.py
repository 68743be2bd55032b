"""Reading the things a prompt asks for: subjects with their count, size, colour and
traits ("two small red boats"), the colours of their parts ("a house with a red door"),
what sits on what ("an owl in a tree"), and words to letter (see `wording`).

Adjectives bind to the next subject noun of their phrase; "and", commas and
prepositions end a phrase, so "a red kite and a blue boat" gives a red kite and a blue
boat. Words a subject takes (its colour, size, count, traits) are removed from the text
the rest of the planner reads, so a red kite does not turn the sky red.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from easel.providers._procedural.subjects import LIBRARY, NOUNS
from easel.providers._procedural.vocabulary import COLOURS
from easel.providers._procedural.wording import LETTER_NOUNS, Words, styled, take_text

Size = Literal["tiny", "small", "medium", "large", "huge"]

_COUNTS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "lone": 1, "two": 2, "pair": 2, "couple": 2,
    "both": 2, "twin": 2, "three": 3, "few": 3, "several": 3, "some": 3, "four": 4,
    "five": 5, "many": 5, "flock": 5, "herd": 5, "group": 4, "fleet": 4, "family": 3,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "dozen": 8, "crowd": 6,
    "bunch": 3, "lots": 5, "row": 4, "pack": 4, "swarm": 6,
}  # fmt: skip
_SIZES: dict[str, Size] = {
    "tiny": "tiny", "miniature": "tiny", "mini": "tiny", "small": "small",
    "little": "small", "baby": "small", "big": "large", "large": "large", "tall": "large",
    "great": "large", "huge": "huge", "giant": "huge", "enormous": "huge",
    "gigantic": "huge", "massive": "huge",
}  # fmt: skip
_SHADES = {"light": "light", "pale": "light", "dark": "dark", "deep": "dark"}
TRAITS = frozenset(
    {
        "old", "elderly", "young", "smiling", "happy", "sad", "sleeping", "asleep",
        "sitting", "standing", "flying", "running", "swimming", "bearded", "wooden",
        "stone", "striped", "spotted", "fluffy", "glowing", "rusty", "shiny", "cute",
        "angry", "friendly", "wise", "ancient", "modern", "curly", "bald", "lying",
    }
)  # fmt: skip
"""Words that describe a subject and may change its drawing."""
# Parts whose colour a prompt can set: "a house with a red door" → the "door" role.
PARTS = {
    "door": "door", "doors": "door", "roof": "roof", "sail": "sail", "sails": "sail",
    "hat": "hat", "cap": "hat", "helmet": "hat", "hood": "hat", "coat": "clothes",
    "jacket": "clothes", "shirt": "clothes", "sweater": "clothes", "jumper": "clothes",
    "dress": "clothes", "raincoat": "clothes", "robe": "clothes", "cloak": "clothes",
    "cape": "clothes", "suit": "clothes", "hair": "hair", "scarf": "scarf",
    "collar": "collar", "eyes": "iris", "eye": "iris", "wings": "wing", "wing": "wing",
    "shutters": "shutter", "petals": "petal", "leaves": "leaf", "ribbon": "ribbon",
    "bow": "ribbon", "tail": "tail", "string": "string", "flag": "flag", "stripes": "stripe",
    "spots": "spot", "wheels": "wheel", "frame": "frame", "saddle": "saddle",
    "funnel": "funnel", "funnels": "funnel", "shade": "shade", "basket": "basket",
    "candles": "candle", "icing": "icing", "cover": "cover", "mane": "mane", "beard": "hair",
}  # fmt: skip
_FRAMING = frozenset({"portrait", "headshot", "bust", "face", "closeup", "selfie"})
_NEGATORS = frozenset({"no", "without", "not", "never", "except"})
_WITH = frozenset({"with", "wearing", "in", "has", "having", "holding"})
_ON = frozenset({"in", "on", "inside", "atop", "upon"})
# Words that end a noun phrase: adjectives before them do not reach a later noun.
_BREAKS = frozenset(
    {
        "and", "with", "on", "in", "at", "by", "under", "over", "above", "below", "near",
        "beside", "behind", "next", "to", "from", "into", "onto", "across", "through",
        "against", "between", "among", "inside", "outside", "while", "who", "that", "is",
        "are", "of", "for", "during", "wearing", "holding", ",", ".", ";", "!", "?",
    }
)  # fmt: skip
_SKIP = frozenset({"the", "its", "his", "her", "their", "my", "our", "very", "a", "an"})
# "a tulip field", "a pine forest": a noun before these is scenery, not a subject.
_SCENERY_HEADS = frozenset(
    {"field", "fields", "garden", "gardens", "meadow", "bed", "patch", "forest", "forests",
     "woods", "wood", "grove", "trees", "orchard", "range", "ranges", "jungle", "lake",
     "lakes", "river", "valley", "stream", "village", "view", "landscape", "scene",
     "scenery", "road", "path", "pass", "town", "vista"}
)  # fmt: skip
_IRREGULAR = {"people": "person", "children": "child", "geese": "goose", "mice": "mouse"}
_LAST_WORDS = frozenset(key[-1] for key in NOUNS)


@dataclass(frozen=True)
class Wanted:
    """One subject the prompt asks for, before the layout places it."""

    kind: str
    noun: str
    count: int = 1
    size: Size = "medium"
    colour: str | None = None
    """The colour word bound to it ("blue"), with "light"/"dark" if given ("dark blue")."""
    traits: frozenset[str] = frozenset()
    parts: tuple[tuple[str, str], ...] = ()
    """(role, colour word) pairs: "with a red door" → ("door", "red")."""
    on: int | None = None
    """Index of the subject it sits in or on ("an owl in a tree")."""


@dataclass
class Reading:
    wanted: list[Wanted] = field(default_factory=list)
    words: Words | None = None
    rest: str = ""
    """The prompt without the words the subjects and the lettering took."""


def _singular(word: str) -> tuple[str, bool]:
    """The singular of a subject noun and whether the word was plural."""
    if word in _IRREGULAR:
        return _IRREGULAR[word], True
    for suffix, repl in (("ies", "y"), ("ves", "f"), ("men", "man"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            base = word[: -len(suffix)] + repl
            if base in _LAST_WORDS:
                return base, True
    return word, False


def _match_noun(tokens: list[str], i: int) -> tuple[str, frozenset[str], int, bool] | None:
    """The subject noun starting at token i: (kind, traits, tokens used, plural)."""
    for n in (3, 2, 1):
        key = tuple(tokens[i : i + n])
        if len(key) < n:
            continue
        if key in NOUNS:
            return (*NOUNS[key], n, False)
        last, plural = _singular(key[-1])
        if plural and (*key[:-1], last) in NOUNS:
            return (*NOUNS[(*key[:-1], last)], n, True)
    return None


@dataclass
class _Pending:
    """Words read since the last subject or phrase break, waiting for their noun."""

    count: int | None = None
    counted: bool = False
    """The count came from a number word, not just "a" or "an"."""
    size: Size = "medium"
    colour: str | None = None
    shade: str | None = None
    traits: set[str] = field(default_factory=set)
    used: list[int] = field(default_factory=list)


class _Reader:
    """One left-to-right pass over the tokens, binding adjectives to subject nouns."""

    def __init__(self, tokens: list[str], banned: frozenset[str]) -> None:
        self.tokens, self.banned = tokens, banned
        self.wanted: list[Wanted] = []
        self.used: set[int] = set()
        self.pending = _Pending()
        self.letters_colour: str | None = None
        self.noun_end = -9  # token index just after the last subject noun
        self.clause: str | None = None  # "with": the words that follow describe parts
        self.sits: int | None = None  # the subject that sits in or on the next one
        self.framing = False  # "a portrait of …": the next subject fills the frame

    def run(self) -> None:
        i = 0
        while i < len(self.tokens):
            i = self._noun(i) or self._word(i)
        if self.framing and not self.wanted:
            self.wanted.append(Wanted("portrait", "portrait", traits=frozenset({"portrait"})))

    def _noun(self, i: int) -> int | None:
        """Read a subject noun at i; returns the next index, or None if there is none."""
        match = _match_noun(self.tokens, i)
        if match is None or self.tokens[i] in LETTER_NOUNS:
            return None
        kind, implied, n, plural = match
        pending, self.pending = self.pending, _Pending()
        sits, self.sits, self.clause = self.sits, None, None
        after = self.tokens[i + n] if i + n < len(self.tokens) else ""
        if LIBRARY[kind].collective and (
            (plural and not pending.counted) or after in _SCENERY_HEADS
        ):
            return i + n  # "trees", "flowers", "a tulip field": scenery, left to the landscape
        negated = any(t in _NEGATORS for t in self.tokens[max(0, i - 3) : i])
        if self.framing:
            pending.traits.add("portrait")
            self.framing = False
        if not negated and kind not in self.banned:
            if sits is not None:
                self.wanted[sits] = replace(self.wanted[sits], on=len(self.wanted))
            self.wanted.append(_wanted(kind, self.tokens[i + n - 1], implied, plural, pending))
            self.used.update(pending.used)
            self.used.update(range(i, i + n))
            self.noun_end = i + n
        return i + n

    def _word(self, i: int) -> int:
        """Read a word that is not a subject noun; returns the next index."""
        tok, p = self.tokens[i], self.pending
        after = self.tokens[i + 1] if i + 1 < len(self.tokens) else ""
        if tok in COLOURS and after in LETTER_NOUNS:
            self.letters_colour = tok
            self.used.update((i, i + 1))
            return i + 2
        if tok in COLOURS and self.clause == "with" and (end := self._part(i)):
            return end
        if tok in _FRAMING:
            self.framing = True
        elif tok in _COUNTS and p.colour is None:
            if tok not in ("a", "an") or p.count is None:
                p.count = _COUNTS[tok]
                p.counted = tok not in ("a", "an")
        elif tok.isdigit() and 0 < int(tok) < 100:
            p.count, p.counted = int(tok), True
        elif tok in _SIZES:
            p.size = _SIZES[tok]
        elif tok in _SHADES and after in COLOURS:
            p.shade = _SHADES[tok]
        elif tok in COLOURS:
            p.colour = f"{p.shade} {tok}" if p.shade else tok
        elif tok in TRAITS:
            self._trait(i, tok)
            return i + 1
        else:
            self._break(i, tok)
            return i + 1
        p.used.append(i)
        return i + 1

    def _break(self, i: int, tok: str) -> None:
        """A word that is neither a subject nor an adjective: maybe a phrase break."""
        if tok in _SKIP or (tok == "of" and self.pending.count is not None):
            return  # "a pair of swans": the count still waits for its noun
        right_after = bool(self.wanted) and i - self.noun_end <= 1
        if tok in ("and", ",", ";", "."):
            self.framing = False
        if tok in _BREAKS or tok in _NEGATORS:
            self.pending = _Pending()
            # "with a red hat and a blue coat": the list of parts goes on after "and".
            listing = self.clause == "with" and tok in ("and", ",")
            self.clause = "with" if (right_after and tok in _WITH) or listing else None
            self.sits = len(self.wanted) - 1 if right_after and tok in _ON else None
            if right_after:
                self.noun_end = i + 1
        elif tok not in PARTS:
            self.sits = None

    def _part(self, i: int) -> int | None:
        """ "(with) a red door": the colour of a part of the last subject."""
        for k in (i + 1, i + 2):
            if k < len(self.tokens) and self.tokens[k] in PARTS:
                last = self.wanted[-1]
                shade = self.pending.shade
                colour = f"{shade} {self.tokens[i]}" if shade else self.tokens[i]
                parts = (*last.parts, (PARTS[self.tokens[k]], colour))
                self.wanted[-1] = replace(last, parts=parts)
                self.used.update((*self.pending.used, i, k))
                self.pending = _Pending()
                return k + 1
        return None

    def _trait(self, i: int, tok: str) -> None:
        """A trait right after a subject describes it ("a cat sleeping"), else the next."""
        p = self.pending
        if self.wanted and i - self.noun_end <= 1 and p.count is None and p.colour is None:
            last = self.wanted[-1]
            self.wanted[-1] = replace(last, traits=last.traits | {tok})
            self.used.add(i)
            self.noun_end = i + 1
        else:
            p.traits.add(tok)
            p.used.append(i)


def read_prompt(prompt: str, banned: frozenset[str] = frozenset()) -> Reading:
    """Find the subjects and lettering a prompt asks for; ``banned`` kinds are skipped."""
    words, rest = take_text(prompt)
    tokens = re.findall(r"[a-z0-9]+|[,.;!?]", rest.lower().replace("-", " "))
    reader = _Reader(tokens, banned)
    reader.run()
    if words is not None:
        words = styled(words, tokens, reader.letters_colour, reader.used)
    rest_text = " ".join(t for k, t in enumerate(tokens) if k not in reader.used)
    return Reading(reader.wanted, words, rest_text)


def _wanted(kind: str, noun: str, implied: frozenset[str], plural: bool, p: _Pending) -> Wanted:
    traits = frozenset(p.traits) | implied
    if "portrait" in traits and kind == "person":
        kind = "portrait"
    count = p.count if p.count is not None and (p.counted or not plural) else (3 if plural else 1)
    return Wanted(kind, noun, max(1, min(count, 8)), p.size, p.colour, traits)
