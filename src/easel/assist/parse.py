"""Reading structure out of streamed text: the reproducing prompt that ends a description,
and the suggestions of a prompt answer as each one completes.

The shapes are the ones `easel.assist.prompts` asks every model for: a description ends
with a line ``Prompt: …``; suggestions are numbered lines (``1. …``), each optionally
followed by a ``Negative prompt: …`` line. Models add Markdown now and then (``**Prompt:**``),
so labels are read loosely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PROMPT_LINE = re.compile(r"^[\s>*_#-]*prompt[*_]*\s*[:：][*_]*\s*(?P<rest>.*)$", re.I)
_NUMBERED = re.compile(r"^\s*[*_]*(?P<n>\d{1,2})[.)][*_]*\s+(?P<rest>.*)$")
_NEGATIVE = re.compile(r"^[\s>*_-]*negative(?:\s+prompt)?[*_]*\s*[:：][*_]*\s*(?P<rest>.*)$", re.I)


_QUOTES = ('"', '"'), ("“", "”")


def _clean(text: str) -> str:
    text = text.strip().strip("*_").strip()
    for opening, closing in _QUOTES:
        if len(text) > 1 and text.startswith(opening) and text.endswith(closing):
            text = text[1:-1].strip()
    return text


def reproducing_prompt(text: str) -> str | None:
    """The prompt after the last ``Prompt:`` label (to the end), or None."""
    lines = text.splitlines()
    for index in range(len(lines) - 1, -1, -1):
        match = _PROMPT_LINE.match(lines[index])
        if match:
            rest = " ".join([match["rest"], *lines[index + 1 :]])
            return _clean(" ".join(rest.split())) or None
    return None


@dataclass(frozen=True)
class Suggestion:
    index: int
    prompt: str
    negative_prompt: str | None = None


class SuggestionReader:
    """Fed the text as it streams; hands back each suggestion once it is complete (the
    next one has started, or the text ended)."""

    def __init__(self) -> None:
        self._pending = ""
        self._prompt: list[str] = []
        self._negative: str | None = None
        self._open = False
        self.found: list[Suggestion] = []

    def feed(self, delta: str) -> list[Suggestion]:
        self._pending += delta
        *lines, self._pending = self._pending.split("\n")
        done: list[Suggestion] = []
        for line in lines:
            done += self._line(line)
        return done

    def finish(self) -> list[Suggestion]:
        done = self._line(self._pending)
        self._pending = ""
        return done + self._close()

    def _line(self, line: str) -> list[Suggestion]:
        numbered = _NUMBERED.match(line)
        if numbered:
            done = self._close()
            self._open, self._prompt = True, [numbered["rest"]]
            return done
        negative = _NEGATIVE.match(line)
        if negative and self._open:
            self._negative = _clean(negative["rest"]) or None
        elif self._open and line.strip() and self._negative is None:
            self._prompt.append(line)
        return []

    def _close(self) -> list[Suggestion]:
        if not self._open:
            return []
        prompt = _clean(" ".join(" ".join(self._prompt).split()))
        self._open, self._prompt, negative, self._negative = False, [], self._negative, None
        if not prompt:
            return []
        suggestion = Suggestion(len(self.found), prompt, negative)
        self.found.append(suggestion)
        return [suggestion]
