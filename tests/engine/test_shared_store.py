"""FILMCREW_STORE: the artifacts in a folder outside the project (a shared mount for a cluster, or one cache for
several projects), issue 17. Content keys make sharing safe: what one project made, another with the same
inputs finds and never makes again; each project keeps its own index, job journal and films, and remembers
where its artifacts are (.filmcrew/store.txt), so every later command, the studio and a cluster's workers
find them without the variable."""

from __future__ import annotations

import shutil

import pytest

from filmcrew.cli import main

pytestmark = pytest.mark.slow


def objects(folder):
    return sorted(p.parent.name for p in folder.glob("objects/*/*/record.json"))


def test_two_projects_share_one_store_outside_them(tmp_path, monkeypatch, capsys):
    shared = tmp_path / "shared-store"
    monkeypatch.setenv("FILMCREW_STORE", str(shared))
    a = tmp_path / "a"
    assert main(["new", str(a), "--premise", "A baker must win back her stolen recipe", "--minutes", "0.4"]) == 0
    assert main(["write", str(a), "--quiet"]) == 0
    assert main(["make", str(a), "--preview", "--quiet"]) == 0
    made = objects(shared)
    assert len(made) > 20 and objects(a / ".filmcrew") == []  # every artifact in the shared store, none in the project
    assert (a / ".filmcrew" / "index").is_dir() and (a / "out" / "ep01.preview.mp4").is_file()
    b = tmp_path / "b"  # the same story in another project
    shutil.copytree(a, b, ignore=shutil.ignore_patterns(".filmcrew", "out"))
    capsys.readouterr()
    assert main(["make", str(b), "--preview"]) == 0
    out = capsys.readouterr().out
    assert "nothing to do" in out and objects(shared) == made  # nothing made twice, across projects
    assert (b / "out" / "ep01.preview.mp4").is_file()
    assert main(["verify", str(b), "--preview"]) == 0  # the films' artifacts, read from the shared store
    monkeypatch.delenv("FILMCREW_STORE")  # the project remembers where its artifacts are
    assert (b / ".filmcrew" / "store.txt").read_text().strip() == str(shared.resolve())
    capsys.readouterr()
    assert main(["plan", str(b), "--preview"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    (b / ".filmcrew" / "store.txt").unlink()  # and without that: its own .filmcrew/, empty: everything to make
    assert main(["plan", str(b), "--preview"]) == 0
    assert "nothing to do" not in capsys.readouterr().out


def test_a_store_that_cannot_be_made_is_named(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    a = tmp_path / "a"
    assert main(["new", str(a), "--premise", "A baker must win back her stolen recipe", "--minutes", "0.4"]) == 0
    monkeypatch.setenv("FILMCREW_STORE", str(blocker / "store"))
    capsys.readouterr()
    assert main(["write", str(a), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "FILMCREW_STORE" in err and str(blocker / "store") in err and "Not a directory" in err
    assert not (a / ".filmcrew" / "store.txt").exists() and not (a / "story" / "ep01.fountain").exists()  # nothing done
