"""The studio: `filmcrew studio PROJECT`, a local web page where a person directs the crew.

It calls the same functions as the command line and writes the same files (the screenplay, the bible,
takes/picks.toml, a dubbed take), so a person can switch between the two at any moment; `make` runs as the
command line's own `filmcrew make` in a child process, under the same project lock.

- app.py: the web app on the shared kit (web/kit.py: FastAPI under uvicorn) and what keeps it safe (127.0.0.1
  unless --host, then a token; typed parameters; paths kept inside the project; a per-server form token and
  same-origin checks on every change; upload limits per route, uploads checked by their content);
- templates/ and static/: the pages (Jinja2, autoescaped), their stylesheet and scripts (no inline script or
  style: the CSP forbids them);
- pages.py: small pure helpers the templates use (a job's state in words, a film's AI share);
- project.py: what the pages show, read from the project (episodes, shots and their state, takes, films);
- runs.py: a make started from the studio, followed by its events (engine/events.py) and cancelled.
"""
