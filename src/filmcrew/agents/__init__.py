"""The agents' face: `filmcrew mcp`, a Model Context Protocol server (the official `mcp` SDK, the [mcp] extra) on
the same domain functions as the command line and the studio.

- `folder`: the projects folder (names, paths kept inside it, what an answer may say)
- `confirm`: the plan with its cost, and the confirm token paid work needs
- `jobs`: write and make as jobs in a child process, recorded in the project (a restarted server sees them)
- `making`: write, make, retake, job status, cancel
- `story`: the screenplay and the bible, read and edited
- `board`: the storyboard, takes and retakes
- `actions`: projects, check, disclose, export, dub
- `resources`: resources by URI, and the prompts
- `server`: the MCP wiring (tools, annotations, errors), stdio and Streamable HTTP
"""
