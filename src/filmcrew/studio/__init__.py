"""The studio: `filmcrew studio PROJECT`, a local web page where a person directs the crew.

It calls the same functions as the command line and writes the same files (the screenplay, the bible,
takes/picks.toml, a dubbed take), so a person can switch between the two at any moment; `make` runs as the
command line's own `filmcrew make` in a child process, under the same project lock.

- server.py: the HTTP server and what keeps it safe (127.0.0.1 unless --host, then a token; paths kept
  inside the project; a per-server form token and same-origin checks on every change; upload limits,
  uploads checked by their content);
- project.py: what the pages show, read from the project (episodes, shots and their state, takes, films);
- pages.py: the HTML (server-rendered; a few lines of JavaScript for the live check and the progress);
- runs.py: a make started from the studio, followed and cancelled.
"""
