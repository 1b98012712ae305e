"""A small fake of Anthropic's Messages API for tests: ``http.server`` in a thread on 127.0.0.1:0.

The real ``anthropic`` SDK talks to it through ``ANTHROPIC_BASE_URL``. Responses are scripted:
``script(match, outputs)`` answers requests whose prompt text contains ``match`` with
``outputs[k % len(outputs)]`` on the k-th such request; an output is a string (a normal
message), :class:`Refuse` (``stop_reason: refusal``), :class:`Fail` (an error status with
headers, e.g. 429 with ``retry-after: 0``) or :class:`Hang` (no answer for a while: the
client's timeout fires). ``fail_next`` injects faults before any script. Every request is
recorded (headers included) so tests can check what was sent.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Fail:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    error_type: str = ""
    message: str = "scripted failure"


@dataclass
class Hang:
    seconds: float


@dataclass
class Refuse:
    text: str = ""


ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    529: "overloaded_error",
}


class FakeAnthropic:
    """The fake server. Use as a context manager; ``base_url`` goes into ``ANTHROPIC_BASE_URL``."""

    def __init__(
        self, *, api_key: str | None = None, latency: float = 0.0, default: str = "OK", usage_scale: float = 1.0
    ) -> None:
        self.api_key = api_key
        self.latency = latency
        self.default = default
        self.usage_scale = usage_scale  # report more input tokens than sent (to test the running budget)
        self.scripts: list[tuple[str, list[Any], itertools.count]] = []
        self.faults: list[Any] = []
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.cache_written: set[str] = set()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting --------------------------------------------------------------------------------

    def script(self, match: str, outputs: list[Any]) -> None:
        """Answer requests whose prompt contains ``match`` with ``outputs`` in turn."""
        self.scripts.append((match, list(outputs), itertools.count()))

    def fail_next(self, *faults: Any) -> None:
        """Answer the next requests (any prompt) with these faults first."""
        with self.lock:
            self.faults.extend(faults)

    @property
    def calls(self) -> int:
        return len(self.requests)

    # -- lifecycle ----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeAnthropic:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes: no delayed-ACK stalls

            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- handling -----------------------------------------------------------------------------------

    def _reply(self, handler: BaseHTTPRequestHandler, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("content-type", "application/json")
            handler.send_header("content-length", str(len(data)))
            handler.send_header("request-id", "req_fake")
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            return

    def _error(self, handler: BaseHTTPRequestHandler, fail: Fail) -> None:
        kind = fail.error_type or ERROR_TYPES.get(fail.status, "api_error")
        body = {"type": "error", "error": {"type": kind, "message": fail.message}, "request_id": "req_fake"}
        self._reply(handler, fail.status, body, fail.headers)

    @staticmethod
    def prompt_text(body: dict) -> str:
        parts = []
        system = body.get("system")
        if isinstance(system, list):
            parts += [b.get("text", "") for b in system]
        elif system:
            parts.append(system)
        for msg in body.get("messages", []):
            content = msg.get("content")
            if isinstance(content, list):
                parts += [b.get("text", "") for b in content if isinstance(b, dict)]
            else:
                parts.append(str(content))
        return "\n".join(parts)

    def _choose(self, text: str) -> Any:
        with self.lock:
            if self.faults:
                return self.faults.pop(0)
        for match, outputs, counter in self.scripts:
            if match in text:
                return outputs[next(counter) % len(outputs)]
        return self.default

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length)
        if handler.path.split("?")[0] != "/v1/messages":
            self._error(handler, Fail(404, message=f"no route {handler.path}"))
            return
        body = json.loads(raw or b"{}")
        headers = {k.lower(): v for k, v in handler.headers.items()}
        record = {"body": body, "headers": headers, "time": time.monotonic(), "done": None}
        with self.lock:
            self.requests.append(record)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._respond(handler, body, headers)
        finally:
            with self.lock:
                self.in_flight -= 1
                record["done"] = time.monotonic()

    def _respond(self, handler: BaseHTTPRequestHandler, body: dict, headers: dict) -> None:
        if self.api_key is not None:
            given = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
            if given != self.api_key:
                self._error(handler, Fail(401, message="invalid x-api-key"))
                return
        for forbidden in ("temperature", "top_p", "top_k"):
            if forbidden in body:
                self._error(handler, Fail(400, message=f"{forbidden}: not supported"))
                return
        text = self.prompt_text(body)
        choice = self._choose(text)
        if isinstance(choice, Hang):
            self._stop.wait(choice.seconds)
            choice = self.default
        if self.latency:
            self._stop.wait(self.latency)
        if isinstance(choice, Fail):
            self._error(handler, choice)
            return
        stop_reason = "end_turn"
        if isinstance(choice, Refuse):
            stop_reason, choice = "refusal", choice.text
        cached = json.dumps(body).count("cache_control") > 0
        input_tokens = max(1, int(len(text) // 4 * self.usage_scale))
        usage = {"input_tokens": input_tokens, "output_tokens": max(1, len(choice) // 4)}
        usage["cache_creation_input_tokens"] = usage["cache_read_input_tokens"] = 0
        if cached:
            with self.lock:
                first = text not in self.cache_written
                self.cache_written.add(text)
            usage["cache_creation_input_tokens" if first else "cache_read_input_tokens"] = input_tokens
            usage["input_tokens"] = 0
        message = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "claude-haiku-4-5"),
            "content": [{"type": "text", "text": choice}],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": usage,
        }
        self._reply(handler, 200, message)
