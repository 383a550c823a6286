"""A small Telegram Bot API client for the Telegram channel: JSON in, `result` out.

Every failure is logged (the method and what went wrong, never the parameters, which hold the
message text, nor the URL, which holds the token) and retried only where that is safe: doing
a call twice must not send a message twice. Telegram says "retry after N seconds" (429) when it
did nothing, and a refused connection sent nothing; after a server error (5xx), a timeout or a
dropped connection a message may have gone out, so only calls that are harmless to repeat
(setWebhook, answerCallbackQuery) are retried then, with backoff.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.telegram.org"
API_TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 3  # per call, unless the caller says otherwise
FIRST_BACKOFF_SECONDS = 0.5  # doubles after each failed attempt, up to MAX_BACKOFF_SECONDS
MAX_BACKOFF_SECONDS = 30.0
MAX_RETRY_AFTER_SECONDS = 30.0  # a longer "retry after" from Telegram: give up instead
Upload = tuple[str, bytes, str]  # a file to send: its name, its bytes, its media type


class TelegramApiError(Exception):
    """A Bot API call that failed, and whether Telegram may have carried it out anyway."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        may_have_happened: bool = True,
    ) -> None:
        """The failure's `reason`, its HTTP status and Telegram's "retry after", if any."""
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.may_have_happened = may_have_happened

    def __str__(self) -> str:
        return self.reason if self.status is None else f"HTTP {self.status}: {self.reason}"

    def retry_delay(self, attempt: int, repeatable: bool) -> float | None:
        """Seconds to wait before trying again, or None when trying again is wrong."""
        if self.retry_after is not None:  # Telegram did nothing and says when to come back
            return self.retry_after if self.retry_after <= MAX_RETRY_AFTER_SECONDS else None
        if self.status is not None and self.status < 500:  # our request is wrong: it stays so
            return None
        if self.may_have_happened and not repeatable:  # e.g. a message that may have been sent
            return None
        return min(FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)


class TelegramApi:
    """Calls Bot API methods (JSON in, `result` out); logs and retries failures, never raises."""

    def __init__(
        self, token: str, base_url: str = DEFAULT_API_BASE_URL, timeout: float = API_TIMEOUT_SECONDS
    ) -> None:
        """A client of the bot with `token`; no connection is made before the first call."""
        self._url = f"{base_url.rstrip('/')}/bot{token}/"  # holds the token: never logged
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def call(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        repeatable: bool,
        attempts: int = MAX_ATTEMPTS,
        files: Mapping[str, Upload] | None = None,
    ) -> Any:
        """The method's result, or None once it failed (logged, without the parameters).

        `repeatable`: doing it twice does no harm (setWebhook, answerCallbackQuery), so it is
        retried after timeouts and server errors too. sendMessage is not: it is retried only
        when Telegram certainly did not send it (429 "retry after", connection refused).
        `files` (name -> file name, bytes, media type) are sent as multipart/form-data with the
        parameters, as sendPhoto takes a photo drawn here.
        """
        for attempt in range(1, attempts + 1):
            try:
                return await self._post(method, params, files)
            except TelegramApiError as error:
                delay = error.retry_delay(attempt, repeatable)
                if delay is None or attempt == attempts:
                    why = "" if delay is not None else _not_retried(error)
                    logger.error("Telegram %s failed: %s%s", method, error, why)
                    return None
                logger.warning("Telegram %s failed: %s; retrying in %.1f s", method, error, delay)
                await asyncio.sleep(delay)
        return None

    async def close(self) -> None:
        """Close the HTTP session, if one was opened."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _post(
        self, method: str, params: Mapping[str, Any], files: Mapping[str, Upload] | None = None
    ) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        sent: dict[str, Any] = {"data": _form(params, files)} if files else {"json": dict(params)}
        try:
            async with self._session.post(self._url + method, **sent) as reply:
                status, body = reply.status, await reply.text()
        except aiohttp.ClientConnectorError as error:  # nothing was sent
            raise TelegramApiError(
                f"cannot connect ({type(error).__name__})", may_have_happened=False
            ) from None
        except asyncio.TimeoutError:
            raise TelegramApiError(f"no answer within {self.timeout:g} s") from None
        except aiohttp.ClientError as error:  # e.g. the connection dropped after sending
            raise TelegramApiError(type(error).__name__) from None
        return _result(status, body)


def _form(params: Mapping[str, Any], files: Mapping[str, Upload]) -> aiohttp.FormData:
    """Parameters and files as multipart/form-data (objects as JSON, as the Bot API reads them)."""
    form = aiohttp.FormData()
    for name, value in params.items():
        form.add_field(name, value if isinstance(value, str) else json.dumps(value))
    for name, (file_name, data, media_type) in files.items():
        form.add_field(name, data, filename=file_name, content_type=media_type)
    return form


def _result(status: int, body: str) -> Any:
    """The `result` of a Bot API reply, or the error it reports."""
    try:
        reply = json.loads(body)
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        raise TelegramApiError("the answer is not Bot API JSON", status=status)
    if reply.get("ok") is True and status == 200:
        return reply.get("result")
    parameters = reply.get("parameters")
    retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
    wait = float(retry_after) if isinstance(retry_after, (int, float)) else None
    description = str(reply.get("description") or "no description")[:200]
    raise TelegramApiError(description, status=status, retry_after=wait)


def _not_retried(error: TelegramApiError) -> str:
    """Why a failed call is not tried again, for the log, where a reader could not tell."""
    if error.retry_after is not None:
        return f" (retry after {error.retry_after:g} s is too long to wait)"
    if error.status is None or error.status >= 500:
        return " (not repeated: it may have been done already)"
    return ""
