"""Handing stored images to a caller waiting on the job in the same process."""

from __future__ import annotations

from easel.engine.handoff import HandedImage, ImageHandoff


def test_images_are_handed_only_to_a_registered_caller_and_only_while_it_waits() -> None:
    handoff = ImageHandoff()
    handoff.offer("j1", "sha-early", b"x", "image/png")  # no one waits: not kept
    with handoff.expect("j1") as received:
        handoff.offer("j1", "sha-a", b"png bytes", "image/png")
        handoff.offer("j2", "sha-b", b"other job", "image/png")
        assert received == {"sha-a": HandedImage(b"png bytes", "image/png")}
    handoff.offer("j1", "sha-late", b"y", "image/png")
    assert "sha-late" not in received
