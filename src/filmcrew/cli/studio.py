"""`filmcrew studio PROJECT`: the studio, a local web page that directs the crew (filmcrew/studio)."""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_studio(a) -> int:
    from ..studio.app import Studio
    from ..web.serve import listen
    studio = Studio(Path(a.project), host=a.host, port=a.port)
    try:
        sock = listen(a.host, a.port)
    except OSError as err:
        print(f"filmcrew: error: cannot listen on {a.host}:{a.port} ({err.strerror}); choose another --port",
              file=sys.stderr)
        return 2
    studio.port = sock.getsockname()[1]
    print(f"the studio of {studio.root} is at {studio.url()}", flush=True)
    if studio.token:
        print("it listens beyond this machine: whoever opens it needs that address, token included; keep it private",
              flush=True)
    if not a.no_browser:
        import webbrowser
        webbrowser.open(studio.url())
    try:
        studio.serve(sock=sock)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


def register(sub) -> None:
    s = sub.add_parser("studio", help="a local web page to direct the crew: screenplay, storyboard, takes, make, watch")
    s.add_argument("project")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--host", default="127.0.0.1",
                   help="listen on this address (another than 127.0.0.1 prints an access token every request needs)")
    s.add_argument("--no-browser", action="store_true", help="print the address; do not open a browser")
    s.set_defaults(fn=cmd_studio)
