"""The web kit under a real uvicorn server: a request whose handler fails gets the 500 page with an incident id,
and the keep-alive connection it came on still answers the next request (uvicorn closes a connection when the
application raises after its answer, which Starlette's error middleware does to let servers log it)."""

from __future__ import annotations

import http.client
import logging
from pathlib import Path

from fastapi import Request

from filmcrew.web import kit, serve


def test_a_failing_handler_gets_its_500_page_and_the_connection_answers_the_next_request(caplog):
    face = kit.Face(name="probe", title="probe", templates=Path(kit.__file__).parent / "templates")
    app = kit.create_app(face)

    @app.get("/boom")
    def boom(request: Request):
        raise RuntimeError("a planted fault")

    @app.get("/fine")
    def fine(request: Request):
        return {"ok": True}

    server = serve.Background(app).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        with caplog.at_level(logging.ERROR, logger="filmcrew.web"):
            conn.request("GET", "/boom", headers={"Accept": "text/html"})
            r = conn.getresponse()
            page = r.read().decode()
        assert r.status == 500 and "incident" in page and "a planted fault" not in page  # the traceback: the log
        assert any("incident" in rec.getMessage() and rec.exc_info for rec in caplog.records)
        for _ in range(3):  # the same connection, again and again
            conn.request("GET", "/fine")
            r = conn.getresponse()
            assert (r.status, r.read()) == (200, b'{"ok":true}')
            conn.request("GET", "/boom")
            r = conn.getresponse()
            assert r.status == 500 and r.read()
        conn.close()
    finally:
        server.close()
