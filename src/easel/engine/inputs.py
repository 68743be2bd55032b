"""A job's input images: checked when the job is created, read back when a variant runs.

Every input is an image the caller owns, named by sha256: one they generated, uploaded
(``POST /api/v1/uploads``), or a job of theirs worked from. A reference image sent as a
base64 ``data:`` URL is stored as the caller's upload first, so references and the
images of operations take one path: `easel.db.repos.lineage` records them as the job's
inputs, which keeps them (and the caller's access to them) while the job exists.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.engine import Database
from easel.db.repos import images as image_repo
from easel.db.repos import jobs as job_repo
from easel.db.repos import lineage
from easel.db.repos.lineage import InputRef
from easel.db.tables import Image, Job
from easel.engine.download import decode_data_url
from easel.engine.operations import Sides, SourceSize
from easel.engine.specs import JobSpec
from easel.errors import InvalidOutput, NotFound, UserInputError
from easel.providers.base import OperationInputs, ReferenceImage
from easel.storage.base import ImageStore
from easel.storage.images import sniff_mime
from easel.storage.keeper import ImageKeeper
from easel.storage.uploads import store_upload

SHA256 = re.compile(r"^[0-9a-f]{64}$")
_OWN_HINT = "Name images you generated or uploaded (POST /api/v1/uploads) by their sha256."


@dataclass(frozen=True)
class ResolvedInputs:
    refs: list[InputRef]
    source: SourceSize | None
    """The size of the image an operation works on."""


def named_inputs(spec: JobSpec) -> list[InputRef]:
    """The spec's own images, by role (references come after, once stored)."""
    named = (("image", spec.image), ("mask", spec.mask), ("style_image", spec.style_image))
    return [InputRef(role, 0, sha) for role, sha in named if sha]


class InputResolver:
    def __init__(
        self, *, db: Database, store: ImageStore, keeper: ImageKeeper, max_bytes: int
    ) -> None:
        self.db = db
        self.store = store
        self.keeper = keeper
        self.max_bytes = max_bytes

    async def resolve(self, user_id: str, spec: JobSpec) -> ResolvedInputs:
        """The spec's inputs, each owned by the user (a `NotFound` otherwise, as for any
        image of someone else); a mask is checked against the image it goes with."""
        refs = named_inputs(spec)
        for index, reference in enumerate(spec.reference_images):
            sha = reference if SHA256.match(reference) else None
            if sha is None:
                sha = await self._store_data_url(user_id, reference, index)
            refs.append(InputRef("reference", index, sha))
        images = await self._owned(user_id, refs)
        source = None
        if spec.image:
            image = images[spec.image]
            source = SourceSize(image.width, image.height)
        if spec.mask and source is not None:
            data = await self._read(images[spec.mask], "mask")
            await asyncio.to_thread(_check_mask, data, (source.width, source.height))
        return ResolvedInputs(refs, source)

    async def _owned(self, user_id: str, refs: Sequence[InputRef]) -> dict[str, Image]:
        found: dict[str, Image] = {}
        async with self.db.transaction() as session:
            for ref in refs:
                image = await image_repo.image_for_user(session, user_id=user_id, sha256=ref.sha256)
                if image is None:
                    field = "reference_images" if ref.role == "reference" else ref.role
                    raise NotFound(f"No image {ref.sha256}.", field=field, hint=_OWN_HINT)
                await image_repo.touch_upload(session, user_id=user_id, sha256=ref.sha256)
                found[ref.sha256] = image
        return found

    async def _store_data_url(self, user_id: str, url: str, index: int) -> str:
        field = "reference_images"
        try:
            # Megabytes of base64: decoded off the event loop.
            image = await asyncio.to_thread(decode_data_url, url)
            if len(image.data) > self.max_bytes:
                raise InvalidOutput(f"it is {len(image.data)} bytes; the limit is {self.max_bytes}")
        except InvalidOutput as exc:
            raise UserInputError(
                f"Reference image {index + 1} is not usable: {exc.message}",
                field=field,
                hint="Send PNG, JPEG or WebP images as base64 data: URLs, or sha256 of yours.",
            ) from None
        staged = await self.keeper.staging.write(image.data, image.mime_type)
        try:
            stored = await store_upload(
                db=self.db, keeper=self.keeper, user_id=user_id, staged=staged
            )
        except UserInputError as exc:
            raise UserInputError(
                f"Reference image {index + 1} is not usable: {exc.message}",
                field=field,
                hint=exc.hint,
            ) from None
        return stored.sha256

    async def _read(self, image: Image, role: str) -> bytes:
        try:
            return await self.store.get(image.storage_key)
        except KeyError:
            raise NotFound(
                f"The file of image {image.sha256} is missing from storage.",
                field=role,
                hint="Upload the image again.",
            ) from None


