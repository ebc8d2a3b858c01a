"""`filmcrew mcp [PROJECTS_DIR] [--http --port N]`: the Model Context Protocol server that lets an AI agent direct
the crew (the [mcp] extra); stdio by default, Streamable HTTP on 127.0.0.1 with a bearer token when --http."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path


def cmd_mcp(a) -> int:
    from ..agents import server  # says `pip install 'filmcrew[mcp]'` when the SDK is missing
    env = dict(os.environ)
    base = Path(a.projects)
    app = server.build(base, env)
    if not a.http:
        print(f"filmcrew mcp: serving the projects in {base.resolve()} over stdio", file=sys.stderr)
        server.run_stdio(app)
        return 0
    token = os.environ.get("FILMCREW_MCP_TOKEN") or secrets.token_urlsafe(24)
    print(f"filmcrew mcp: serving the projects in {base.resolve()} on http://127.0.0.1:{a.port}/mcp\n"
          f"  every request carries the header  Authorization: Bearer {token}\n"
          f"  (set FILMCREW_MCP_TOKEN to choose the token)", file=sys.stderr, flush=True)
    server.run_http(app, a.port, token)
    return 0


def register(sub) -> None:
    m = sub.add_parser("mcp", help="a Model Context Protocol server: let an AI agent direct the crew")
    m.add_argument("projects", nargs="?", default=".", help="the folder whose projects it serves (default: here)")
    m.add_argument("--http", action="store_true", help="Streamable HTTP on 127.0.0.1 (a bearer token) instead of stdio")
    m.add_argument("--port", type=int, default=8766, help="the HTTP port (default 8766)")
    m.set_defaults(fn=cmd_mcp)
