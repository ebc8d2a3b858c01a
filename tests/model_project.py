"""A written project whose roles are played by model providers behind local fakes: the setup the remote
providers' whole-film tests share."""

from __future__ import annotations

from pathlib import Path

from filmcrew.cli import main
from filmcrew.project import DEFAULT_PROVIDERS

FISHERMAN = "A mortal fisherman challenges the god of floods to save his village"
BAKER = "A baker must win back her stolen recipe"
LIGHTHOUSE = "A lighthouse keeper's daughter must relight the lamp"


def model_project(root: Path, url: str, roles: dict[str, str], settings: str = "", budget: float | None = None,
                  currency: str = "USD", premise: str = FISHERMAN, new_args: tuple = ("--seed", "7")) -> Path:
    """`new` and `write` a 0.4-minute project, then give each role in `roles` its provider (`{"animator":
    "kling"}`), with one `[providers.NAME]` table per provider holding `base_url = url` and `settings`."""
    assert main(["new", str(root), "--premise", premise, "--minutes", "0.4", *new_args]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    toml = root / "filmcrew.toml"
    text = toml.read_text()
    for role, name in roles.items():
        text = text.replace(f'{role} = "{DEFAULT_PROVIDERS[role]}"', f'{role} = "{name}"')
    for name in dict.fromkeys(roles.values()):
        text += f'\n[providers.{name}]\nbase_url = "{url}"\n{settings}\n'
    if budget is not None:
        text += f'\n[budget]\nmax = {budget}\ncurrency = "{currency}"\n'
    toml.write_text(text)
    return root


def made_film(root: Path, url: str, roles: dict[str, str], settings: str = "", **kw) -> dict:
    """`model_project` with these roles, then a preview make (it must succeed): the film's provenance."""
    import json
    model_project(root, url, roles, settings, **kw)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    return json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
