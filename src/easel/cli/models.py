"""How `easel models` and `easel models check` print: the catalog, and what vendors changed."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _status(entry: dict[str, Any]) -> str:
    lifecycle = entry["lifecycle"]
    if lifecycle["status"] == "deprecated" and lifecycle["shutdown_date"]:
        return f"[yellow]shuts down {lifecycle['shutdown_date']}[/yellow]"
    if lifecycle["status"] == "deprecated":  # no date announced yet
        return f"[yellow]deprecated[/yellow], use {escape(lifecycle['replacement'] or 'another')}"
    if lifecycle["status"] == "shutdown":
        return f"[red]shut down[/red], use {escape(lifecycle['replacement'] or 'another')}"
    return "active"


def print_models(entries: list[dict[str, Any]], console: Console) -> None:
    table = Table("model", "name", "price/image", "status", "available")
    for entry in entries:
        reason = escape(entry["unavailable_reason"] or "")
        available = "yes" if entry["available"] else f"[red]no[/red]: {reason}"
        price = f"${entry['price']['per_image_usd']}"
        table.add_row(entry["id"], escape(entry["name"]), price, _status(entry), available)
    console.print(table)


def _section(console: Console, title: str, lines: list[str]) -> None:
    if lines:
        console.print(f"  {title}:")
        for line in lines:
            console.print(f"    - {line}")


def drifted(report: dict[str, Any]) -> bool:
    """Whether any vendor differs from the catalog (a known shutdown date is no news)."""
    return any(
        vendor["not_served"] or vendor["missing"] or any(s["news"] for s in vendor["shutting_down"])
        for vendor in report["providers"]
    )


def print_check(report: dict[str, Any], console: Console) -> None:
    """Print the check per vendor."""
    console.print(f"Catalog check of {report['checked_at'][:19].replace('T', ' ')} UTC")
    for vendor in report["providers"]:
        console.print(f"\n[bold]{escape(vendor['name'])}[/bold] ({vendor['provider']})")
        if not vendor["checked"]:
            console.print(f"  {escape(vendor['note'])}")
            continue
        shutting = [
            f"{s['model']} on {s['shutdown_date']}" + (" [bold](new)[/bold]" if s["news"] else "")
            for s in vendor["shutting_down"]
        ]
        _section(
            console, "No longer served (remove or retire in the catalog)", vendor["not_served"]
        )
        _section(console, "About to shut down", shutting)
        _section(console, "Image models Easel lacks", vendor["missing"])
        if not (vendor["not_served"] or vendor["shutting_down"] or vendor["missing"]):
            console.print("  matches the catalog")
