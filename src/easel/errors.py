"""Easel's error tree. Foreign errors are translated once, at the edge that meets them.

EaselError
├── UserInputError            the caller asked for something invalid (HTTP 4xx)
│   ├── NotFound
│   │   └── ModelRetired      the vendor shut the model down (HTTP 410, names the replacement)
│   ├── Conflict
│   ├── Unauthorized
│   └── Forbidden             signed in, but the action is for admins
│   ├── TooLarge              a body or file over its limit (HTTP 413)
│   └── TooBusy               the caller has too much work waiting (HTTP 429, Retry-After)
├── StorageError              the image store could not keep an image
└── ProviderError             a model source failed; ``retryable`` says if trying again may help
    ├── ProviderAuthError     bad or missing key
    ├── ProviderQuotaError    no credit left
    ├── RateLimited           429; carries ``retry_after``
    ├── ContentRejected       moderation refusal
    ├── ProviderUnavailable   5xx, connection refused, timeouts before the request was sent
    ├── ProviderTimeout       no answer in time
    ├── InvalidOutput         the provider returned something that is not a usable image
    └── UnsupportedRequest    the provider refused a parameter
"""

from __future__ import annotations


class EaselError(Exception):
    """Base of every error Easel raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class UserInputError(EaselError):
    code = "invalid-input"
    status = 422

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        field: str | None = None,
        allowed: list[str] | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.field = field
        self.allowed = allowed


class NotFound(UserInputError):
    code = "not-found"
    status = 404


class ModelRetired(NotFound):
    """A request for a model its vendor no longer serves. ``allowed`` holds the
    replacement, so every interface can offer it."""

    code = "model-retired"
    status = 410

    def __init__(self, message: str, *, model: str, replacement: str | None) -> None:
        hint = f"Use {replacement} instead." if replacement else "Choose another model."
        super().__init__(
            message, hint=hint, field="models", allowed=[replacement] if replacement else None
        )
        self.model = model
        self.replacement = replacement


class Conflict(UserInputError):
    code = "conflict"
    status = 409


class Unauthorized(UserInputError):
    code = "unauthorized"
    status = 401


class Forbidden(UserInputError):
    code = "forbidden"
    status = 403


class TooLarge(UserInputError):
    code = "too-large"
    status = 413


class TooBusy(UserInputError):
    code = "too-busy"
    status = 429

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class StorageError(EaselError):
    code = "storage"


class ProviderError(EaselError):
    code = "provider"
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status_code: int | None = None,
        retryable: bool | None = None,
        billed: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status_code = status_code
        if retryable is not None:
            self.retryable = retryable
        self.billed = billed
        """The provider is known to charge for this failed generation."""


class ProviderAuthError(ProviderError):
    code = "auth"


class ProviderQuotaError(ProviderError):
    code = "quota"


class RateLimited(ProviderError):
    code = "rate-limited"
    retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        hint: str | None = None,
        status_code: int | None = 429,
    ) -> None:
        super().__init__(message, hint=hint, status_code=status_code)
        self.retry_after = retry_after


class ContentRejected(ProviderError):
    code = "content-rejected"


class ProviderUnavailable(ProviderError):
    code = "unavailable"
    retryable = True

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, hint=hint, status_code=status_code)
        self.retry_after = retry_after
        """A wait the vendor asked for (``retry-after`` on an overloaded answer)."""


class ProviderTimeout(ProviderError):
    code = "timeout"


class InvalidOutput(ProviderError):
    code = "invalid-output"
    retryable = True


class UnsupportedRequest(ProviderError):
    code = "unsupported"
