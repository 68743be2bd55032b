"""Image tools of an MCP server as models: one model per configured tool.

The studio Easel replaces reached Recraft through an MCP bridge by calling
``tools/call`` with ``recraft_generate_image``; this provider does the same for any
server that speaks streamable HTTP, through the official ``mcp`` SDK (imported only
when a tool is called, so a broken or missing install only makes these models unavailable).

Configuration, all optional except the URL::

    EASEL_PROVIDERS__MCP__BASE_URL=https://bridge.example/mcp
    EASEL_PROVIDERS__MCP__API_KEY=…                       # sent as a Bearer token
    EASEL_PROVIDERS__MCP__OPTIONS__TOOLS=recraft_generate_image,other_tool
    EASEL_PROVIDERS__MCP__OPTIONS__SIZE_ARG=size          # the tool takes "WxH" here
    EASEL_PROVIDERS__MCP__OPTIONS__ARGUMENTS={"style": "digital_illustration"}
    EASEL_PROVIDERS__MCP__OPTIONS__PRICE_USD=0.04

A result is an image content block (base64), an embedded image resource, or an https
URL in a text, resource or resource link (downloaded by the engine like any result).
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from easel.config import ProviderSettings
from easel.errors import (
    ContentRejected,
    InvalidOutput,
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from easel.providers._http import decode_image
from easel.providers.base import (
    Capabilities,
    ExtraOption,
    Finished,
    GenerationRequest,
    ImageBytes,
    ImageURL,
    ModelInfo,
    Outcome,
    Output,
    Pricing,
    Provider,
    RunContext,
)

if TYPE_CHECKING:
    from mcp.types import CallToolResult

URL = re.compile(r"https?://[^\s\"'<>()\[\]]+")
REFUSAL = re.compile(r"content policy|moderat|safety|nsfw", re.IGNORECASE)


class MCPOptions(BaseModel):
    """``EASEL_PROVIDERS__MCP__OPTIONS__*``: lists may be comma-separated or JSON."""

    model_config = ConfigDict(extra="forbid")

    tools: list[str] = ["recraft_generate_image"]
    prompt_arg: str = "prompt"
    size_arg: str | None = None
    """Argument that receives the size as ``WxH``; None: the tool picks its size."""
    sizes: list[str] = []
    """Sizes the tools accept (the first is the default); empty: any size."""
    arguments: dict[str, Any] = {}
    """Fixed arguments sent with every call; a job's ``extra`` adds to them."""
    extra_options: dict[str, ExtraOption] = {}
    """The tool arguments a job may set through ``extra``; empty: none."""
    result_hosts: list[str] = ["*.recraft.ai"]
    """Hosts result URLs may point at, besides the MCP server's own."""
    price_usd: Decimal = Decimal(0)
    price_source: str = "operator setting EASEL_PROVIDERS__MCP__OPTIONS__PRICE_USD"

    @field_validator("tools", "sizes", "result_hosts", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.lstrip().startswith("["):
            return [part.strip() for part in value.split(",") if part.strip()]
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("arguments", "extra_options", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


def _sdk_missing() -> bool:
    try:
        return importlib.util.find_spec("mcp") is None
    except (ImportError, ValueError):  # ValueError: a module entry without a spec
        return True


def _image(data: str, mime_type: str, tool: str) -> ImageBytes:
    return ImageBytes(decode_image(data, f"The MCP tool {tool}"), mime_type)


def _outputs(result: CallToolResult, tool: str) -> list[Output]:
    """Images first (inline bytes), then any URL the tool mentioned."""
    from mcp.types import (
        BlobResourceContents,
        EmbeddedResource,
        ImageContent,
        ResourceLink,
        TextContent,
    )

    images: list[Output] = []
    urls: list[Output] = []
    for block in result.content:
        if isinstance(block, ImageContent):
            images.append(_image(block.data, block.mime_type, tool))
        elif isinstance(block, EmbeddedResource):
            resource = block.resource
            if isinstance(resource, BlobResourceContents):
                mime = resource.mime_type or "application/octet-stream"
                if mime.startswith("image/"):
                    images.append(_image(resource.blob, mime, tool))
            else:
                urls += [ImageURL(u) for u in URL.findall(resource.text)]
        elif isinstance(block, ResourceLink):
            urls += [ImageURL(u) for u in URL.findall(str(block.uri))]
        elif isinstance(block, TextContent):
            urls += [ImageURL(u) for u in URL.findall(block.text)]
    return images + urls


def _text(result: CallToolResult) -> str:
    from mcp.types import TextContent

    texts = [b.text for b in result.content if isinstance(b, TextContent)]
    return " ".join(texts).strip()[:500] or "no reason given"


def _http_error(statuses: list[int], url: str) -> ProviderError | None:
    """The SDK turns an HTTP error into a generic JSON-RPC error; say what really happened."""
    status = statuses[-1] if statuses else None
    where = f"The MCP server at {url}"
    if status in (401, 403):
        return ProviderAuthError(
            f"{where} rejected the credentials ({status}).",
            hint="Check EASEL_PROVIDERS__MCP__API_KEY.",
            status_code=status,
        )
    if status == 429:
        return RateLimited(f"{where} is rate limiting requests.")
    if status is not None and status >= 500:
        return ProviderUnavailable(f"{where} had a server error ({status}).", status_code=status)
    return None


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _translate(
    exc: BaseException, statuses: list[int], url: str, tool: str
) -> ProviderError | None:
    import httpx2
    from mcp import MCPError

    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, MCPError):
        return _http_error(statuses, url) or ProviderError(
            f"The MCP server at {url} refused the call to {tool}: {exc.message}"
        )
    if isinstance(exc, httpx2.TimeoutException | TimeoutError):
        return ProviderTimeout(f"The MCP server at {url} did not answer in time.")
    if isinstance(exc, httpx2.TransportError | OSError):
        return ProviderUnavailable(f"Could not reach the MCP server at {url}: {exc}.")
    return None


class MCPProvider(Provider):
    id = "mcp"
    display_name = "MCP server"

    def __init__(self, settings: ProviderSettings, environ: Mapping[str, str]) -> None:
        super().__init__(settings, environ)
        self.problem: str | None = None
        try:
            self.options = MCPOptions.model_validate(settings.options)
        except (ValidationError, ValueError) as exc:
            self.options = MCPOptions()  # listed, and unavailable with the reason
            self.problem = f"EASEL_PROVIDERS__MCP__OPTIONS is invalid: {exc}"
        # Result hosts come from configuration here, not from a fixed vendor list.
        setattr(self, "result_hosts", tuple(self.options.result_hosts))  # noqa: B010

    def models(self) -> list[ModelInfo]:
        caps = Capabilities(
            sizes=tuple(self.options.sizes), max_n=4, extra_options=self.options.extra_options
        )
        price = Pricing(per_image=self.options.price_usd, source=self.options.price_source)
        return [
            ModelInfo(
                id=f"mcp/{tool}",
                name=f"{tool} (MCP)",
                provider=self.id,
                description=f"The {tool} tool of the configured MCP server.",
                remote_name=tool,
                capabilities=caps,
                pricing=price,
            )
            for tool in self.options.tools
        ]

    def unavailable_reason(self) -> str | None:
        if self.problem:
            return self.problem
        if not self.base_url:
            return "No MCP server: set EASEL_PROVIDERS__MCP__BASE_URL to its streamable-HTTP URL."
        if _sdk_missing():
            return "The mcp package is missing: pip install 'mcp>=2.3' (an Easel dependency)."
        return None

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        tool = request.model.remote_name
        arguments = {**self.options.arguments, **request.extra}
        arguments[self.options.prompt_arg] = request.prompt
        if self.options.size_arg:
            arguments[self.options.size_arg] = request.size
        result = await self._call_tool(tool, arguments, ctx.timeout)
        if result.is_error:
            text = _text(result)
            if REFUSAL.search(text):
                raise ContentRejected(f"The MCP tool {tool} refused: {text}", hint="Rephrase it.")
            raise ProviderError(f"The MCP tool {tool} failed: {text}")
        outputs = _outputs(result, tool)
        if not outputs:
            raise InvalidOutput(f"The MCP tool {tool} answered without an image or image URL.")
        return Finished(outputs=tuple(outputs))

    async def _call_tool(
        self, tool: str, arguments: dict[str, Any], timeout: float
    ) -> CallToolResult:
        import httpx2
        from mcp import Client
        from mcp.client.streamable_http import streamable_http_client

        statuses: list[int] = []

        async def note(response: httpx2.Response) -> None:
            if response.status_code >= 400:
                statuses.append(response.status_code)

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        http = httpx2.AsyncClient(
            headers=headers, timeout=timeout, event_hooks={"response": [note]}
        )
        try:
            async with (
                http,
                Client(
                    streamable_http_client(self.base_url, http_client=http),
                    read_timeout_seconds=timeout,
                ) as client,
            ):
                return await client.call_tool(tool, arguments)
        except Exception as exc:  # the SDK wraps failures in task-group exception groups
            error = _translate(_leaf(exc), statuses, self.base_url, tool)
            if error is None:
                raise
            raise error from exc
