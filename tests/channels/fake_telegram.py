"""A fake Telegram Bot API server for the tests: records every call, fails when told to.

It serves `POST|GET /bot<token>/<method>` on loopback (a free port) from a background thread,
answers the way api.telegram.org does ({"ok": true, "result": ...} or {"ok": false,
"error_code": ..., "description": ..., "parameters": {"retry_after": ...}}), and keeps each call
with its parameters (JSON, form or query string) and the status it answered. `fail()` queues
answers for the next calls of a method: an HTTP error, a 429 with retry_after, or a delay.
Files people "sent" are added with `add_file()`: getFile answers with their file_path, and
`GET /file/bot<token>/<file_path>` serves their bytes (each download is kept as a call of the
method "download", its file_path in params).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_TOKEN = "123456:TEST"
DEFAULT_USERNAME = "wbc_test_bot"


@dataclass(frozen=True)
class Fault:
    """How to answer one call instead of normally.

    Wait `delay` seconds, then answer `status` (200: normally, late), with `retry_after` for a 429.
    """

    status: int = 500
    retry_after: int | None = None
    delay: float = 0.0
    chat_id: int | None = None  # only for a call to this chat (None: any call of the method)


@dataclass(frozen=True)
class SentFile:
    """A file the bot uploaded with a call (multipart/form-data), e.g. sendPhoto's photo."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass
class ApiCall:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    token: str
    at: float  # time.monotonic() when it arrived
    status: int = 0  # what the fake answered (0 while it is still answering)

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))


