"""What a share link shows, to anyone, without a token: the image itself, or a job's
read-only page and that job's images.

Every request looks the link up again (by the hash of its secret), so a revoked or expired
link, or one whose job was deleted, answers 404 from the next request on. Images may be
kept by browsers and proxies but must be revalidated before each use (`CACHE`): an
unchanged image costs a 304 without a body, and a revoked one is never shown again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from easel.api.deps import ServicesDep
from easel.api.routes.images import serve_image
from easel.api.share_page import PAGE_HEADERS, SharedImage, gone_page, job_page
from easel.db.repos import jobs as job_repo
from easel.db.repos import shares as share_repo
from easel.db.tables import Image, ShareLink
from easel.errors import NotFound
from easel.services import Services
from easel.urls import SHARED, shared_image_path

router = APIRouter(prefix=SHARED, include_in_schema=False)

CACHE = "public, no-cache"
MAX_TOKEN_LENGTH = 100


class LinkGone(NotFound):
    code = "share-not-found"


async def _link(services: Services, token: str) -> ShareLink:
    link = None
    if len(token) <= MAX_TOKEN_LENGTH:
        async with services.db.session() as session:
            link = await share_repo.working_link(session, token=token)
    if link is None:
        raise LinkGone(
            "This share link does not work: it was revoked, it expired, or it never existed.",
            hint="Ask whoever shared it for a new link.",
        )
    return link


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _gone(request: Request, error: LinkGone) -> Response:
    """A browser opening a dead link gets a page saying so; anything else problem+json."""
    if _wants_html(request):
        return HTMLResponse(gone_page(), status_code=404, headers=PAGE_HEADERS)
    raise error


async def _job_page(services: Services, link: ShareLink, token: str) -> Response:
    view = await services.jobs.get(user_id=link.user_id, job_id=link.target_id)
    names: dict[str, str] = {}
    images = []
    for variant in view.variants:
        names.setdefault(variant.model_id, _model_name(services, variant.model_id))
        image = view.images.get(variant.image_sha256 or "")
        if variant.status == "succeeded" and image is not None:
            url = shared_image_path(token, image.sha256)
            images.append(SharedImage(url, image.width, image.height, names[variant.model_id]))
    page = job_page(prompt=view.job.prompt, models=list(names.values()), images=images)
    return HTMLResponse(page, headers=PAGE_HEADERS)


def _model_name(services: Services, model_id: str) -> str:
    try:
        return services.catalog.get(model_id).model.name
    except NotFound:
        return model_id


@router.api_route("/{token}", methods=["GET", "HEAD"], response_class=Response)
async def open_link(token: str, request: Request, services: ServicesDep) -> Response:
    """The shared image, or the shared job's page."""
    try:
        link = await _link(services, token)
    except LinkGone as error:
        return _gone(request, error)
    if link.target_kind == "job":
        return await _job_page(services, link, token)
    async with services.db.session() as session:
        image = await session.get(Image, link.target_id)
    if image is None:
        return _gone(request, LinkGone("This share link's image is gone."))
    return await serve_image(request, image, services, thumbnail=False, cache=CACHE)


@router.api_route("/{token}/images/{sha256}", methods=["GET", "HEAD"], response_class=Response)
async def shared_job_image(
    token: str, sha256: str, request: Request, services: ServicesDep
) -> Response:
    """An image of a shared job."""
    link = await _link(services, token)
    image = None
    if link.target_kind == "job":
        async with services.db.session() as session:
            image = await job_repo.job_image(session, job_id=link.target_id, sha256=sha256)
    if image is None:
        raise LinkGone(f"The shared job has no image {sha256}.")
    return await serve_image(request, image, services, thumbnail=False, cache=CACHE)
