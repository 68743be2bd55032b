"""Where the CLI writes images: a folder checked before any work, one file per variant."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from easel.cli.common import fail

if TYPE_CHECKING:
    from easel.cli.backends import Backend


def check_out_dir(out: Path) -> None:
    """Refuse an --out that cannot be a folder, before anything is queued."""
    if out.exists() and not out.is_dir():
        fail(f"--out {out} is a file; give a folder to save the images in (it is created if new).")
    parent = next((p for p in (out, *out.parents) if p.exists()), None)
    if parent is not None and not parent.is_dir():
        fail(f"--out {out} is inside the file {parent}; give a folder.")


async def save_image(
    backend: Backend, out_dir: Path, job_id: str, variant_id: str, url: str
) -> Path:
    """Fetch a variant's image and write it as JOB-VARIANT.ext."""
    from easel.storage.sniff import extension_for

    data = await backend.image(url)
    out_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (a local folder, once)
    path = out_dir / f"{job_id}-{variant_id}.{extension_for(data)}"
    path.write_bytes(data)
    return path
