"""The package layout rule: a wing imports only the wings below it (README, "Architecture").

Read from the source with `ast` (imports inside functions included), so the rule stays true as code moves in.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "filmcrew"

# top first; a wing may import itself and any wing on a later row, never one on its own row or above
LAYERS = [
    ("cli",),
    ("studio", "festival", "agents"),  # the faces: side by side, none imports another (agents: `filmcrew mcp`)
    ("web",),  # what the web wings share (HTTP answers)
    ("handoff",),
    ("pipeline",),
    ("project",),
    ("crew",),
    ("writer",),  # the offline writer (story-engine): a provider that writes the story, found by name in the registry
    ("providers", "consistency"),  # the vendors, and the character consistency check: neither imports the other
    ("provenance",),
    ("media",),
    ("story",),
    ("engine",),
    ("ground",),  # model.py, ledger.py, errors.py and the package's __init__ (its version)
]
GROUND = {"model", "ledger", "errors", "__init__", "__version__"}
ENTRY = {"__main__": "cli"}  # `python -m filmcrew` is the command line
RANK = {wing: i for i, row in enumerate(LAYERS) for wing in row}


def wing_of(module: str) -> str:
    """'filmcrew.crew.voice' -> 'crew'; 'filmcrew.model' -> 'ground'; 'filmcrew' -> 'ground'."""
    parts = module.split(".")[1:]
    if not parts or parts[0] in GROUND:
        return "ground"
    return ENTRY.get(parts[0], parts[0])


def imports_of(module: str, source: str, is_package: bool) -> set[str]:
    """Every filmcrew module or package `source` imports (absolute names), at any depth in the file."""
    found = set()
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "filmcrew"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "filmcrew":
                continue
            if target == "filmcrew" or not node.module:  # `from .. import pipeline, project`: each name is a module
                found |= {f"{target}.{a.name}" for a in node.names}
            else:
                found.add(target)
    return found


def violations(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """'importer -> imported (why)' for every import that breaks the rule; `sources` maps a module's name to
    (its source, whether it is a package's __init__)."""
    bad = []
    for module, (source, is_package) in sorted(sources.items()):
        mine = wing_of(module)
        if mine not in RANK:
            bad.append(f"{module}: the wing {mine!r} has no place in LAYERS; add it to the rule and the README")
            continue
        for target in sorted(imports_of(module, source, is_package)):
            theirs = wing_of(target)
            if theirs == mine or (theirs in RANK and RANK[theirs] > RANK[mine]):
                continue
            where = "its own row" if RANK.get(theirs) == RANK[mine] else "above it"
            bad.append(f"{module} -> {target} ({theirs} is {where})")
    return bad


def package_sources() -> dict[str, tuple[str, bool]]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["filmcrew", *path.relative_to(PACKAGE).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        out[name] = (path.read_text(encoding="utf-8"), is_package)
    return out


def test_every_import_points_down_the_layers():
    sources = package_sources()
    assert len(sources) > 50  # the whole package was read
    assert violations(sources) == []


def test_every_module_sits_in_a_known_wing():
    wings = {wing_of(m) for m in package_sources()}
    assert wings <= set(RANK), wings - set(RANK)
    for expected in ("cli", "handoff", "pipeline", "project", "crew", "providers", "provenance", "media", "story",
                     "engine", "ground"):
        assert expected in wings


def test_the_rule_catches_an_upward_import():
    sources = {
        "filmcrew.media.lips": ("from ..crew import voice\nfrom ..story import timing\n", False),
        "filmcrew.engine.store": ("def f():\n    from filmcrew.provenance import share\n", False),
        "filmcrew.studio": ("from ..festival import app\n", True),
        "filmcrew.crew.editor": ("from . import voice\nfrom ..engine import atomic\nfrom .. import ledger\n", False),
        "filmcrew.cli": ("from .. import pipeline, __version__\nfrom .making import x\n", True),
        "filmcrew.gadgets": ("", False),
    }
    assert violations(sources) == [
        "filmcrew.engine.store -> filmcrew.provenance (provenance is above it)",
        "filmcrew.gadgets: the wing 'gadgets' has no place in LAYERS; add it to the rule and the README",
        "filmcrew.media.lips -> filmcrew.crew (crew is above it)",
        "filmcrew.studio -> filmcrew.festival (festival is its own row)",
    ]


TESTS = Path(__file__).resolve().parent


def test_the_tests_sit_in_folders_named_after_the_wings_and_import_no_test_file():
    """tests/WING/test_*.py for the wing a test is about (vendors/: the conformance suite every vendor adapter runs;
    the top: the tests of the whole, such as this one); helpers shared by several folders are modules in tests/
    (pyproject's pythonpath), never another test file."""
    wings = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    folders = {p.parent.name for p in TESTS.rglob("test_*.py") if p.parent != TESTS}
    assert folders and folders <= wings | {"vendors"}, folders - wings
    tests = {p.stem for p in TESTS.rglob("test_*.py")}
    assert len(tests) == len(list(TESTS.rglob("test_*.py")))  # no two test files of one name (one import space)
    imports = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            imports += [f"{path.relative_to(TESTS)} imports {n}" for n in names if n.split(".")[-1] in tests]
    assert imports == []
