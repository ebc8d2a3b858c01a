"""`filmcrew batch` (issue 37): one recipe, many films, one budget, one summary; resumed after a kill."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_kling import AK, SK, FakeKling

from filmcrew.cli import main

PREMISES = ["A baker must win back her stolen recipe", "A lighthouse keeper's daughter must relight the lamp",
            "A courier must deliver a letter across a flooded city"]


def recipe(folder: Path, extra: str = "", batch: str = "") -> Path:
    p = folder / "recipe.toml"
    p.write_text(f'[batch]\nfolder = "films"\npremises = {json.dumps(PREMISES)}\nlanguages = ["en", "fr"]\n'
                 f'contest = "youtube-shorts"\npreview = true\n{batch}\n[film]\nminutes = 0.25\nseed = 2\n\n'
                 f'[consistency]\ncheck = "off"\n{extra}')
    return p


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    r = recipe(folder)
    assert main(["batch", str(r)]) == 0
    return folder, r


def test_six_films_from_one_recipe_with_a_summary(batch, capsys):
    folder, r = batch
    rows = json.loads((folder / "films" / "batch.json").read_text())["films"]
    assert len(rows) == 6 and {(x["premise"], x["language"]) for x in rows} == {(p, l) for p in PREMISES
                                                                              for l in ("en", "fr")}
    for x in rows:
        root = folder / "films" / x["film"]
        assert (root / "filmcrew.toml").exists() and (root / "out" / "ep01.preview.mp4").exists()
        assert 10 < x["seconds"] < 30 and x["verdict"] in ("pass", "fail") and x["cost"] == {}
        assert x["ai_share"] == 1.0  # the offline crew made all of it
    assert '"fr"' in (folder / "films" / rows[1]["film"] / "filmcrew.toml").read_text()


def test_a_batch_run_again_makes_nothing_twice(batch, capsys):
    folder, r = batch
    capsys.readouterr()
    assert main(["batch", str(r)]) == 0
    out = capsys.readouterr().out
    assert out.count("nothing to do: every artifact is up to date") == 6 and "youtube-shorts" in out


def test_a_bad_recipe_names_its_field(tmp_path):
    from filmcrew.errors import ConfigError
    from filmcrew.cli.batch import load_recipe
    p = tmp_path / "r.toml"
    p.write_text('[batch]\npremises = ["x"]\nbudjet = 3\n')
    with pytest.raises(ConfigError, match=r"\[batch\] budjet: unknown field"):
        load_recipe(p)
    p.write_text('[batch]\npremises = ["x"]\n[film]\nlanguage = "fr"\n')
    with pytest.raises(ConfigError, match=r"\[film\] language: set by the batch; use \[batch\] languages"):
        load_recipe(p)


def test_a_batch_over_its_budget_is_refused_before_anything_is_sent(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    with FakeKling() as fake:
        kling = (f'\n[providers]\nanimator = "kling"\n\n[providers.kling]\nbase_url = "{fake.url}"\nmodel = "kling-v2-6"\n'
                 f'mode = "std"\naccess_key_env = "KLING_ACCESS_KEY"\nsecret_key_env = "KLING_SECRET_KEY"\n'
                 f'poll_every = 0.05\n')
        r = recipe(tmp_path, kling, 'budget = 10.0\ncurrency = "CNY"\n')
        capsys.readouterr()
        assert main(["batch", str(r)]) == 2
        err = capsys.readouterr().err
        assert "this batch would send" in err and "[batch] budget is 10.00 CNY" in err and "Nothing was sent" in err
        assert fake.submits == []
        assert not list((tmp_path / "films").glob("*/out/*.mp4"))
        assert main(["batch", str(r), "--plan"]) == 2  # priced the same way, still nothing sent
        assert fake.submits == []
