"""JSON log lines carry the ids of the variant being worked on; the Redis readiness
probe speaks to a real Redis and notices a missing one."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from easel.ops.logs import ContextFilter, JsonFormatter, log_context
from easel.ops.readiness import ping_redis
from support.server import free_port
from support.services import require_service


def _json_logger() -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("easel.test.json")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, out


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


async def test_records_inside_a_variant_carry_its_ids_and_tasks_inherit_them() -> None:
    logger, out = _json_logger()
    logger.info("before")

    async def child() -> None:
        logger.info("in a task started by the variant's work")

    with log_context(job_id="job1", variant_id="var1"):
        logger.info("working on %s", "it")
        await asyncio.create_task(child())
    logger.info("after")

    lines = _lines(out)
    assert [line["message"] for line in lines] == [
        "before",
        "working on it",
        "in a task started by the variant's work",
        "after",
    ]
    assert "variant_id" not in lines[0] and "job_id" not in lines[3]
    for line in lines[1:3]:
        assert line["job_id"] == "job1" and line["variant_id"] == "var1"
        assert line["level"] == "info" and line["logger"] == "easel.test.json"


async def test_concurrent_variants_keep_their_own_ids() -> None:
    logger, out = _json_logger()

    async def work(variant: str) -> None:
        with log_context(job_id="job", variant_id=variant):
            for _ in range(3):
                await asyncio.sleep(0)
                logger.info(variant)

    await asyncio.gather(work("a"), work("b"))
    assert all(line["variant_id"] == line["message"] for line in _lines(out))


def test_exceptions_are_kept_in_the_line() -> None:
    logger, out = _json_logger()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("it failed")
    (line,) = _lines(out)
    assert "RuntimeError: boom" in str(line["exception"])


async def test_redis_ping_answers_from_a_real_redis() -> None:
    require_service("Redis", "127.0.0.1", 6379)
    await ping_redis("redis://127.0.0.1:6379/0")


async def test_redis_ping_fails_when_nothing_listens() -> None:
    with pytest.raises(OSError):
        await ping_redis(f"redis://127.0.0.1:{free_port()}/0")
