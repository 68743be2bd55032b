"""`easel generate`: submit a job and show a live progress bar per variant.

Ctrl-C asks nothing: it cancels the job this command started (no further variant starts,
nothing more is spent) and says so; with --detach the job is left to run instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from easel.cli.common import (
    DataDir,
    Server,
    Token,
    User,
    console,
    err,
    fail,
    open_backend,
    run,
)
from easel.cli.files import check_out_dir, save_image
from easel.cli.inputs import check_models, spec_problem

if TYPE_CHECKING:
    from easel.cli.backends import Backend

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


@dataclass
class Outcome:
    job: dict[str, Any]
    saved: list[Path] = field(default_factory=list)
    interrupted: bool = False


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.fields[label]}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=console,
    )


def _label(variant: dict[str, Any]) -> str:
    return f"{variant['model']} #{variant['position'] + 1}"


class Interrupted(Exception):
    """Ctrl-C came while the job was being created; it exists now."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id


async def _create(backend: Backend, spec: dict[str, Any]) -> str:
    """Create the job even if Ctrl-C comes meanwhile, so its id is known to cancel it."""
    creating = asyncio.ensure_future(backend.create(spec))
    try:
        return await asyncio.shield(creating)
    except asyncio.CancelledError:
        job_id = await creating
        raise Interrupted(job_id) from None


async def run_generation(
    backend: Backend, spec: dict[str, Any], out_dir: Path, console: Console, *, detach: bool
) -> Outcome:
    """Create the job, follow its events until it finishes, save the images. On Ctrl-C
    cancel the job (unless ``detach``) and return what it became."""
    await check_models(backend, [str(m) for m in spec["models"]])
    saved: list[Path] = []
    job_id: str | None = None
    try:
        job_id = await _create(backend, spec)
        await _follow(backend, job_id, out_dir, console, saved)
    except (asyncio.CancelledError, Interrupted) as stop:
        job_id = stop.job_id if isinstance(stop, Interrupted) else job_id
        if job_id is None:
            raise
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()  # handled here: the clean-up below must run to its end
        job = await backend.job(job_id) if detach else await backend.cancel(job_id)
        return Outcome(job, saved, interrupted=True)
    return Outcome(await backend.job(job_id), saved)


async def _follow(
    backend: Backend, job_id: str, out_dir: Path, console: Console, saved: list[Path]
) -> None:
    job = await backend.job(job_id)
    with _progress(console) as progress:
        tasks: dict[str, TaskID] = {
            v["id"]: progress.add_task("", total=100, label=_label(v), status="queued")
            for v in job["variants"]
        }
        async for event in backend.events(job_id):
            kind, task = event["type"], tasks.get(event.get("variant_id") or "")
            if task is not None:
                _update(progress, task, kind, event)
            if kind == "variant.succeeded":
                saved.append(
                    await save_image(backend, out_dir, job_id, event["variant_id"], event["image"])
                )
            if kind == "job.finished":
                break


def _update(progress: Progress, task: TaskID, kind: str, event: dict[str, Any]) -> None:
    if kind in ("variant.progress", "variant.preview"):
        progress.update(task, completed=event["progress"] * 100, status=event.get("message", ""))
    elif kind == "variant.started":
        progress.update(task, status="running")
    elif kind == "variant.queued":
        progress.update(task, status=event.get("reason") or "queued")
    elif kind == "variant.succeeded":
        cost = event.get("cost_usd")
        progress.update(task, completed=100, status=f"[green]done[/green] ${cost}")
    elif kind == "variant.failed":
        progress.update(task, status=f"[red]failed:[/red] {event['error']}")
    elif kind == "variant.canceled":
        progress.update(task, status="[yellow]canceled[/yellow]")


def generate(
    prompt: Annotated[str, typer.Argument(help="What to draw.")],
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Model id; repeat for several. Default: yours."),
    ] = None,
    n: Annotated[int, typer.Option("-n", help="Variants per model (1 to 16).")] = 1,
    size: Annotated[str | None, typer.Option(help="WIDTHxHEIGHT, e.g. 1024x768.")] = None,
    aspect: Annotated[str | None, typer.Option(help="Aspect ratio, e.g. 16:9.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for reproducible results.")] = None,
    negative: Annotated[str | None, typer.Option(help="What to keep out of the image.")] = None,
    style: Annotated[str | None, typer.Option(help="A style the model offers.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder to save images in.")] = Path("."),
    detach: Annotated[
        bool,
        typer.Option(help="On Ctrl-C leave the job running instead of canceling it."),
    ] = False,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Generate images with a live progress bar per variant. Ctrl-C cancels the job."""
    spec: dict[str, Any] = {"prompt": prompt, "models": model or [], "n": n}
    for key, value in (
        ("size", size),
        ("aspect_ratio", aspect),
        ("seed", seed),
        ("negative_prompt", negative),
        ("style", style),
    ):
        if value is not None:
            spec[key] = value
    problem = spec_problem(spec)
    if problem:
        fail(problem)
    check_out_dir(out)

    async def go() -> Outcome:
        async with open_backend(server, token, data_dir, user) as studio:
            return await run_generation(studio, spec, out, console, detach=detach)

    report(run(go()), detach=detach, server=server)


def report(outcome: Outcome, *, detach: bool = False, server: str | None = None) -> None:
    """What a job saved, its cost, and why any variant failed (exit 1); after Ctrl-C,
    what became of the job (exit 130)."""
    job = outcome.job
    for path in outcome.saved:
        console.print(f"saved [bold]{escape(str(path))}[/bold]", soft_wrap=True)
    if outcome.interrupted:
        _report_interrupted(job, detach=detach, server=server)
        raise typer.Exit(EXIT_INTERRUPTED)
    failed = [v for v in job["variants"] if v["status"] != "succeeded"]
    console.print(f"job {job['id']}: {job['status']}, cost ${job['cost_usd']}", soft_wrap=True)
    if failed:
        for variant in failed:
            message = (variant.get("error") or {}).get("message", variant["status"])
            label = f"{variant['model']} #{variant['position'] + 1}:"
            err.print(f"[red]{escape(label)}[/red] {escape(message)}", soft_wrap=True)
        raise typer.Exit(1)


def _report_interrupted(job: dict[str, Any], *, detach: bool, server: str | None) -> None:
    job_id = job["id"]
    if not detach:
        err.print(
            f"Canceled job {job_id} ({job['status']}, cost ${job['cost_usd']}).", soft_wrap=True
        )
        return
    where = f" --server {server}" if server else ""
    if server:
        err.print(f"Job {job_id} keeps running on the server.", soft_wrap=True)
    else:
        err.print(
            f"Job {job_id} is left unfinished in the data dir: it resumes when `easel serve` "
            "runs on it.",
            soft_wrap=True,
        )
    err.print(
        f"Follow it with `easel show {job_id}{where}`, download its images with "
        f"`easel download {job_id}{where}`, or stop it with `easel cancel {job_id}{where}`.",
        soft_wrap=True,
    )
