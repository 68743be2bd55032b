"""`easel edit`, `easel upscale`, `easel remove-bg`: operations on an image, followed with
the same progress bars as `easel generate` (Ctrl-C cancels the job)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from easel.cli.common import DataDir, Server, Token, User, console, open_backend, run
from easel.cli.generate import Outcome, report, run_generation

ImageRef = Annotated[str, typer.Argument(help="An image file, a sha256 or an Easel image URL.")]
Models = Annotated[
    list[str] | None,
    typer.Option("--model", "-m", help="Model id; repeat for several. Default: yours that can."),
]
Out = Annotated[Path, typer.Option("--out", help="Folder to save images in.")]


def _operate(
    spec: dict[str, Any], images: dict[str, str], out: Path, backend_args: tuple[Any, ...]
) -> None:
    """Run an operation on images (local files are uploaded or stored first) with a live
    progress bar per variant, like `generate`."""
    refs: dict[str, str | bytes] = {
        name: Path(ref).read_bytes() if Path(ref).is_file() else ref for name, ref in images.items()
    }

    async def go() -> Outcome:
        async with open_backend(*backend_args) as backend:
            for name, ref in refs.items():
                spec[name] = await backend.own_image(ref)
            return await run_generation(backend, spec, out, console, detach=False)

    report(run(go()))


def edit(
    image: ImageRef,
    prompt: Annotated[str, typer.Argument(help="The change to make.")],
    mask: Annotated[
        str | None,
        typer.Option(help="A mask (file, sha256 or URL): white where the image may change."),
    ] = None,
    model: Models = None,
    n: Annotated[int, typer.Option("-n", help="Variants per model.")] = 1,
    out: Out = Path("."),
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Edit an image as the prompt says; with --mask, repaint only the masked area."""
    spec: dict[str, Any] = {"prompt": prompt, "models": model or [], "n": n}
    spec["operation"] = "inpaint" if mask else "edit"
    images = {"image": image} | ({"mask": mask} if mask else {})
    _operate(spec, images, out, (server, token, data_dir, user))


def upscale(
    image: ImageRef,
    factor: Annotated[int, typer.Option(help="2 or 4.")] = 2,
    model: Models = None,
    out: Out = Path("."),
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Enlarge an image 2 or 4 times on each side."""
    spec: dict[str, Any] = {"operation": "upscale", "factor": factor, "models": model or []}
    _operate(spec, {"image": image}, out, (server, token, data_dir, user))


def remove_bg(
    image: ImageRef,
    model: Models = None,
    out: Out = Path("."),
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Cut the subject out onto a transparent background (PNG)."""
    spec: dict[str, Any] = {"operation": "remove_background", "models": model or []}
    _operate(spec, {"image": image}, out, (server, token, data_dir, user))
