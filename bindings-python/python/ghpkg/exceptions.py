"""The exceptions ghpkg raises: one class per kind of failure of the core,
all under :class:`GhpkgError`.

Every exception carries what GitHub said: ``status`` (the HTTP status, or
``None`` when no response arrived), ``message`` (GitHub's message, or
ghpkg's own for local errors), ``documentation_url``, ``request_id``
(``x-github-request-id``, for GitHub support) and ``hint`` (an explanation
ghpkg adds when it recognises the cause, e.g. a token kind GitHub refuses).
``str(exc)`` combines them. Exceptions pickle with all their fields.

========================  =====================  ==========================================
class                     also a                 raised when
========================  =====================  ==========================================
InvalidArgumentError      ``ValueError``         bad input, caught before any request
AuthenticationError                              401: missing or bad credentials
PermissionDeniedError                            403: missing scope, not an org admin, ...
NotFoundError                                    404 (also packages the token cannot see)
RejectedError                                    400/409/422: GitHub refused by a rule
RateLimitError                                   a rate limit not waited out
ServerError                                      5xx after retries
TimeoutError              ``TimeoutError``       connect or request timeout
TransportError            ``ConnectionError``    connection failed or dropped, bad redirect
DecodeError                                      malformed JSON or ``link`` header, a loop
ClientClosedError         ``RuntimeError``       a call on a closed client
========================  =====================  ==========================================

Each class carries the core's ``code`` (``"NOT_FOUND"``; Node's ``err.code``,
C's ``ghpkg_status_code()``), ``number`` (the C status) and ``retryable``
(whether trying again later may succeed), set from the core's one table.
"""

from __future__ import annotations

import builtins
import datetime
from typing import Any, ClassVar, Dict, Optional, Tuple

__all__ = [
    "GhpkgError",
    "InvalidArgumentError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "RejectedError",
    "RateLimitError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "DecodeError",
    "ClientClosedError",
]


class GhpkgError(Exception):
    """Base class of every exception ghpkg raises."""

    #: The core's stable code for this kind (as Node's ``err.code``).
    code: ClassVar[str] = "GHPKG_ERROR"
    #: The core's fixed number for this kind (as the C ABI's status).
    number: ClassVar[int] = 0
    #: Whether trying the same call again later may succeed (rate limits,
    #: server errors, timeouts, transport failures).
    retryable: ClassVar[bool] = False

    message: str
    status: Optional[int]
    documentation_url: Optional[str]
    request_id: Optional[str]
    hint: Optional[str]

    def __init__(
        self,
        text: str = "",
        *,
        message: Optional[str] = None,
        status: Optional[int] = None,
        documentation_url: Optional[str] = None,
        request_id: Optional[str] = None,
        hint: Optional[str] = None,
    ) -> None:
        super().__init__(text)
        self.message = text if message is None else message
        self.status = status
        self.documentation_url = documentation_url
        self.request_id = request_id
        self.hint = hint

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...], Dict[str, Any]]:
        return (self.__class__, tuple(self.args), dict(self.__dict__))

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.message


class InvalidArgumentError(GhpkgError, ValueError):
    """Bad input (an empty name, an unknown package type, a bad option),
    caught before any request is sent."""


class AuthenticationError(GhpkgError):
    """401: missing, wrong or expired credentials."""


class PermissionDeniedError(GhpkgError):
    """403: the credentials are valid but may not do this (a missing scope,
    not an org admin, a token kind GitHub refuses for packages)."""


class NotFoundError(GhpkgError):
    """404: no such package, version, user or org, or not visible to the token."""


class RejectedError(GhpkgError):
    """400/409/422: GitHub refused by one of its rules (the last version of a
    package, more than 5,000 downloads, a reused name, the paging limit)."""


class RateLimitError(GhpkgError):
    """A primary or secondary rate limit that the client would not wait out
    (the wait exceeded ``max_rate_limit_wait``).

    ``reset_at`` is when the primary limit resets (an aware ``datetime``), and
    ``retry_after`` how many seconds to wait before trying again, when known.
    """

    reset_at: Optional[datetime.datetime]
    retry_after: Optional[float]

    def __init__(
        self,
        text: str = "",
        *,
        message: Optional[str] = None,
        status: Optional[int] = None,
        documentation_url: Optional[str] = None,
        request_id: Optional[str] = None,
        hint: Optional[str] = None,
        reset_at: Optional[datetime.datetime] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(
            text,
            message=message,
            status=status,
            documentation_url=documentation_url,
            request_id=request_id,
            hint=hint,
        )
        self.reset_at = reset_at
        self.retry_after = retry_after


class ServerError(GhpkgError):
    """5xx from GitHub after the retries were spent."""


class TimeoutError(GhpkgError, builtins.TimeoutError):
    """The connect or request timeout elapsed."""


class TransportError(GhpkgError, builtins.ConnectionError):
    """The connection failed or dropped, the body was cut off, or a redirect
    could not be followed."""


class DecodeError(GhpkgError):
    """The response could not be understood (malformed JSON, a missing
    field, a malformed ``link`` header, a pagination link that loops)."""


class ClientClosedError(GhpkgError, builtins.RuntimeError):
    """The client was closed (``close()`` or the end of a ``with`` block)
    before the call; nothing was sent."""


def _apply_core_table() -> None:
    """Sets ``code``, ``number`` and ``retryable`` of every class from the
    core's error table, so the values have one owner."""
    from ghpkg import _native

    for name, code, number, retryable in _native.error_table():
        cls = globals()[name]
        cls.code = code
        cls.number = number
        cls.retryable = retryable


_apply_core_table()
