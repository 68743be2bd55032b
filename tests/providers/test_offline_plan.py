"""The offline painter's plan: the subjects a prompt names are in it, with the colour,
size, place and setting the words bound to them, and the picture shows each of them
where the plan put it; text prompts carry their text; prompts with nothing the library
knows keep the older compositions."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from easel.providers import _procedural as painter
from easel.providers._procedural.phrases import read_prompt
from easel.providers._procedural.staging import MAX_SUBJECTS, Placed, colour_of
from easel.providers._procedural.subjects import LIBRARY


def plan(prompt: str, *, width: int = 512, height: int = 384, **kw: str) -> painter.Scene:
    return painter.plan_scene(prompt, seed=7, width=width, height=height, **kw)


@dataclass(frozen=True)
class Want:
    kind: str
    colour: str | None = None
    size: str = "medium"
    place: str | None = None
    count: int = 1
    traits: frozenset[str] = frozenset()


# (prompt, subjects that must be in the plan, layout, mood or None, elements that must be there)
CASES: list[tuple[str, list[Want], str, str | None, set[str]]] = [
    ("a small blue boat on a lake at dawn",
     [Want("boat", "blue", "small", "water")], "landscape", "dawn", {"water"}),
    ("a red kite and a blue boat",
     [Want("kite", "red", place="sky"), Want("boat", "blue", place="water")], "landscape", None,
     {"water"}),
    ("two cats", [Want("cat", count=2, place="ground")], "landscape", None, set()),
    ("three small yellow ducks on a pond",
     [Want("duck", "yellow", "small", "water", count=3)], "landscape", None, {"water"}),
    ("a portrait of an old fisherman",
     [Want("portrait", place="portrait", traits=frozenset({"old", "fisher"}))], "studio", None,
     set()),
    ("a cat sleeping on a windowsill",
     [Want("cat", place="table", traits=frozenset({"sleeping"}))], "interior", None, {"window"}),
    ("a huge grey castle on a hill at sunset",
     [Want("castle", "grey", "huge", "ground")], "landscape", "sunset", {"hills"}),
    ("an owl in a tree at night",
     [Want("owl"), Want("tree", place="ground")], "landscape", "night", set()),
    ("a hot air balloon over the mountains",
     [Want("hot air balloon", place="sky")], "landscape", None, {"mountains"}),
    ("three goldfish under the sea", [Want("fish", place="swim", count=3)], "underwater", None,
     set()),
    ("a rocket in space", [Want("rocket", place="centre")], "nebula", "space", set()),
    ("a bowl of fruit on a table", [Want("fruit bowl", place="table")], "interior", None, set()),
    ("a dog and a bicycle", [Want("dog"), Want("bicycle")], "landscape", None, set()),
    ("a tiny green dragon in the snow", [Want("dragon", "green", "tiny", "ground")], "landscape",
     "winter", {"snow"}),
    ("a dark blue car in the city at night", [Want("car", "dark blue")], "landscape", "night",
     {"city"}),
    ("a friendly robot", [Want("robot", traits=frozenset({"friendly"}))], "landscape", None, set()),
    ("a lighthouse", [Want("lighthouse", place="ground")], "landscape", None, {"water"}),
    ("a queen and a wizard", [Want("person", traits=frozenset({"queen", "female"})),
                              Want("person", traits=frozenset({"wizard"}))], "landscape", None,
     set()),
]  # fmt: skip


def render(scene: painter.Scene) -> npt.NDArray[np.float64]:
    with Image.open(io.BytesIO(painter.render(scene))) as img:
        return np.asarray(img.convert("RGB"), dtype=np.float64) / 255.0


def drawn_where_placed(scene: painter.Scene) -> dict[int, float]:
    """For each planned subject, how much of its box the drawing changed, as a share of
    the box: the scene painted with its subjects against the same scene without them."""
    h, w = scene.height, scene.width
    changed = np.abs(render(scene) - render(replace(scene, subjects=(), shore=None)))
    moved = changed.max(axis=2) > 0.08
    shares: dict[int, float] = {}
    for k, p in enumerate(scene.subjects):
        x0, x1 = max(0, int((p.x - p.width / 2 - 0.05) * w)), int((p.x + p.width / 2 + 0.05) * w)
        y0, y1 = max(0, int((p.y - p.height - 0.08) * h)), int((p.y + 0.05) * h)
        shares[k] = float(moved[y0 : y1 + 1, x0 : x1 + 1].sum()) / (p.width * w * p.height * h)
    return shares


def matching(scene: painter.Scene, want: Want) -> list[Placed]:
    return [
        p
        for p in scene.subjects
        if p.kind == want.kind
        and p.colour_word == want.colour
        and p.size == want.size
        and (want.place is None or p.place == want.place)
        and want.traits <= p.traits
    ]


@pytest.mark.parametrize(("prompt", "wants", "layout", "mood", "elements"), CASES)
def test_each_named_subject_is_in_the_plan(
    prompt: str, wants: list[Want], layout: str, mood: str | None, elements: set[str]
) -> None:
    scene = plan(prompt)
    assert scene.layout == layout
    if mood is not None:
        assert scene.mood == mood
    assert elements <= scene.elements
    for want in wants:
        found = matching(scene, want)
        assert len(found) == want.count, (want, scene.subjects)
        for p in found:
            if want.colour is not None:
                assert p.colour == colour_of(want.colour)
    assert len(scene.subjects) == sum(w.count for w in wants), scene.subjects


@pytest.mark.parametrize("prompt", [c[0] for c in CASES])
def test_each_planned_subject_is_drawn_where_it_was_placed(prompt: str) -> None:
    scene = plan(prompt, width=256, height=192)
    for k, share in drawn_where_placed(scene).items():
        assert share > 0.15, (scene.subjects[k], share)


@pytest.mark.parametrize("kind", sorted(LIBRARY))
def test_every_kind_is_drawn_where_it_was_placed(kind: str) -> None:
    prompt = "a portrait of a man" if kind == "portrait" else f"a {kind}"
    scene = plan(prompt, width=256, height=192)
    (k,) = [k for k, p in enumerate(scene.subjects) if p.kind == kind]
    assert drawn_where_placed(scene)[k] > 0.15, kind


def test_subjects_sit_where_their_setting_puts_them() -> None:
    scene = plan("a small blue boat on a lake at dawn")
    (boat,) = scene.subjects
    assert scene.horizon is not None
    assert scene.horizon < boat.y < 1.0, "the boat floats on the water, below the horizon"
    # A small boat is smaller than a boat of no stated size.
    (plain,) = plan("a blue boat on a lake at dawn").subjects
    assert boat.height < plain.height

    kite = next(p for p in plan("a red kite and a blue boat").subjects if p.kind == "kite")
    assert kite.y < plan("a red kite and a blue boat").horizon  # type: ignore[operator]

    owl_scene = plan("an owl in a tree at night")
    tree = next(p for p in owl_scene.subjects if p.kind == "tree")
    owl = next(p for p in owl_scene.subjects if p.kind == "owl")
    assert tree.y - tree.height < owl.y < tree.y, "the owl sits up in the tree"
    assert owl_scene.subjects.index(owl) > owl_scene.subjects.index(tree), "and in front of it"


@pytest.mark.parametrize(("width", "height"), [(512, 384), (1024, 576), (288, 512), (96, 400)])
@pytest.mark.parametrize("prompt", [c[0] for c in CASES])
def test_placed_subjects_stay_in_the_frame(prompt: str, width: int, height: int) -> None:
    for p in plan(prompt, width=width, height=height).subjects:
        assert 0.0 < p.height <= 1.0
        # A bridge spans the picture on purpose; a portrait's shoulders may leave it.
        if p.kind not in ("bridge", "portrait"):
            assert p.x - p.width / 2 >= -0.02 and p.x + p.width / 2 <= 1.02, p
        assert 0.0 < p.y <= 1.01 and p.y - p.height >= -0.01, p


def test_colour_words_bound_to_a_subject_leave_the_scene_alone() -> None:
    # "red" belongs to the kite: the palette does not turn red.
    kite = plan("a red kite")
    assert kite.named == ()
    assert plan("a red sunset").named == (colour_of("red"),)
    # A part's colour: "with a red door" paints the door, not the house.
    (house,) = plan("a white house with a red door").subjects
    assert house.colour_word == "white"
    assert dict(house.parts) == {"door": colour_of("red")}


def test_negatives_remove_subjects() -> None:
    assert [p.kind for p in plan("a cat and a dog", negative="dog").subjects] == ["cat"]
    assert plan("a quiet lake with no boats").subjects == ()
    assert "boat" not in {p.kind for p in plan("a lake, no boats, a swan").subjects}


def test_collective_plurals_stay_scenery() -> None:
    # "trees" and "flowers" make a forest or a meadow, not rows of drawings...
    forest = plan("golden forest with trees and flowers in autumn")
    assert forest.subjects == () and {"trees", "flowers"} <= forest.elements
    # ...while a count or the singular asks for the subject itself.
    assert [p.kind for p in plan("three trees").subjects] == ["tree"] * 3
    assert [p.kind for p in plan("a tree on a hill").subjects] == ["tree"]
    # A flower before "field" or "garden" describes the place.
    tulips = plan("a tulip field with a windmill")
    assert [p.kind for p in tulips.subjects] == ["windmill"] and "flowers" in tulips.elements


@pytest.mark.parametrize(
    ("prompt", "text", "kind", "weight"),
    [
        ("the word HELLO in bold letters", "HELLO", "word", 800),
        ("the words GOOD MORNING in red letters", "GOOD MORNING", "word", 700),
        ("a poster titled 'Summer Fair'", "Summer Fair", "word", 700),
        ("a logo for a bakery", "Bakery", "logo", 700),
        ("a logo for Acme Coffee", "Acme Coffee", "logo", 700),
    ],
)
def test_text_prompts_carry_their_text(prompt: str, text: str, kind: str, weight: int) -> None:
    scene = plan(prompt)
    assert scene.lettering is not None
    assert (scene.lettering.text, scene.lettering.kind) == (text, kind)
    assert scene.lettering.weight >= weight
    assert scene.layout == "studio"
    if "red" in prompt:
        assert scene.lettering.colour == colour_of("red")


def test_a_sign_carries_its_words_and_a_logo_its_emblem() -> None:
    (sign,) = plan("a sign that says OPEN").subjects
    assert (sign.kind, sign.text) == ("sign", "OPEN")
    assert plan("a sign that says OPEN").lettering is None
    bakery = plan("a logo for a bakery")
    assert bakery.lettering is not None and bakery.lettering.emblem is not None
    assert [(p.kind, p.place) for p in bakery.subjects] == [("cake", "emblem")]
    assert [p.kind for p in plan("a logo for a coffee shop").subjects] == ["cup"]


@pytest.mark.parametrize(
    "prompt",
    [
        "a red sunset over mountains",
        "neon city at night",
        "abstract geometric pastel shapes",
        "a swirling nebula",
        "a zorblax humming in the glimmer",
        '"a calm teal ocean with a full moon"',
        # Scenery words that share a stem with library subjects stay scenery.
        "a field of flowers",
        "cherry blossom in spring",
        "a forest of pine trees",
        "a mountain lake",
        "mountain range at dusk",
        "birds over the sea",
        "misty pine forest by a lake at dawn",
    ],
)
def test_prompts_without_known_subjects_keep_the_older_compositions(prompt: str) -> None:
    scene = plan(prompt)
    assert scene.subjects == () and scene.lettering is None
    assert scene.layout in ("landscape", "geometric", "nebula")
    assert scene.horizon is None and scene.shore is None


def test_a_style_that_names_a_layout_keeps_the_subjects() -> None:
    for style in ("geometric", "nebula", "landscape"):
        scene = plan("a red kite", style=style)
        assert scene.layout == style
        assert [p.kind for p in scene.subjects] == ["kite"]
    assert plan("a red kite", style="watercolor").treatment == "watercolor"


def test_reading_binds_counts_sizes_and_traits() -> None:
    reading = read_prompt("two big red horses and a small sleeping cat, a pair of swans")
    got = [(w.kind, w.count, w.size, w.colour, sorted(w.traits)) for w in reading.wanted]
    assert got == [
        ("horse", 2, "large", "red", []),
        ("cat", 1, "small", None, ["sleeping"]),
        ("swan", 2, "medium", None, []),
    ]
    assert "red" not in reading.rest.split()
    assert [(w.kind, w.count) for w in read_prompt("a crowd of people").wanted] == [("person", 6)]
    assert [(w.kind, w.count) for w in read_prompt("a few boats").wanted] == [("boat", 3)]
    (man,) = read_prompt("a man with a red hat and a blue coat").wanted
    assert man.parts == (("hat", "red"), ("clothes", "blue")) and "male" in man.traits
    # Lettering keeps its case and is not read as subjects.
    words = read_prompt("a sign that says CAT CAFE").words
    assert words is not None and words.text == "CAT CAFE"
    assert [w.kind for w in read_prompt("a sign that says CAT CAFE").wanted] == ["sign"]


def test_a_long_prompt_cannot_ask_for_unbounded_work() -> None:
    prompt = ", ".join(["eight cats", "eight dogs", "eight horses", "eight boats"] * 10)
    scene = plan(prompt)
    assert len(scene.subjects) == MAX_SUBJECTS
    assert [p.kind for p in scene.subjects].count("cat") == 8
