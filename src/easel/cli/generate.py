"""`easel generate`: submit a job and show a live progress bar per variant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from easel.cli.backends import Backend
from easel.storage.images import extension_for

FINAL = {"variant.succeeded", "variant.failed", "variant.canceled"}


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


async def run_generation(
    backend: Backend, spec: dict[str, Any], out_dir: Path, console: Console
) -> tuple[dict[str, Any], list[Path]]:
    """Create the job, follow its events until it finishes, save the images."""
    job_id = await backend.create(spec)
    job = await backend.job(job_id)
    out_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (once, before any work)
    saved: list[Path] = []
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
                data = await backend.image(event["image"])
                path = out_dir / f"{job_id}-{event['variant_id']}.{extension_for(data)}"
                path.write_bytes(data)
                saved.append(path)
            if kind == "job.finished":
                break
    return await backend.job(job_id), saved


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
