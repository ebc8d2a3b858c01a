"""What a voice is given to say: a line's text split into sentences, with numbers, symbols and
abbreviations written out as words in the line's language (English, French, Chinese).

The subtitles keep the line as written; only the speech provider sees the spoken form. Every provider
gets the same text, so a line sounds the same whichever voice speaks it: espeak-ng, for one, reads the
digits in a Chinese line in English ("5元" came out as "five 元"), says "$5" as "dollar five" and
"3.5 km" as "three point five k m". Numbers are written out by `num2words` (English, French) and
`cn2an` (Chinese); both are small pure-Python packages installed with filmcrew.

Pure functions, no I/O.
"""

from __future__ import annotations

import re

MAX_CHARS = 180  # a sentence longer than this is split again at a clause boundary

# ---- sentences ------------------------------------------------------------------------------------

_ABBREV = {
    "en": ("mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "vs", "etc", "mt", "capt", "gen", "lt", "sgt", "no"),
    "fr": ("m", "mme", "mlle", "dr", "st", "ste", "pr", "etc", "me", "mgr", "cf"),
}
_END = re.compile(r"([.!?…]+[\"'»”’)]*)(\s+)")
_ZH_END = re.compile(r"([。！？…]+[”’」』）]*)")


def sentences(text: str, language: str) -> list[str]:
    """`text` cut at sentence ends (not after an abbreviation, an initial or inside a number), and any
    sentence over MAX_CHARS cut again at its clause marks. Joined with spaces (none in Chinese), the
    pieces give `text` back, less surplus whitespace."""
    text = " ".join(text.split())
    if not text:
        return []
    if language == "zh":
        parts = [p for p in _ZH_END.split(text) if p]
        out: list[str] = []
        for p in parts:
            if out and _ZH_END.fullmatch(p):
                out[-1] += p
            else:
                out.append(p)
    else:
        out, start = [], 0
        abbrev = _ABBREV.get(language, _ABBREV["en"])
        for m in _END.finditer(text):
            before = text[start:m.start()].split(" ")[-1].lower().strip("(\"'«“")
            if m.group(1).startswith(".") and len(m.group(1)) == 1 and (before in abbrev or
                                                                         re.fullmatch(r"[a-zà-ÿ]", before)):
                continue  # "Dr. Smith", "J. R. Hartley"
            out.append(text[start:m.end(1)])
            start = m.end()
        out.append(text[start:])
    return [q for s in out for q in _clauses(s.strip(), language) if q]


def _clauses(s: str, language: str) -> list[str]:
    if len(s) <= MAX_CHARS:
        return [s]
    marks = "，；：、" if language == "zh" else ";:,—–"
    cut = max((i for i, c in enumerate(s[:MAX_CHARS]) if c in marks), default=-1)
    if cut <= 0:  # no clause mark early enough: the last space before the limit, or a hard cut
        cut = s.rfind(" ", 0, MAX_CHARS) if language != "zh" else MAX_CHARS - 1
        cut = cut if cut > 0 else MAX_CHARS - 1
    return [s[:cut + 1].strip(), *_clauses(s[cut + 1:].strip(), language)]


# ---- the spoken form ------------------------------------------------------------------------------

_NUM = r"\d+(?:[,\u202f\u00a0 ]\d{3})*(?:[.,]\d+)?"


def _n2w(value: str, lang: str, to: str = "cardinal") -> str:
    from num2words import num2words
    return num2words(_number(value, lang), lang=lang, to=to)


def _number(value: str, lang: str):
    v = value.replace("\u202f", "").replace("\u00a0", "")
    if lang == "fr":
        v = v.replace(" ", "")
        if re.fullmatch(r"\d+,\d+", v):
            v = v.replace(",", ".")  # the French decimal comma
    v = re.sub(r"(?<=\d),(?=\d{3}\b)", "", v).replace(" ", "")
    return float(v) if "." in v else int(v)


_EN_ABBREV = {"Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Dr.": "Doctor", "Prof.": "Professor",
              "Capt.": "Captain", "Mt.": "Mount", "Jr.": "Junior", "Sr.": "Senior", "vs.": "versus", "etc.": "et cetera"}
_FR_ABBREV = {"M.": "Monsieur", "Mme": "Madame", "Mlle": "Mademoiselle", "Dr": "Docteur", "Pr": "Professeur",
              "Me": "Maître", "Mgr": "Monseigneur", "St": "Saint", "Ste": "Sainte"}
_UNITS = {
    "en": {"km": ("kilometre", "kilometres"), "kg": ("kilo", "kilos"), "cm": ("centimetre", "centimetres"),
           "m": ("metre", "metres"), "h": ("hour", "hours"), "min": ("minute", "minutes"), "s": ("second", "seconds")},
    "fr": {"km": ("kilomètre", "kilomètres"), "kg": ("kilo", "kilos"), "cm": ("centimètre", "centimètres"),
           "m": ("mètre", "mètres"), "min": ("minute", "minutes"), "s": ("seconde", "secondes")},
}
_MONEY = {"en": {"$": ("dollar", "dollars"), "€": ("euro", "euros"), "£": ("pound", "pounds"), "¥": ("yuan", "yuan")},
          "fr": {"$": ("dollar", "dollars"), "€": ("euro", "euros"), "£": ("livre", "livres"), "¥": ("yuan", "yuans")}}


def _plural(value: str, lang: str, forms: tuple[str, str]) -> str:
    n = _number(value, lang)
    one = n == 1 or (lang == "fr" and 0 <= n < 2)  # French: "1,5 kilo", "0 euro"
    return forms[0] if one else forms[1]


def _en(text: str) -> str:
    for k, v in _EN_ABBREV.items():
        text = re.sub(rf"(?<![\w.]){re.escape(k)}", v, text)
    text = re.sub(r"\bSt\.(?=\s+[A-Z])", "Saint", text)
    text = re.sub(r"\bSt\.", "Street", text)
    text = text.replace("&", " and ")
    # money, before plain numbers: "$5" -> "five dollars", "$2.50" -> "two dollars fifty"
    def money(m):
        sym, val = m.group(1), m.group(2)
        unit = _MONEY["en"][sym]
        if re.fullmatch(r"\d+\.\d\d", val):
            whole, cents = val.split(".")
            return f"{_n2w(whole, 'en')} {_plural(whole, 'en', unit)} {_n2w(cents, 'en')}" if int(cents) else \
                f"{_n2w(whole, 'en')} {_plural(whole, 'en', unit)}"
        return f"{_n2w(val, 'en')} {_plural(val, 'en', unit)}"
    text = re.sub(rf"([$€£¥])\s?({_NUM})", money, text)
    text = re.sub(rf"({_NUM})\s?%", lambda m: f"{_n2w(m.group(1), 'en')} percent", text)
    # clock times: "10:30" -> "ten thirty", "7:05" -> "seven oh five", "9:00" -> "nine o'clock"
    def clock(m):
        h, mi = int(m.group(1)), int(m.group(2))
        if mi == 0:
            return f"{_n2w(str(h), 'en')} o'clock"
        return f"{_n2w(str(h), 'en')} {'oh ' if mi < 10 else ''}{_n2w(str(mi), 'en')}"
    text = re.sub(r"\b([01]?\d|2[0-3]):([0-5]\d)\b", clock, text)
    text = re.sub(r"\b(\d+)(st|nd|rd|th)\b", lambda m: _n2w(m.group(1), "en", "ordinal"), text)
    text = re.sub(rf"({_NUM})\s?({'|'.join(_UNITS['en'])})\b",
                  lambda m: f"{m.group(1)} {_plural(m.group(1), 'en', _UNITS['en'][m.group(2)])}", text)
    # years: a four-digit number from 1100 to 2099 that is not a quantity of something counted in thousands
    text = re.sub(r"\b(1[1-9]\d\d|20\d\d)\b(?![.,]\d)", lambda m: _n2w(m.group(1), "en", "year"), text)
    text = re.sub(_NUM, lambda m: _n2w(m.group(0), "en"), text)
    return " ".join(text.split())


def _fr(text: str) -> str:
    for k, v in _FR_ABBREV.items():
        text = re.sub(rf"(?<![\w.]){re.escape(k)}(?=\s+[A-ZÀ-Ý])", v, text)
    text = text.replace("&", " et ")

    def money(val: str, sym: str) -> str:
        unit = _MONEY["fr"][sym]
        if re.fullmatch(r"\d+[.,]\d\d", val):
            whole, cents = re.split(r"[.,]", val)
            tail = f" {_n2w(cents, 'fr')}" if int(cents) else ""
            return f"{_n2w(whole, 'fr')} {_plural(whole, 'fr', unit)}{tail}"
        return f"{_n2w(val, 'fr')} {_plural(val, 'fr', unit)}"
    text = re.sub(rf"({_NUM})\s?([$€£¥])", lambda m: money(m.group(1), m.group(2)), text)
    text = re.sub(rf"([$€£¥])\s?({_NUM})", lambda m: money(m.group(2), m.group(1)), text)
    text = re.sub(rf"({_NUM})\s?%", lambda m: f"{_n2w(m.group(1), 'fr')} pour cent", text)
    # "10h30", "10 h 30", "10:30" -> "dix heures trente"; "1h" -> "une heure"
    def clock(m):
        h, mi = int(m.group(1)), m.group(2)
        hours = "une heure" if h == 1 else f"{_n2w(str(h), 'fr')} heures"
        return hours + (f" {_n2w(mi, 'fr')}" if mi and int(mi) else "")
    text = re.sub(r"\b([01]?\d|2[0-3])\s?h\s?([0-5]\d)?\b", clock, text)
    text = re.sub(r"\b([01]?\d|2[0-3]):([0-5]\d)\b", clock, text)
    text = re.sub(r"\b1(er|re|ère)\b", lambda m: "premier" if m.group(1) == "er" else "première", text)
    text = re.sub(r"\b(\d+)(e|ème|ième)\b", lambda m: _n2w(m.group(1), "fr", "ordinal"), text)
    text = re.sub(rf"({_NUM})\s?({'|'.join(_UNITS['fr'])})\b",
                  lambda m: f"{m.group(1)} {_plural(m.group(1), 'fr', _UNITS['fr'][m.group(2)])}", text)
    text = re.sub(_NUM, lambda m: _n2w(m.group(0), "fr"), text)
    return " ".join(text.split())


def _zh(text: str) -> str:
    import cn2an
    # clock times first ("10:30" -> 十点三十分), then years read digit by digit (一九九九年), the rest by cn2an
    text = re.sub(r"(?<!\d)([01]?\d|2[0-3])[:：]([0-5]\d)(?!\d)",
                  lambda m: f"{cn2an.an2cn(str(int(m.group(1))))}点" + (f"{cn2an.an2cn(str(int(m.group(2))))}分" if int(m.group(2)) else "整"),
                  text)
    text = re.sub(r"(\d{4})(?=年)", lambda m: "".join("零一二三四五六七八九"[int(c)] for c in m.group(1)), text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"[$¥￥]\s?(\d+(?:\.\d+)?)", lambda m: f"{m.group(1)}元", text)
    text = re.sub(r"€\s?(\d+(?:\.\d+)?)", lambda m: f"{m.group(1)}欧元", text)
    text = cn2an.transform(text, "an2cn")
    return text.replace("&", "和")


_BY_LANGUAGE = {"en": _en, "fr": _fr, "zh": _zh}


def spoken(text: str, language: str) -> str:
    """`text` as it should be said: numbers, money, percentages, clock times, ordinals, years, units and
    common abbreviations in words of `language` (en, fr, zh; other languages are returned as they are)."""
    fn = _BY_LANGUAGE.get(language)
    return fn(text) if fn else text


def script(text: str, language: str) -> list[str]:
    """What the voice provider is asked to say, one request per sentence."""
    return [spoken(s, language) for s in sentences(text, language)]
