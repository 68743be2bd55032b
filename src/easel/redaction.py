"""Removing secrets and server paths from text that came from a provider or the store.

Vendor error bodies may quote the request (an ``Authorization`` header, a key fragment
in a 401) and storage errors name files on the server. Such text becomes a variant's
error, which is stored, streamed, put in webhooks and logged, so it passes through one
step first: `redact(text, settings)`. It removes

* every configured secret: provider keys from the settings and any environment variable
  whose name says it holds a secret, whole and any piece of 6 or more characters of it;
* bearer and other ``Authorization``-style credentials, and ``api-key: …`` pairs;
* strings shaped like known keys (``sk-…``, ``r8_…``, ``esl_…``, ``AIza…``, ``whsec_…``,
  AWS access key ids, JSON Web Tokens …);
* local filesystem paths: under the data directory, the working directory, or a usual
  system root (``/home``, ``/tmp``, ``/var`` …), and ``file://`` URLs.

`RedactingFilter` applies the same step to log records, and `install_log_redaction` puts
it on every log handler of the process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from easel.config import Settings

FRAGMENT = 6
"""A secret's pieces this long or longer are removed too."""
SECRET = "[redacted]"
PATH = "[path]"

# Environment variables whose value is a secret: OPENAI_API_KEY, FAL_KEY, REPLICATE_API_TOKEN,
# AWS_SECRET_ACCESS_KEY, EASEL_PROVIDERS__BFL__API_KEY … (not KEYRING_PROVIDER and the like).
_SECRET_NAME = re.compile(r"(?:^|_)(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)(?:$|_)")
_ENV_SECRET_MIN = 8
_VALUE = r"[A-Za-z0-9._~+/=*-]{4,}"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer …, Key … (fal), Token … (Replicate), Basic …, or a bare value
    (
        re.compile(
            r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)((?:bearer|basic|key|token)\s+)?"
            r"[^\s\"',;]{4,}"
        ),
        r"\g<1>\g<2>" + SECRET,
    ),
    (re.compile(rf"(?i)\b(bearer\s+){_VALUE}"), r"\g<1>" + SECRET),
    # header, query or JSON pairs: "x-api-key": "…", api_key=…, "password": "…"
    (
        re.compile(
            r"(?i)\b((?:x-)?(?:api[-_]?key|auth[-_]?token|access[-_]?token|client[-_]?secret|"
            r"secret[-_]?key|password|x-goog-api-key|x-key)[\"']?\s*[:=]\s*[\"']?)"
            r"[^\s\"',;&]{4,}"
        ),
        r"\g<1>" + SECRET,
    ),
    # strings shaped like keys
    (re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_*.-]{3,}[A-Za-z0-9_*]"), SECRET),
    (re.compile(r"\b(?:r8|esl|whsec|ghp|gho|xoxb|xoxp|glpat|hf)_[A-Za-z0-9_*+/=-]{4,}"), SECRET),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{10,}"), SECRET),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{12,}"), SECRET),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*"), SECRET),
)
_SYSTEM_ROOTS = (
    "home",
    "root",
    "tmp",
    "var",
    "usr",
    "opt",
    "srv",
    "etc",
    "mnt",
    "media",
    "data",
    "run",
    "proc",
    "private",
    "Users",
    "workspace",
    "app",
    "work",
)
_PATH_CHARS = r"[^\s\"'`<>|,;)\]}]"
_PATHS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bfile://" + _PATH_CHARS + "+"),
    re.compile(rf"(?<![\w:/.~-])/(?:{'|'.join(_SYSTEM_ROOTS)})\b(?:/{_PATH_CHARS}*)?"),
    re.compile(r"\b[A-Za-z]:\\(?:[^\s\"'<>|,;]+)"),
)


