"""A fake OpenAI-compatible server on loopback that records the headers of every request it gets.

    with FakeOpenAI() as server:            # server.base_url == "http://127.0.0.1:PORT/v1"
        ...                                  # server.requests: [{"path", "headers", "body"}]

It answers chat and completion calls (streamed or not) with `answer`, or with HTTP `status` and an
OpenAI-style error whose message is `error_message` (to plant text in an error body).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self, answer: str = "I cannot write that task.", status: int = 200, error_message: str = ""):
        self.answer, self.status, self.error_message = answer, status, error_message
        self.requests: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def header_values(self) -> list[str]:
        """Every header value of every recorded request."""
        return [value for request in self.requests for value in request["headers"].values()]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                self._record(b"")
                self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                self._record(body)
                if fake.status != 200:
                    self._json(fake.status, {"error": {"message": fake.error_message, "type": "fake"}})
                    return
                request = json.loads(body or b"{}")
                chat = self.path.endswith("/chat/completions")
                if request.get("stream"):
                    self._stream(chat)
                else:
                    choice = (
                        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": fake.answer}}
                        if chat
                        else {"index": 0, "finish_reason": "stop", "text": fake.answer}
                    )
                    self._json(
                        200,
                        {
                            "id": "x",
                            "object": "chat.completion" if chat else "text_completion",
                            "created": 0,
                            "model": request.get("model", ""),
                            "choices": [choice],
                        },
                    )

            def _record(self, body: bytes):
                fake.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body.decode("utf-8", "replace")}
                )

            def _json(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, chat: bool):
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                delta = {"delta": {"content": fake.answer}} if chat else {"text": fake.answer}
                for chunk in (
                    {"index": 0, **delta, "finish_reason": None},
                    {"index": 0, **({"delta": {}} if chat else {"text": ""}), "finish_reason": "stop"},
                ):
                    event = {
                        "id": "x",
                        "object": "chat.completion.chunk" if chat else "text_completion",
                        "created": 0,
                        "model": "fake",
                        "choices": [chunk],
                    }
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler
