"""What Easel asks an assistant: the instructions for describing images and for improving
a prompt, tailored to the image models the prompts are for.

What each image model does well is read from the image catalog's capabilities, never
from a list of names here: legible lettering (``text_rendering``), vector output (an
``image/svg+xml`` output type), a negative prompt, its styles and its prompt length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from easel.assist.base import TextModelInfo, TextRequest
from easel.providers import Catalog
from easel.providers.base import ReferenceImage

SVG = "image/svg+xml"
DEFAULT_PROMPT_LENGTH = 600
SECTIONS = ("Subject", "Composition", "Style", "Palette", "Lighting")


@dataclass(frozen=True)
class Targets:
    """The image models suggestions are written for, and what that asks of a prompt."""

    models: tuple[str, ...] = ()
    text_rendering: tuple[str, ...] = ()
    """Names of the models that render legible words."""
    vector: tuple[str, ...] = ()
    negative_prompt: tuple[str, ...] = ()
    styles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    max_prompt_length: int = DEFAULT_PROMPT_LENGTH

    @property
    def wants_negative(self) -> bool:
        return bool(self.negative_prompt)

    def notes(self) -> list[str]:
        notes: list[str] = []
        if self.text_rendering:
            notes.append(
                f"{_names(self.text_rendering)} render legible lettering: put any words that "
                "should appear in the picture in double quotes and say where they go."
            )
        if self.vector:
            notes.append(
                f"{_names(self.vector)} make vector graphics (SVG): ask for flat shapes, clean "
                "outlines and a small palette; no photographic detail, grain or soft blur."
            )
        for name, styles in self.styles:
            notes.append(f"{name} offers these styles: {', '.join(styles)}.")
        return notes


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def targets_from(catalog: Catalog, model_ids: Sequence[str]) -> Targets:
    """The targets' tailoring facts; unknown or retired ids are refused (404/410)."""
    entries = [catalog.require(model_id) for model_id in model_ids]
    caps = [(e.model.name, e.model.capabilities) for e in entries]
    lengths = [c.max_prompt_length for _, c in caps]
    return Targets(
        models=tuple(model_ids),
        text_rendering=tuple(name for name, c in caps if c.text_rendering),
        vector=tuple(name for name, c in caps if SVG in c.output_types),
        negative_prompt=tuple(name for name, c in caps if c.negative_prompt),
        styles=tuple((name, c.styles) for name, c in caps if c.styles),
        max_prompt_length=min([DEFAULT_PROMPT_LENGTH, *lengths]),
    )


def describe_request(
    model: TextModelInfo,
    images: tuple[ReferenceImage, ...],
    question: str | None,
    *,
    max_output_tokens: int,
) -> TextRequest:
    sections = ", ".join(f"{s}:" for s in SECTIONS)
    system = (
        "You are the image analyst of Easel, an image generation studio. Describe the "
        "image(s) for a person who wants to make a picture like it with an image model. "
        f"Write plain text in five short sections, each on its own line starting with its "
        f"label: {sections}. Name colours concretely and say where things sit in the frame. "
        f"End with one line that starts with 'Prompt:' holding a single prompt of at most "
        f"{DEFAULT_PROMPT_LENGTH} characters that would reproduce the image; write nothing "
        "after it."
    )
    several = len(images) > 1
    many = f"There are {len(images)} images; cover each, then what they share. " if several else ""
    ask = f"The person asks: {question.strip()} Answer it within the analysis. " if question else ""
    prompt = f"{many}{ask}Analyse the image{'s' if several else ''}."
    details = {"question": question or "", "images": len(images)}
    return TextRequest(
        model=model,
        task="describe",
        system=system,
        prompt=prompt,
        images=images,
        max_output_tokens=max_output_tokens,
        details=details,
    )


def suggest_request(
    model: TextModelInfo,
    idea: str,
    *,
    count: int,
    style: str | None,
    targets: Targets,
    max_output_tokens: int,
) -> TextRequest:
    negative = (
        " After each prompt add one line that starts with 'Negative prompt:' listing what to "
        f"keep out of the picture ({_names(targets.negative_prompt)} take one)."
        if targets.wants_negative
        else ""
    )
    notes = " ".join(targets.notes())
    system = (
        "You improve prompts for image models in Easel, an image generation studio. Given "
        f"an idea, write exactly {count} improved prompts, each on its own line starting "
        "with its number and a full stop ('1. '). Each prompt is one line of at most "
        f"{targets.max_prompt_length} characters naming a concrete subject, setting, "
        "composition, lighting, palette and medium, each prompt a different take."
        f"{negative} {notes} Write nothing else."
    ).strip()
    prompt = f"Idea: {idea.strip()}"
    if style:
        prompt += f"\nStyle wanted: {style.strip()}"
    details = {"idea": idea, "count": count, "style": style or "", "targets": targets}
    return TextRequest(
        model=model,
        task="prompt",
        system=system,
        prompt=prompt,
        max_output_tokens=max_output_tokens,
        details=details,
    )
