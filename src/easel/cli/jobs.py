"""`easel jobs`, `easel show`, `easel cancel` and `easel download`: history and one job,
named by its full id or a unique start of it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from easel.cli.common import (
    AsJson,
    BackendError,
    DataDir,
    Server,
    Token,
    User,
    console,
    err,
    fail,
    open_backend,
    print_json,
    run,
)
from easel.cli.files import check_out_dir, save_image

if TYPE_CHECKING:
    from easel.cli.backends import Backend

ID_LENGTH = 28  # easel.db.ids.new_id: 12 hex digits of time, 16 random
_HEX = re.compile(r"[0-9a-f]{1,28}")

UNFINISHED = ("queued", "running")

JobRef = Annotated[str, typer.Argument(help="A job id, or a unique start of one (easel jobs).")]


async def resolve(backend: Backend, ref: str) -> str:
    """The full id of the user's job that ``ref`` names: a whole id or a unique start."""
    ref = ref.strip().lower()
    if not _HEX.fullmatch(ref):
        raise BackendError(
            f"{ref!r} is not a job id: ids are {ID_LENGTH} hex digits (0-9, a-f), and a "
            "unique start of one will do. See `easel jobs`."
        )
    if len(ref) == ID_LENGTH:
        return ref
    found = [job["id"] for job in await backend.jobs(limit=3, id_prefix=ref)]
    if not found:
        raise BackendError(f"No job id starts with {ref}. See `easel jobs`.")
    if len(found) > 1:
        more = ", ".join(found[:2]) + (", …" if len(found) > 2 else "")
        raise BackendError(f"Several job ids start with {ref} ({more}); give more of the id.")
    return str(found[0])


def _models(job: dict[str, Any]) -> str:
    return ", ".join(sorted({v["model"] for v in job["variants"]}))


def _when(stamp: str | None) -> str:
    return stamp[:19].replace("T", " ") if stamp else "-"


def jobs(
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many recent jobs.")] = 20,
    as_json: AsJson = False,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Recent history, newest first."""

    async def go() -> list[dict[str, Any]]:
        async with open_backend(server, token, data_dir, user) as studio:
            return await studio.jobs(limit)

    found = run(go())
    if as_json:
        print_json(found)
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    # Ids are never cut (other commands take them); the prompt and models give way.
    for name, width in (("job", ID_LENGTH), ("created", 11), ("status", 9), ("images", 6)):
        table.add_column(name, no_wrap=True, min_width=width)
    table.add_column("cost", no_wrap=True, min_width=5)
    table.add_column("prompt", overflow="ellipsis", no_wrap=True, min_width=10, ratio=2)
    table.add_column("models", overflow="ellipsis", no_wrap=True, ratio=1)
    for job in found:
        done = sum(1 for v in job["variants"] if v["status"] == "succeeded")
        table.add_row(
            job["id"],
            _when(job["created_at"])[5:16],
            job["status"],
            f"{done}/{len(job['variants'])}",
            f"${job['cost_usd']}",
            escape(job["prompt"]),
            escape(_models(job)),
        )
    console.print(table)


def show(
    job_ref: JobRef,
    as_json: AsJson = False,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """One job: its prompt, settings, cost and every variant with its image or error."""

    async def go() -> dict[str, Any]:
        async with open_backend(server, token, data_dir, user) as studio:
            return await studio.job(await resolve(studio, job_ref))

    job = run(go())
    if as_json:
        print_json(job)
        return
    print_job(job)


def print_job(job: dict[str, Any]) -> None:
    console.print(f"[bold]job[/bold] {job['id']}  {job['status']}", soft_wrap=True)
    console.print(f"prompt: {escape(job['prompt'])}", soft_wrap=True)
    if job.get("negative_prompt"):
        console.print(f"negative: {escape(job['negative_prompt'])}", soft_wrap=True)
    console.print(f"created {_when(job['created_at'])}, finished {_when(job['finished_at'])}")
    console.print(f"cost ${job['cost_usd']}")
    for variant in job["variants"]:
        image, error = variant.get("image"), variant.get("error")
        seed = f"seed {variant['seed']}" if variant["seed"] is not None else "no seed"
        line = f"#{variant['position'] + 1} {variant['id']}  {variant['model']}  {seed}  "
        line += f"{variant['status']}"
        if image:
            line += f"  {image['width']}x{image['height']} {image['url']}"
        elif error:
            line += f": {error['message']}"
        console.print(escape(line), soft_wrap=True)


def cancel(
    job_ref: JobRef,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Cancel a job's queued and running variants (finished ones keep their images)."""

    async def go() -> tuple[dict[str, Any], bool]:
        async with open_backend(server, token, data_dir, user) as studio:
            job = await studio.job(await resolve(studio, job_ref))
            if not any(v["status"] in UNFINISHED for v in job["variants"]):
                return job, False
            return await studio.cancel(job["id"]), True

    job, canceled = run(go())
    if canceled:
        console.print(f"Canceled job {job['id']} ({job['status']}).", soft_wrap=True)
    else:
        console.print(
            f"Job {job['id']} has already finished ({job['status']}); nothing to cancel.",
            soft_wrap=True,
        )


def download(
    job_ref: JobRef,
    out: Annotated[Path, typer.Option("--out", help="Folder to save the images in.")] = Path("."),
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Save a job's finished images into a folder (named JOB-VARIANT.ext)."""
    check_out_dir(out)

    async def go() -> tuple[dict[str, Any], list[Path]]:
        async with open_backend(server, token, data_dir, user) as studio:
            job = await studio.job(await resolve(studio, job_ref))
            saved = [
                await save_image(studio, out, job["id"], v["id"], v["image"]["url"])
                for v in job["variants"]
                if v.get("image")
            ]
            return job, saved

    job, saved = run(go())
    if not saved:
        fail(f"Job {job['id']} has no images yet (it is {job['status']}).")
    for path in saved:
        console.print(f"saved [bold]{escape(str(path))}[/bold]", soft_wrap=True)
    missing = len(job["variants"]) - len(saved)
    if missing:
        err.print(f"{missing} variant(s) have no image ({job['status']}).")
