"""The command line: one module per command group. Only this package reads argv and the environment.

- `writing`: new, write, script check (the project folder and its story)
- `making`: plan, make, status, demo (the task graph: what will be made, making it)
- `checking`: check, disclose, keys (labels, content credentials, the AI share)
- `editing`: export, import, dub, export-audio (a person takes over)
- `consistency`: consistency, take (the characters' faces across shots; a shot's takes)
- `continuity`: continuity (a series' characters' states over the episodes, each shot measured against them)
- `batch`: batch (one recipe, many films: one budget, one summary)
- `jobs`: jobs (the paid jobs that need a person: may have been billed, refused, failed; --resend, --forget)
- `voices`: voice clone (a character speaks with a person's cloned voice, their consent on record)
- `studio`: studio (the web page that does all of the above)
- `festival`: festival init, serve, work (an AI film contest run on the checker)
- `agents`: mcp (a Model Context Protocol server: an AI agent directs the crew)
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import __version__
from ..errors import FilmcrewError, TaskError, describe_os_error
from . import (agents, batch, checking, consistency, continuity, editing, festival, jobs, making, recap, series, studio,
               voices, writing)

GROUPS = (writing, making, checking, editing, consistency, continuity, recap, series, batch, jobs, voices, studio,
          festival, agents)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="filmcrew", description="premise -> screenplay -> shots -> voices -> music -> MP4")
    p.add_argument("--version", action="version", version=f"filmcrew {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True)
    for group in GROUPS:
        group.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        shared = os.environ.get("FILMCREW_STORE")
        project = getattr(args, "project", None)
        if shared and project and os.path.isfile(os.path.join(project, "filmcrew.toml")):
            from ..engine.store import locate  # the project's artifacts go there from now on (remembered in it)
            locate(project, shared)
        return args.fn(args)
    except TaskError as err:
        print(f"filmcrew: {err}", file=sys.stderr)
        return err.exit_code
    except FilmcrewError as err:
        print(f"filmcrew: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("filmcrew: interrupted; finished artifacts are kept, run the same command to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `filmcrew ... | head`: the reader has what it wanted; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that Python's own flush at exit does not fail again
        return 141  # what a shell reports for a program stopped by SIGPIPE
    except OSError as err:  # a full disk, a read-only folder: the person can fix it, so no traceback
        print(f"filmcrew: error: {describe_os_error(err)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
