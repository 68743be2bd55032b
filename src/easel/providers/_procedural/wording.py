"""Finding the words a prompt asks to be lettered: "the word HELLO", "a sign that says
OPEN", "a poster titled 'Summer'", "a logo for a bakery". The text keeps the case it
was typed in; it is blanked out of the prompt so its words are not read as subjects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from easel.providers._procedural.subjects import NOUNS

TextKind = Literal["word", "sign", "logo"]

_STOP = (
    r"in|on|with|at|written|painted|drawn|and|over|under|above|below|against|for|using|as|"
    r"made|set|carved|lit|inside|outside|from|by|called|named"
)
_TEXT = rf"((?:(?!(?:{_STOP})\b)[^\s,;.:]+\s*){{1,6}})"
_QUOTED = re.compile(
    r"[\"“”„«»]([^\"“”„«»]{1,60})[\"“”„«»]|(?<![A-Za-z])'([^']{1,60})'(?![A-Za-z])"
)
_SAYS = re.compile(
    rf"\b(?:says|say|saying|reads|reading|spells|spelling|spelled|words?|text|caption|"
    rf"title|titled|lettering)\s*:?\s+{_TEXT}",
    re.IGNORECASE,
)
_LOGO = re.compile(
    rf"\b(?:logo|emblem|badge|monogram)\s+(?:for|of)\s+(?:(an?|the)\s+)?{_TEXT}", re.IGNORECASE
)
_NAMED = re.compile(rf"\b(?:called|named)\s+{_TEXT}", re.IGNORECASE)
# The words that ask for a sign: its words go on it rather than on the picture.
_SIGN_NOUNS = frozenset(key[-1] for key, (kind, _) in NOUNS.items() if kind == "sign")
LETTER_NOUNS = frozenset({"letters", "letter", "text", "font", "lettering", "type", "word"})
WEIGHTS = {
    "bold": 800, "heavy": 900, "thick": 850, "chunky": 900, "thin": 250, "elegant": 350,
    "delicate": 300, "regular": 450,
}  # fmt: skip


@dataclass(frozen=True)
class Words:
    """Text the prompt asks to be lettered."""

    text: str
    kind: TextKind
    weight: int = 700
    colour: str | None = None
    business: str = ""
    """For a logo: what the business is ("bakery"), to choose its emblem."""


def take_text(prompt: str) -> tuple[Words | None, str]:
    """Find lettering in the prompt; returns it and the prompt with its text blanked."""
    logo = _LOGO.search(prompt)
    found = _quoted(prompt) or _SAYS.search(prompt) or (logo and _NAMED.search(prompt))
    spans: list[tuple[int, int]] = []
    text = ""
    if found:
        text = next((g for g in found.groups() if g), "")
        spans.append(found.span() if found.re is _QUOTED else found.span(1))
    if logo:
        business = logo.group(2).strip()
        spans.append(logo.span(2))
        if not text:
            generic = logo.group(1) is not None or business.islower()
            text = business.title() if generic else business
        return Words(_clean(text), "logo", business=business.lower()), _blank(prompt, spans)
    if not _clean(text):
        return None, prompt
    nouns = set(re.findall(r"[a-z]+", prompt.lower()))
    kind: TextKind = "sign" if nouns & _SIGN_NOUNS else "word"
    return Words(_clean(text), kind), _blank(prompt, spans)


def _quoted(prompt: str) -> re.Match[str] | None:
    """Quoted text, unless the quotes hold the whole prompt (a habit, not lettering)."""
    found = _QUOTED.search(prompt)
    if found is None or not re.search(r"\w", prompt[: found.start()] + prompt[found.end() :]):
        return None
    return found


def _clean(text: str) -> str:
    return " ".join(text.split())[:40].strip(" -")


def _blank(prompt: str, spans: list[tuple[int, int]]) -> str:
    out = prompt
    for a, b in spans:
        out = out[:a] + " " * (b - a) + out[b:]
    return out


def styled(words: Words, tokens: list[str], colour: str | None, used: set[int]) -> Words:
    """Weight and colour of the letters ("in bold red letters"); marks the words used."""
    weight = words.weight
    for k, tok in enumerate(tokens):
        if tok in WEIGHTS:
            weight = WEIGHTS[tok]
            used.add(k)
    return Words(words.text, words.kind, weight, colour, words.business)
