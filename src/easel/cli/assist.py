"""`easel describe` and `easel suggest`: an assistant's text printed as it arrives."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from typing import Any

from rich.console import Console
from rich.markup import escape


async def print_stream(frames: AsyncIterator[dict[str, Any]], err: Console) -> bool:
    """Write each piece of text to stdout the moment it comes; then a summary on stderr.
    Returns whether the run succeeded."""
    async for frame in frames:
        if frame["event"] == "delta":
            sys.stdout.write(frame["text"])
            sys.stdout.flush()
        elif frame["event"] == "done":
            usage = frame.get("usage") or {}
            tokens = f", {usage['input_tokens']}+{usage['output_tokens']} tokens" if usage else ""
            cost = frame.get("cost_usd") or "0"
            err.print(f"[dim]{escape(frame['model'])}{tokens}, ${cost}: {frame['url']}[/dim]")
            return True
        elif frame["event"] == "error":
            hint = f" {frame['hint']}" if frame.get("hint") else ""
            err.print(f"\n[red]Error:[/red] {escape(frame['detail'] + hint)}")
            return False
    return False
