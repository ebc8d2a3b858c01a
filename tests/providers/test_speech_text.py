"""What the voices are given to say: sentences, and numbers, money, times and abbreviations in words."""

import json

import numpy as np
import pytest

from filmcrew.crew import voice
from filmcrew.media import ffmpeg, fonts, subtitles
from filmcrew.story.speech_text import MAX_CHARS, script, sentences, spoken


@pytest.mark.parametrize("text,lang,expected", [
    ("He ran. She stayed! Why? Because.", "en", ["He ran.", "She stayed!", "Why?", "Because."]),
    ("Dr. Smith met J. R. Hartley at 3.5 km. Then he left.", "en",
     ["Dr. Smith met J. R. Hartley at 3.5 km.", "Then he left."]),
    ("M. Dupont arrive ? Oui ! Il est là.", "fr", ["M. Dupont arrive ?", "Oui !", "Il est là."]),
    ("你来了。真的吗？太好了！", "zh", ["你来了。", "真的吗？", "太好了！"]),
    ("\"Run.\" He ran.", "en", ["\"Run.\"", "He ran."]),
])
def test_sentences(text, lang, expected):
    assert sentences(text, lang) == expected


def test_a_long_sentence_is_cut_at_its_clauses():
    text = ", ".join(["the tide came in over the black rocks below the old lighthouse"] * 6) + "."
    parts = sentences(text, "en")
    assert len(parts) > 1 and all(len(p) <= MAX_CHARS for p in parts)
    assert " ".join(parts) == text
    zh = "，".join(["潮水漫过了老灯塔下面的黑色礁石"] * 20) + "。"
    zparts = sentences(zh, "zh")
    assert len(zparts) > 1 and all(len(p) <= MAX_CHARS for p in zparts) and "".join(zparts) == zh


@pytest.mark.parametrize("text,lang,expected", [
    ("He paid $5 for 3 apples at 10:30.", "en", "He paid five dollars for three apples at ten thirty."),
    ("Dr. Smith came in 1999, 42% late.", "en", "Doctor Smith came in nineteen ninety-nine, forty-two percent late."),
    ("It is 3.5 km, the 2nd time, at 7:05.", "en", "It is three point five kilometres, the second time, at seven oh five."),
    ("St. Ives, 1 km, $1.", "en", "Saint Ives, one kilometre, one dollar."),
    ("Il a payé 5 € à 10h30, le 1er mai.", "fr", "Il a payé cinq euros à dix heures trente, le premier mai."),
    ("M. Dupont a 3,5 kilos, 80 ans, 71 %.", "fr",
     "Monsieur Dupont a trois virgule cinq kilos, quatre-vingts ans, soixante et onze pour cent."),
    ("他付了5元，在1999年，10:30，第3次，12,000人。", "zh", "他付了五元，在一九九九年，十点三十分，第三次，一万二千人。"),
    ("Bonjour", "de", "Bonjour"),
])
def test_spoken_form(text, lang, expected):
    assert spoken(text, lang) == expected


def test_no_digit_is_left_for_a_voice_to_read_in_another_language():
    for text, lang in (("Room 12 at 8:15, 2024.", "en"), ("Salle 12 à 8h15, en 2024.", "fr"), ("12号房间，2024年8:15。", "zh")):
        assert not any(c.isdigit() for c in "".join(script(text, lang))), (text, lang)


class _Recorder:
    """A speak provider that records what it was asked and answers with a tone of one length per request."""
    name, version, model, source_type = "recorder", "1", "tone", "algorithmicMedia"

    def __init__(self):
        self.asked = []

    def speak(self, req):
        self.asked.append(req.text)
        rate = 22050
        t = np.arange(int(0.5 * rate)) / rate
        return np.concatenate([np.zeros(2000), 0.4 * np.sin(2 * np.pi * 220 * t), np.zeros(3000)]).astype(np.float32), rate


def test_each_sentence_is_its_own_request_and_the_pause_follows_the_punctuation(tmp_path):
    from types import SimpleNamespace

    from filmcrew.model import Voice
    from filmcrew.providers.base import SpeakRequest

    prov = _Recorder()
    text = "Wait. Who is there? It is 5 o'clock!"
    req = SpeakRequest(text=text, voice=Voice(), language="en", parenthetical="")
    said = script(text, "en")
    entry = voice._runner(prov, req, said)(SimpleNamespace(workdir=tmp_path))
    assert prov.asked == ["Wait.", "Who is there?", "It is five o'clock!"]
    a, rate = ffmpeg.read_wav(tmp_path / "line.wav")
    win = int(0.005 * rate)  # a 5 ms envelope, so the tones' own zero crossings do not count as gaps
    loud = np.convolve(np.abs(a[:, 0]), np.ones(win) / win, mode="same") > 0.05
    edges = np.flatnonzero(np.diff(loud.astype(int)))  # on/off of the three tones
    gaps = [(edges[k + 1] - edges[k]) / rate for k in (1, 3)]
    kept = 2 * voice.EDGE_PAD  # trim_silence keeps a little of each sentence's own silence
    assert gaps[0] == pytest.approx(voice.pause_after("Wait.") + kept, abs=0.015)
    assert gaps[1] == pytest.approx(voice.pause_after("Who is there?") + kept, abs=0.015)
    assert gaps[1] > gaps[0]
    assert entry["sentences"] == 3 and entry["spoken"] == "Wait. Who is there? It is five o'clock!"
    # the voice says when each written sentence starts and ends: at the tones, to the millisecond
    spans = json.loads((tmp_path / "sentences.json").read_text())
    assert [sp["text"] for sp in spans] == ["Wait.", "Who is there?", "It is 5 o'clock!"]
    onsets = [edges[0] + 1, edges[2] + 1, edges[4] + 1]
    for sp, on in zip(spans, onsets):
        assert sp["start"] == pytest.approx(on / rate - voice.EDGE_PAD, abs=0.004)  # each keeps EDGE_PAD before its sound
    # and the subtitles show each sentence from its first sound until the next begins, re-timed by `hold` so
    # that no piece is too short to read
    font = fonts.font(40)
    pieces = subtitles.line_pieces(text, font, 2000, voice.frames_of(tmp_path), voice.spans_of(tmp_path))
    assert [p for p, _, _ in pieces] == ["Wait.", "Who is there?", "It is 5 o'clock!"]
    starts = [0] + [int(round(sp["start"] * 30)) for sp in spans[1:]]
    at_sound = [(p, a, b) for p, a, b in zip(["Wait.", "Who is there?", "It is 5 o'clock!"], starts,
                                               starts[1:] + [voice.frames_of(tmp_path)])]
    assert min(b - a for _, a, b in at_sound) < subtitles.MIN_PIECE  # the case the hold is for
    assert pieces == subtitles.hold(at_sound) and pieces != at_sound
    # (this line is 2.3 s for three sentences, too short for a second each: the shortest piece gains most)
    assert min(b - a for _, a, b in pieces) > min(b - a for _, a, b in at_sound)
    assert all(b == nxt for (_, _, b), (_, nxt, _) in zip(pieces, pieces[1:]))
    assert pieces[-1][2] == voice.frames_of(tmp_path)
    # a human take has no sentence record: its pieces share its time by length, as before
    by_length = subtitles.line_pieces(text, font, 2000, 90)
    assert len(by_length) == 1 and by_length[0][1:] == (0, 90)