def _check_mask(data: bytes, size: tuple[int, int]) -> None:
    from easel.imaging import normalize_mask, open_image  # numpy: only for a mask

    normalize_mask(open_image(data, field="mask"), size)


async def lock_owned(session: AsyncSession, *, user_id: str, refs: Sequence[InputRef]) -> None:
    """Inside the job's transaction: each input still the user's, under the image lock
    (so the collector cannot remove it between the check and the lineage row)."""
    for sha in sorted({r.sha256 for r in refs}):
        await image_repo.lock_image(session, sha)
        if not await image_repo.owned_by(session, user_id, sha):
            raise NotFound(f"No image {sha}.", field="image", hint=_OWN_HINT)


# --- reading inputs back for a run ----------------------------------------------------------


@dataclass(frozen=True)
class LoadedInputs:
    inputs: OperationInputs
    references: tuple[ReferenceImage, ...]
    refs: list[InputRef]
    """Which images they are (the result's record names them as its sources)."""


async def load_inputs(
    db: Database,
    store: ImageStore,
    job: Job,
    *,
    composite_default: bool,
    refs: list[InputRef] | None = None,
) -> LoadedInputs:
    """The job's inputs as the provider takes them; the mask made canonical at the
    image's size (the caller's rules, `easel.imaging.masks`). ``refs``, when the caller
    knows them, are not read again (and a job with none reads nothing)."""
    rows: dict[str, Image] = {}
    if refs is None or refs:
        async with db.session() as session:
            if refs is None:
                refs = (await lineage.inputs_of(session, job_ids=[job.id]))[job.id]
            rows = await job_repo.images_of(session, shas=[r.sha256 for r in refs])
    loaded: dict[tuple[str, int], ReferenceImage] = {}
    for ref in refs:
        try:
            data = await store.get(rows[ref.sha256].storage_key)
        except KeyError:
            raise UserInputError(
                f"The file of input image {ref.sha256} is missing from storage.",
                field=ref.role,
                hint="Upload the image again and start a new job with it.",
            ) from None
        loaded[(ref.role, ref.position)] = ReferenceImage(data, sniff_mime(data) or "image/png")
    references = tuple(loaded[k] for k in sorted(loaded) if k[0] == "reference")
    image, mask = loaded.get(("image", 0)), loaded.get(("mask", 0))
    if mask is not None and image is not None:
        mask = await asyncio.to_thread(_canonical_mask, mask.data, image.data)
    params = job.params
    extend = params.get("extend")
    composite = params.get("composite")
    inputs = OperationInputs(
        image=image,
        mask=mask,
        style_image=loaded.get(("style_image", 0)),
        extension=Sides.model_validate(extend).extension() if extend else None,
        factor=int(params["factor"]) if "factor" in params else None,
        composite=bool(composite) if composite is not None else composite_default,
    )
    return LoadedInputs(inputs, references, refs)


def _canonical_mask(mask: bytes, image: bytes) -> ReferenceImage:
    from easel.imaging import encode_png, normalize_mask, open_image  # numpy: only for a mask

    size = open_image(image).size  # as viewers show it (EXIF-turned), like the mask
    canonical = normalize_mask(open_image(mask, field="mask"), size)
    return ReferenceImage(encode_png(canonical), "image/png")
