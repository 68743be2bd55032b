"""`easel worker`: variant workers and the periodic passes, without HTTP.

Run as many as the providers and the machine allow, beside `easel serve` processes
started with ``EASEL_EMBEDDED_WORKERS=false``, all with the same database, storage and
``EASEL_REDIS_URL``. SIGTERM (or Ctrl-C) hands running variants back to the queue.
"""

from __future__ import annotations

import asyncio
import logging.config
import signal
from pathlib import Path

from easel.cli.common import err, load_settings
from easel.config import Settings

log = logging.getLogger("easel.worker")


async def run_worker(settings: Settings) -> None:
    from easel.ops.heap import freeze_startup_heap
    from easel.ops.logs import install_log_format
    from easel.ops.metrics_listener import metrics_listener
    from easel.redaction import install_log_redaction
    from easel.services import running_services

    install_log_redaction(settings)
    install_log_format(settings.log_format)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with (
        running_services(settings.model_copy(update={"embedded_workers": True})),
        metrics_listener(settings),
    ):
        freeze_startup_heap()  # the services are up: what lives now lives as long as we do
        log.info("worker started")
        await stop.wait()
        log.info("worker stopping")


def worker_command(data_dir: Path | None, log_config: dict[str, object]) -> None:
    settings = load_settings(data_dir)
    if not settings.redis_url:
        err.print(
            "[yellow]EASEL_REDIS_URL is not set:[/yellow] this worker only sees the variants "
            "its own reconciler finds in the database."
        )
    logging.config.dictConfig(log_config)
    asyncio.run(run_worker(settings))
