"""A small WebSocket client (RFC 6455), enough to follow a ComfyUI server's progress messages without an
extra package: the opening handshake (checked), text frames in, binary frames (previews) skipped, pings
answered, close. Client frames are masked, as the RFC requires."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import struct
import urllib.parse

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WebSocketError(OSError):
    pass


class WebSocket:
    def __init__(self, url: str, timeout: float = 10.0):
        u = urllib.parse.urlparse(url)
        if u.scheme not in ("ws", "http"):
            raise WebSocketError(f"{url}: only ws:// (plain) is supported")
        self.sock = socket.create_connection((u.hostname, u.port or 80), timeout=timeout)
        try:
            self._handshake(url, u)
        except BaseException:
            self.sock.close()
            raise

    def _handshake(self, url, u) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        path = u.path + (f"?{u.query}" if u.query else "")
        self.sock.sendall((f"GET {path or '/'} HTTP/1.1\r\nHost: {u.hostname}:{u.port or 80}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise WebSocketError(f"{url}: the server closed the connection during the handshake")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        self.parts: list[bytes] = []
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in f"{lines[0]} ":
            raise WebSocketError(f"{url}: no WebSocket here ({lines[0]})")
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != want:
            raise WebSocketError(f"{url}: the handshake's Sec-WebSocket-Accept is wrong")

    def _frame(self) -> tuple[int, int, bytes] | None:
        """(first byte, opcode, payload) of a whole frame at the front of the buffer, consumed; None if the
        buffer does not hold a whole one yet (nothing is consumed then)."""
        buf = self.buf
        if len(buf) < 2:
            return None
        n, at = buf[1] & 0x7F, 2
        if n == 126:
            if len(buf) < 4:
                return None
            n, at = struct.unpack(">H", buf[2:4])[0], 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n, at = struct.unpack(">Q", buf[2:10])[0], 10
        masked = buf[1] & 0x80
        end = at + (4 if masked else 0) + n
        if len(buf) < end:
            return None
        payload = buf[end - n:end]
        if masked:
            mask = buf[at:at + 4]
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.buf = buf[end:]
        return buf[0], buf[0] & 0x0F, payload

    def _send(self, opcode: int, payload: bytes = b"") -> None:
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode]) + (bytes([0x80 | n]) if n < 126 else
                                         bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else
                                         bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self, timeout: float | None) -> dict | None:
        """The next JSON text message, or None if none came within `timeout` seconds. Pings are answered;
        binary frames (preview images) and pongs are skipped."""
        self.sock.settimeout(timeout)
        while True:
            frame = self._frame()
            if frame is None:
                try:
                    chunk = self.sock.recv(65536)
                except (socket.timeout, TimeoutError, BlockingIOError):  # (a timeout of 0 is non-blocking)
                    return None
                if not chunk:
                    raise WebSocketError("the server closed the connection")
                self.buf += chunk
                continue
            first, opcode, payload = frame
            if opcode == 8:
                raise WebSocketError("the server closed the WebSocket")
            if opcode == 9:
                self._send(10, payload)
            elif opcode in (0, 1):
                self.parts.append(payload)
                if first & 0x80:
                    text, self.parts = b"".join(self.parts), []
                    try:
                        msg = json.loads(text.decode("utf-8"))
                    except ValueError:
                        continue
                    if isinstance(msg, dict):
                        return msg

    def close(self) -> None:
        try:
            self._send(8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()