class FakeTelegram:
    """The fake server; `with FakeTelegram() as fake:` or start() and stop()."""

    def __init__(self, token: str = DEFAULT_TOKEN, username: str = DEFAULT_USERNAME) -> None:
        self.token = token
        self.username = username
        self.port = 0
        self._calls: list[ApiCall] = []
        self._faults: dict[str, list[Fault]] = {}
        self._message_ids = 0
        self._files: dict[str, bytes] = {}  # file_id -> content
        self._file_answers: dict[str, dict[str, Any]] = {}  # file_id -> getFile's own result
        self._lock = threading.Lock()  # the calls and faults are shared with the server thread
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None

    @property
    def url(self) -> str:
        """The base URL to give the bot as TELEGRAM_API_BASE_URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shut_down(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def fail(self, method: str, *faults: Fault) -> None:
        """Answer the next calls of `method` (for each fault's chat, if it names one) so."""
        with self._lock:
            self._faults.setdefault(method, []).extend(faults)

    def add_file(self, file_id: str, data: bytes) -> str:
        """Make a file available for getFile and download; its file_path."""
        with self._lock:
            self._files[file_id] = data
        return _file_path(file_id)

    def answer_get_file(self, file_id: str, result: dict[str, Any]) -> None:
        """Make getFile answer `result` as it is for `file_id`.

        For an odd answer: no path, a size that is not a number.
        """
        with self._lock:
            self._file_answers[file_id] = result

    def calls(self, method: str | None = None, chat_id: int | None = None) -> list[ApiCall]:
        """The calls so far, oldest first, of one method and to one chat if given."""
        with self._lock:
            return [
                call
                for call in self._calls
                if (method is None or call.method == method)
                and (chat_id is None or call.chat_id == chat_id)
            ]

    def wait_for(
        self,
        method: str,
        chat_id: int | None = None,
        until: Callable[[list[ApiCall]], bool] = bool,
        timeout: float = 30.0,
    ) -> list[ApiCall]:
        """Wait for calls of `method` (to `chat_id`) until `until(calls)` holds, and return them.

        Raises AssertionError if it does not within `timeout` seconds. By default: once there is at
        least one.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls(method, chat_id)
            if until(found):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} to {chat_id}: not as expected, got {found!r}")
            time.sleep(0.05)

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._answer)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shut_down(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _answer(self, request: web.Request) -> web.Response:
        call = ApiCall(
            request.match_info["method"],
            await _params(request),
            request.match_info["token"],
            time.monotonic(),
        )
        with self._lock:
            self._calls.append(call)
            fault = self._take_fault(call)
        if fault is not None and fault.delay and self._stopping is not None:
            with contextlib.suppress(asyncio.TimeoutError):  # cut short when stopping
                await asyncio.wait_for(self._stopping.wait(), fault.delay)
        status, body = self._reply(call, fault)
        call.status = status
        return web.json_response(body, status=status)

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        call = ApiCall(
            "download", {"file_path": path}, request.match_info["token"], time.monotonic()
        )
        with self._lock:
            self._calls.append(call)
            fault = self._take_fault(call)
            found = [data for file_id, data in self._files.items() if _file_path(file_id) == path]
        if call.token != self.token:
            call.status = 401
        elif fault is not None and fault.status != 200:
            call.status = fault.status
        else:
            call.status = 200 if found else 404
        if call.status != 200:
            return web.Response(status=call.status, text="error")
        return web.Response(body=found[0], content_type="application/octet-stream")

    def _take_fault(self, call: ApiCall) -> Fault | None:
        queue = self._faults.get(call.method, [])
        for index, fault in enumerate(queue):
            if fault.chat_id is None or fault.chat_id == call.chat_id:
                return queue.pop(index)
        return None

    def _reply(self, call: ApiCall, fault: Fault | None) -> tuple[int, dict[str, Any]]:
        if call.token != self.token:
            return _error(401, "Unauthorized")
        if fault is not None and fault.status != 200:
            if fault.status == 429:
                wait = fault.retry_after or 1
                return _error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
            return _error(fault.status, "Internal Server Error")
        if call.method == "getMe":
            user = {"id": 123456, "is_bot": True, "first_name": "WBC", "username": self.username}
            return 200, {"ok": True, "result": user}
        if call.method == "sendMessage":
            if not 1 <= len(call.text) <= 4096:
                return _error(400, "Bad Request: message text is empty or too long")
            with self._lock:
                self._message_ids += 1
                message_id = self._message_ids
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": call.chat_id, "type": "private"},
                "text": call.text,
            }
            return 200, {"ok": True, "result": message}
        if call.method == "sendPhoto":
            photo = call.params.get("photo")
            if not isinstance(photo, SentFile) or not photo.data:
                return _error(400, "Bad Request: there is no photo in the request")
            if len(str(call.params.get("caption", ""))) > 1024:
                return _error(400, "Bad Request: message caption is too long")
            with self._lock:
                self._message_ids += 1
                message_id = self._message_ids
            sizes = [{"file_id": f"p{message_id}", "file_size": len(photo.data)}]
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": call.chat_id, "type": "private"},
                "photo": sizes,
                "caption": call.params.get("caption", ""),
            }
            return 200, {"ok": True, "result": message}
        if call.method == "getFile":
            with self._lock:
                data = self._files.get(str(call.params.get("file_id")))
                odd = self._file_answers.get(str(call.params.get("file_id")))
            if odd is not None:
                return 200, {"ok": True, "result": odd}
            if data is None:
                return _error(400, "Bad Request: invalid file_id")
            file_id = str(call.params["file_id"])
            result = {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(data),
                "file_path": _file_path(file_id),
            }
            return 200, {"ok": True, "result": result}
        if call.method in ("setWebhook", "deleteWebhook", "answerCallbackQuery"):
            return 200, {"ok": True, "result": True}
        return _error(404, "Not Found")


def _file_path(file_id: str) -> str:
    return f"documents/file_{file_id}"


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's parameters, however they were sent (Telegram accepts all three ways)."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):  # a photo the bot drew: its file's bytes
                params[key] = SentFile(value.filename, value.content_type, value.file.read())
            else:
                params[key] = _maybe_json(str(value))
    return params


def _maybe_json(value: str) -> Any:
    """Form fields carry objects (reply_markup) as JSON strings, and chat ids as digits."""
    try:
        if value.lstrip("-").isdigit():
            return int(value)
        return json.loads(value) if value.startswith(("[", "{")) else value
    except ValueError:
        return value


def _error(
    status: int, description: str, retry_after: int | None = None
) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return status, body
