"""The studio in this process, on the same data dir a server would use.

It starts as little as each command needs: the catalog alone for `easel models`; the
database and the job service (no workers) to read, cancel or download; the whole studio
with its workers only to generate or assist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from easel.cli.backends import BackendError, problem_text
from easel.config import Settings
from easel.errors import EaselError, UserInputError

if TYPE_CHECKING:
    from easel.db.engine import Database
    from easel.engine.jobs import JobService
    from easel.providers import Catalog
    from easel.services import Services
    from easel.storage.base import ImageStore


def _message(exc: EaselError | ValidationError) -> str:
    if isinstance(exc, UserInputError):
        return problem_text(exc.message, exc.allowed, exc.hint)
    return str(exc)


class EmbeddedBackend:
    def __init__(self, settings: Settings, user: str) -> None:
        self.settings = settings
        self.user = user
        self._stack = AsyncExitStack()
        self._user_id: str | None = None
        self._catalog: Catalog | None = None
        self._db: Database | None = None
        self._store: ImageStore | None = None
        self._reader: JobService | None = None
        self._services: Services | None = None

    async def aclose(self) -> None:
        await self._stack.aclose()

    def catalog(self) -> Catalog:
        if self._services is not None:
            return self._services.catalog
        if self._catalog is None:
            from easel.providers import Catalog

            self._catalog = Catalog.load(self.settings)
        return self._catalog

    async def _database(self) -> Database:
        """The data dir's database, migrated first if it is behind."""
        if self._services is not None:
            return self._services.db
        if self._db is None:
            from easel.db.engine import Database
            from easel.db.migrate import ensure_current

            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            await ensure_current(self.settings.resolved_database_url)
            self._db = Database(self.settings.resolved_database_url)
            self._stack.push_async_callback(self._db.dispose)
        return self._db

    async def user_id(self) -> str:
        if self._user_id is None:
            from easel.db.repos import users as user_repo

            async with (await self._database()).transaction() as session:
                account = await user_repo.get_or_create_user(session, name=self.user)
            self._user_id = account.id
        return self._user_id

    def _image_store(self) -> ImageStore:
        if self._services is not None:
            return self._services.store
        if self._store is None:
            from easel.storage.factory import open_image_store
            from easel.storage.s3 import s3_options_from_env

            options = s3_options_from_env(self.settings.environ)
            self._store = open_image_store(self.settings.resolved_storage_url, options)
            self._stack.push_async_callback(self._store.aclose)
        return self._store

    async def _jobs(self) -> JobService:
        """The running studio's job service, or one without workers for reading and
        cancelling (nothing queued in another process starts here)."""
        if self._services is not None:
            return self._services.jobs
        if self._reader is None:
            from easel.engine.jobs import JobService
            from easel.engine.queue import InProcessQueue
            from easel.events.bus import InProcessEventBus
            from easel.providers import Catalog
            from easel.storage.factory import staging_for
            from easel.storage.keeper import ImageKeeper

            db, store = await self._database(), self._image_store()
            self._reader = JobService(
                settings=self.settings,
                db=db,
                bus=InProcessEventBus(),
                queue=InProcessQueue(),
                # It reads and cancels, never creates or retries: it needs no models
                # (and so does not load the providers and the offline painter).
                catalog=Catalog([], []),
                store=store,
                keeper=ImageKeeper(
                    db=db,
                    store=store,
                    staging=staging_for(store, self.settings.data_dir),
                    retry_seconds=self.settings.storage_retry_seconds,
                ),
            )
        return self._reader

    async def studio(self) -> Services:
        """The whole studio with its workers, started once."""
        if self._services is None:
            from easel.db.migrate import ensure_current
            from easel.services import running_services

            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            await ensure_current(self.settings.resolved_database_url)
            self._services = await self._stack.enter_async_context(running_services(self.settings))
        return self._services

    async def models(self) -> list[dict[str, Any]]:
        from easel.api.schemas import ModelOut

        return [ModelOut.build(e).model_dump(mode="json") for e in self.catalog().entries()]

    async def check_models(self) -> dict[str, Any]:
        report = await (await self.studio()).model_check.run_now()
        return report.model_dump(mode="json")

    async def create(self, spec: dict[str, Any]) -> str:
        from easel.engine.specs import JobSpec

        services = await self.studio()
        try:
            job = await services.jobs.create(
                user_id=await self.user_id(), spec=JobSpec.model_validate(spec)
            )
        except (EaselError, ValidationError) as exc:
            raise BackendError(_message(exc)) from None
        return job.id

    async def job(self, job_id: str) -> dict[str, Any]:
        return await self._one_job(job_id, cancel=False)

    async def _one_job(self, job_id: str, *, cancel: bool) -> dict[str, Any]:
        """A job as the API shows it; canceled first when ``cancel``."""
        from easel.api.schemas import JobOut

        service, user_id = await self._jobs(), await self.user_id()
        try:
            if cancel:
                view = await service.cancel(user_id=user_id, job_id=job_id)
            else:
                view = await service.get(user_id=user_id, job_id=job_id)
        except EaselError as exc:
            raise BackendError(_message(exc)) from None
        return JobOut.build(view).model_dump(mode="json")

    async def jobs(self, limit: int, id_prefix: str | None = None) -> list[dict[str, Any]]:
        from easel.api.schemas import JobOut
        from easel.db.repos.jobs import JobFilters

        views = await (await self._jobs()).search(
            user_id=await self.user_id(),
            filters=JobFilters(id_prefix=id_prefix),
            before=None,
            limit=limit,
        )
        return [JobOut.build(v).model_dump(mode="json") for v in views]

    async def cancel(self, job_id: str) -> dict[str, Any]:
        return await self._one_job(job_id, cancel=True)

    async def events(self, job_id: str) -> AsyncIterator[dict[str, Any]]:
        from easel.events.feed import EventFeed

        services = await self.studio()
        feed = EventFeed(
            log=services.log_reads,
            bus=services.bus,
            user_id=await self.user_id(),
            job_id=job_id,
            after_seq=0,
        )
        async for event in feed:
            yield event.sse_data()

    async def own_image(self, ref: str | bytes) -> str:
        """A file's bytes are stored as the user's upload; a sha256 or image URL is kept."""
        from easel.assist.inputs import image_sha

        services = await self.studio()
        try:
            return await image_sha(services, await self.user_id(), ref)
        except EaselError as exc:
            raise BackendError(_message(exc)) from None

    async def assist(self, kind: str, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        from easel.assist.specs import DescribeSpec, SuggestSpec

        service = (await self.studio()).assist
        user_id = await self.user_id()
        try:
            if kind == "describe":
                run = await service.describe(
                    user_id=user_id, spec=DescribeSpec.model_validate(body)
                )
            else:
                run = await service.suggest(user_id=user_id, spec=SuggestSpec.model_validate(body))
        except (EaselError, ValidationError) as exc:
            raise BackendError(_message(exc)) from None
        async for frame in run.frames():
            yield {"event": frame.event, **frame.model_dump(mode="json")}

    async def share(self, body: dict[str, Any]) -> dict[str, Any]:
        """A link for when the studio is served (at ``public_url``, else host and port)."""
        from easel.api.routes.shares import ShareCreated, ShareIn
        from easel.sharing import create_share

        try:
            spec = ShareIn.model_validate(body)
            issued = await create_share(
                await self._database(),
                user_id=await self.user_id(),
                kind=spec.target.kind,
                target_id=spec.target.id,
                expires_in=spec.expires_in,
            )
        except (EaselError, ValidationError) as exc:
            raise BackendError(_message(exc)) from None
        base = self.settings.public_url or f"http://{self.settings.host}:{self.settings.port}"
        return ShareCreated.made(issued, base).model_dump(mode="json")

    async def image(self, path: str) -> bytes:
        from easel.db.repos import images as image_repo

        sha = path.rstrip("/").split("/")[-1]
        async with (await self._database()).session() as session:
            image = await image_repo.image_for_user(
                session, user_id=await self.user_id(), sha256=sha
            )
        if image is None:
            raise BackendError(f"No image {sha}.")
        return await self._image_store().get(image.storage_key)
