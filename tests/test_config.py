import pytest

from filmcrew import project
from filmcrew.cli import main
from filmcrew.errors import ConfigError


def test_empty_premise_exits_nonzero_with_message(tmp_path, capsys):
    rc = main(["new", str(tmp_path / "p"), "--premise", " "])
    assert rc == 2
    assert "premise" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_malformed_toml_names_the_file(tmp_path):
    (tmp_path / "filmcrew.toml").write_text("[film\npremise = 'x'\n")
    with pytest.raises(ConfigError, match=r"filmcrew.toml: malformed TOML"):
        project.load_config(tmp_path)


def test_bad_field_names_the_field(tmp_path):
    (tmp_path / "filmcrew.toml").write_text("[film]\npremise = 'x'\naspect = '4:3'\n")
    with pytest.raises(ConfigError, match=r"\[film\] aspect: '4:3'"):
        project.load_config(tmp_path)


def test_secrets_are_refused_in_the_config(tmp_path):
    (tmp_path / "filmcrew.toml").write_text("[film]\npremise = 'x'\n[providers.openai-chat]\napi_key = 'sk-123'\n")
    with pytest.raises(ConfigError, match="environment variable"):
        project.load_config(tmp_path)


def test_translated_subtitles_need_a_translator_and_say_so(tmp_path):
    (tmp_path / "filmcrew.toml").write_text("[film]\npremise = 'x'\nsubtitle_languages = ['fr']\n")
    with pytest.raises(ConfigError, match=r"\[film\] subtitle_languages: translated subtitles need a translator.*"
                                          r"translator = \"openai-chat\""):
        project.load_config(tmp_path)
    (tmp_path / "filmcrew.toml").write_text("[film]\npremise = 'x'\nsubtitle_languages = ['en']\n"
                                            "[providers]\ntranslator = 'openai-chat'\n")
    with pytest.raises(ConfigError, match=r"other than the film's own \(en\)"):
        project.load_config(tmp_path)


def test_bible_errors_name_the_field(tmp_path):
    (tmp_path / "story").mkdir()
    (tmp_path / "story" / "bible.yaml").write_text("title: T\nlogline: L\ncharacters:\n  - name: A\n    voice: {speed: 9}\n")
    with pytest.raises(ConfigError, match=r"characters\[0\].voice.speed"):
        project.load_bible(tmp_path)
