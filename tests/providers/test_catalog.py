"""The catalog as data: lifecycles, their dates, replacements, default models, and the
comparison with what a vendor serves. No network: the real catalog, loaded keyless."""

from __future__ import annotations

from datetime import date

import pytest

from easel.config import Settings
from easel.engine.defaults import cheapest, effective_defaults
from easel.errors import ModelRetired, NotFound
from easel.providers import Catalog
from easel.providers.base import Lifecycle, ServedModel, deprecated
from easel.providers.drift import compare

BEFORE = date(2026, 11, 27)
AFTER = date(2026, 12, 2)


def catalog(today: date, **environ: str) -> Catalog:
    return Catalog.load(Settings(environ=environ, today=today))


def test_a_deprecated_model_shuts_down_on_its_date() -> None:
    life = Lifecycle(status="deprecated", shutdown_date=date(2026, 12, 1))
    assert life.status_on(date(2026, 11, 30)) == "deprecated"
    assert life.status_on(date(2026, 12, 1)) == "shutdown"
    assert Lifecycle().status_on(AFTER) == "active"
    undated = deprecated(None, "google/gemini-nano-banana-2.1", "changelog")
    assert undated.status_on(date(2099, 1, 1)) == "deprecated"  # offered until a date comes

    before, after = catalog(BEFORE), catalog(AFTER)
    assert before.require("openai/gpt-image-1.5").status == "deprecated"
    assert "openai/gpt-image-1.5" in {e.model.id for e in before.entries()}
    assert "openai/gpt-image-1.5" not in {e.model.id for e in after.entries()}
    retired = after.get("openai/gpt-image-1.5")  # still known, for history
    assert retired.status == "shutdown" and not retired.available
    assert "openai/gpt-image-2.6-sunburst" in str(retired.unavailable_reason)
    with pytest.raises(ModelRetired) as gone:
        after.require("openai/gpt-image-1.5")
    assert gone.value.status == 410 and gone.value.allowed == ["openai/gpt-image-2.6-sunburst"]
    assert "2026-12-01" in gone.value.message
    with pytest.raises(NotFound) as unknown:
        after.require("openai/gpt-image-9")
    assert not isinstance(unknown.value, ModelRetired)
    assert "openai/gpt-image-1.5" not in (unknown.value.allowed or [])


def test_every_lifecycle_is_complete_and_every_replacement_is_on_offer() -> None:
    everything = catalog(BEFORE).entries(include_retired=True)
    ids = {e.model.id: e.model for e in everything}
    for entry in everything:
        life = entry.model.lifecycle
        if life.status == "active":
            continue
        assert life.source, f"{entry.model.id}: say where the lifecycle fact was read"
        if life.status == "deprecated":
            # The date only where the vendor announced one (Google deprecates without).
            assert life.replacement, f"{entry.model.id}: name what to use instead"
        if life.replacement:
            replacement = ids.get(life.replacement)
            assert replacement is not None, f"{entry.model.id} → unknown {life.replacement}"
            assert replacement.lifecycle.status == "active", f"{entry.model.id} → {replacement.id}"
            assert replacement.provider == entry.model.provider


def test_shut_down_models_stay_known_but_are_never_offered() -> None:
    today = catalog(BEFORE)
    offered = {e.model.id for e in today.entries()}
    known = {e.model.id for e in today.entries(include_retired=True)}
    assert {"openai/dall-e-3", "openai/dall-e-2", "openai/gpt-image-1"} <= known - offered
    assert {"openai/gpt-image-2", "openai/gpt-image-1-mini"} <= offered


def test_defaults_fall_back_to_the_cheapest_model_that_can_run() -> None:
    keyless = catalog(BEFORE)
    assert cheapest(keyless) is not None
    assert cheapest(keyless).model.id == "offline/procedural"  # type: ignore[union-attr]
    assert effective_defaults(keyless, None) == ["offline/procedural"]
    # A chosen default without a key, or shut down, is skipped rather than failing a job.
    assert effective_defaults(keyless, ["openai/gpt-image-2"]) == ["offline/procedural"]
    keyed = catalog(AFTER, OPENAI_API_KEY="sk-test")
    chosen = ["openai/gpt-image-1.5", "openai/gpt-image-2", "no/such"]
    assert effective_defaults(keyed, chosen) == ["openai/gpt-image-2"]


def test_cheapest_prefers_models_without_a_shutdown_date() -> None:
    only_openai = Catalog.load(
        Settings(environ={"OPENAI_API_KEY": "sk-test"}, today=BEFORE),
        paths=["easel.providers.openai:OpenAIProvider"],
    )
    found = cheapest(only_openai)
    # gpt-image-1-mini lists the lowest price, but it is deprecated.
    assert found is not None and found.status == "active"
    assert found.model.id != "openai/gpt-image-1-mini"


def _served(remote: str, *, image: bool = True, when: date | None = None) -> ServedModel:
    return ServedModel(remote_name=remote, image=image, shutdown_date=when)


def test_compare_finds_exactly_what_changed() -> None:
    entries = [
        e for e in catalog(BEFORE).entries(include_retired=True) if e.provider.id == "openai"
    ]
    served = [
        _served("gpt-image-2.6-sunburst"),
        _served("gpt-image-2.6-flare"),
        _served("gpt-image-2.5-sunburst"),
        # gpt-image-2.5-flare withdrawn
        _served("gpt-image-2", when=date(2027, 3, 1)),  # a shutdown the catalog lacks
        ServedModel("gpt-image-2-2026-04-21", image=True, snapshot_of="gpt-image-2"),
        _served("gpt-image-1.5", when=date(2026, 12, 1)),  # known to the catalog
        _served("gpt-image-1-mini", when=date(2026, 12, 1)),
        _served("chatgpt-image-latest"),  # the vendor gives no date; the catalog does
        _served("gpt-image-3"),  # new
        _served("gpt-6.1-sol", image=False),  # not an image model
    ]
    not_served, shutting_down, missing = compare(entries, served, BEFORE)
    assert not_served == ["openai/gpt-image-2.5-flare"]
    assert missing == ["gpt-image-3"]
    assert [(s.model, s.shutdown_date.isoformat(), s.news) for s in shutting_down] == [
        ("openai/chatgpt-image-latest", "2026-12-01", False),
        ("openai/gpt-image-1-mini", "2026-12-01", False),
        ("openai/gpt-image-1.5", "2026-12-01", False),
        ("openai/gpt-image-2", "2027-03-01", True),
    ]
    # Past its date nothing is "about to" shut down any more, and it is not offered.
    later = [e for e in catalog(AFTER).entries(include_retired=True) if e.provider.id == "openai"]
    not_served, shutting_down, _ = compare(later, served, AFTER)
    assert [s.model for s in shutting_down] == ["openai/gpt-image-2"]
    assert not_served == ["openai/gpt-image-2.5-flare"]
