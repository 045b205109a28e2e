"""The child -> parent message channel: a pipe with length-prefixed, sequenced, HMAC-signed frames.

The parent makes a fresh 32-byte key per run and hands it to the child on a separate pipe that the
child reads and closes before any task code runs; the verdict is built only from frames whose
signature and sequence number check out, never from stdout/stderr. Text a task prints, or bytes it
writes to the channel fd without the key, are rejected (`ChannelReader.forged` counts them).

Frame: 4-byte big-endian payload length | 1-byte kind | payload | 32-byte HMAC-SHA256 over
(8-byte sequence number | kind | payload). Kinds: b"J" (JSON object), b"F" (episode:u16 | JPEG).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
import threading

MAX_PAYLOAD = 4 << 20  # a JPEG frame or an episode dict is far below this
_HEADER = struct.Struct(">IB")
_SEQ = struct.Struct(">Q")
_TAG = 32


def _sign(key: bytes, seq: int, kind: int, payload: bytes) -> bytes:
    return hmac.new(key, _SEQ.pack(seq) + bytes([kind]) + payload, hashlib.sha256).digest()


class ChannelWriter:
    """Child side: `send(obj)` writes a JSON frame, `send_frame(episode, jpeg)` a frame image.
    Thread-safe (the heartbeat thread sends too): a lock keeps sequence numbers and frames whole."""

    def __init__(self, fd: int, key: bytes):
        self._fd, self._key, self._seq = fd, key, 0
        self._lock = threading.Lock()

    def _write(self, kind: bytes, payload: bytes):
        with self._lock:
            data = _HEADER.pack(len(payload), kind[0]) + payload + _sign(self._key, self._seq, kind[0], payload)
            self._seq += 1
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]

    def send(self, obj: dict):
        """Send one JSON-serialisable dict (non-JSON values are stringified)."""
        self._write(b"J", json.dumps(obj, default=str).encode())

    def send_frame(self, episode: int, jpeg: bytes):
        """Send one live JPEG frame of episode `episode`."""
        self._write(b"F", struct.pack(">H", episode) + jpeg)


class ChannelReader:
    """Parent side: `feed(bytes)` returns the decoded messages; bad frames close the channel.

    Messages are ("json", dict) or ("frame", (episode, jpeg bytes)). After the first invalid frame
    (bad length, bad signature, out-of-order sequence) everything later is ignored, because a task
    that can write garbage at the right moment could otherwise splice its own frames in.
    """

    def __init__(self, key: bytes):
        self._key, self._seq, self._buf = key, 0, bytearray()
        self.broken: str | None = None

    def feed(self, data: bytes) -> list[tuple[str, object]]:
        """Decode as many complete frames as `data` completes; see class docstring for the types."""
        if self.broken:
            return []
        self._buf += data
        out = []
        while len(self._buf) >= _HEADER.size:
            length, kind = _HEADER.unpack_from(self._buf)
            if length > MAX_PAYLOAD or kind not in b"JF":
                self.broken = f"invalid frame header (length {length}, kind {kind})"
                return out
            end = _HEADER.size + length + _TAG
            if len(self._buf) < end:
                break
            payload = bytes(self._buf[_HEADER.size : _HEADER.size + length])
            tag = bytes(self._buf[end - _TAG : end])
            del self._buf[:end]
            if not hmac.compare_digest(tag, _sign(self._key, self._seq, kind, payload)):
                self.broken = f"frame {self._seq} has a bad signature (forged or corrupted)"
                return out
            self._seq += 1
            if kind == ord("J"):
                try:
                    obj = json.loads(payload)
                except ValueError:
                    self.broken = "signed frame is not JSON"
                    return out
                out.append(("json", obj))
            else:
                out.append(("frame", (struct.unpack(">H", payload[:2])[0], payload[2:])))
        return out