class Redactor:
    """Removes the given secrets, credential-shaped strings and local paths from text."""

    def __init__(self, secrets: Iterable[str] = (), paths: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= FRAGMENT}, key=len, reverse=True)
        self._pieces = {s[i : i + FRAGMENT] for s in self._secrets for i in range(len(s) - 5)}
        roots = sorted({p.rstrip("/") for p in paths if len(p.rstrip("/")) > 1}, reverse=True)
        self._roots = (
            re.compile("|".join(re.escape(r) + rf"(?:/{_PATH_CHARS}*)?" for r in roots))
            if roots
            else None
        )

    def __call__(self, text: str) -> str:
        text = self._remove_secrets(text)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        if self._roots is not None:
            text = self._roots.sub(PATH, text)
        for pattern in _PATHS:
            text = pattern.sub(PATH, text)
        return text

    def _remove_secrets(self, text: str) -> str:
        """Every run of characters covered by a 6-character piece of a secret goes."""
        if not self._pieces or len(text) < FRAGMENT:
            return text
        covered = bytearray(len(text))
        for i in range(len(text) - FRAGMENT + 1):
            if text[i : i + FRAGMENT] in self._pieces:
                covered[i : i + FRAGMENT] = b"\x01" * FRAGMENT
        if not any(covered):
            return text
        out: list[str] = []
        i = 0
        while i < len(text):
            if covered[i]:
                while i < len(text) and covered[i]:
                    i += 1
                out.append(SECRET)
            else:
                out.append(text[i])
                i += 1
        return "".join(out)


def secrets_in(settings: Settings) -> tuple[str, ...]:
    """The secrets this process was configured with."""
    found = [p.api_key for p in settings.providers.values() if p.api_key]
    found += [
        v
        for k, v in settings.environ.items()
        if _SECRET_NAME.search(k.upper()) and len(v) >= _ENV_SECRET_MIN
    ]
    for url in (settings.database_url, settings.storage_url):
        try:
            password = make_url(url).password if url else None
        except ArgumentError:
            password = None
        if password:
            found.append(str(password))
    return tuple(sorted(set(found)))


def paths_in(settings: Settings) -> tuple[str, ...]:
    """Server directories that must not be named to users."""
    found = {str(settings.data_dir.resolve()), str(Path.cwd())}
    home = settings.environ.get("HOME")
    if home:
        found.add(home)
    return tuple(sorted(found))


@lru_cache(maxsize=8)
def _redactor(secrets: tuple[str, ...], paths: tuple[str, ...]) -> Redactor:
    return Redactor(secrets, paths)


def redactor_for(settings: Settings) -> Redactor:
    return _redactor(secrets_in(settings), paths_in(settings))


def redact(text: str, settings: Settings) -> str:
    """The text without the process's secrets, credentials and server paths."""
    return redactor_for(settings)(text)


class RedactingFilter(logging.Filter):
    """Redacts a record's message and traceback before any handler writes it."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_easel_redacted", False):
            return True
        # Arguments are redacted one by one rather than merged into the message: some
        # formatters (uvicorn's access log) read them by position.
        if isinstance(record.msg, str):
            record.msg = self.redactor(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._value(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: self._value(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        record._easel_redacted = True
        return True

    def _value(self, value: object) -> object:
        # Numbers stay numbers (for %d); anything else is shown as its redacted text.
        if value is None or isinstance(value, int | float):
            return value
        return self.redactor(str(value))


def install_log_redaction(settings: Settings) -> RedactingFilter:
    """Put the redacting filter on every handler the process has now (the root logger's,
    the last-resort one and each configured logger's), replacing an earlier one."""
    log_filter = RedactingFilter(redactor_for(settings))
    for handler in log_handlers():
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(log_filter)
    return log_filter


def log_handlers() -> list[logging.Handler]:
    """Every handler the process has now: the root logger's, the last-resort one and
    each configured logger's."""
    handlers: list[logging.Handler] = list(logging.root.handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            handlers.extend(logger.handlers)
    return handlers
