"""`filmcrew voice clone PROJECT CHARACTER SAMPLE --person NAME --consent TEXT`: a character speaks with a voice
cloned from a person who consented.

Before anything is sent, the sample is checked: a format the vendor takes, no larger than it takes, no shorter
(and no longer) than its limits (MiniMax: 10 s to 5 min; ElevenLabs: filmcrew asks for 30 s, ElevenLabs
recommending 1-2 min; Volcengine: 10 MB, filmcrew asks for 10 s to 5 min), not silent (most of it must be voiced) and not clipped. Then it goes to the vendor that
clones (the character's own voice provider, or --provider: minimax-speech, elevenlabs, volcengine-speech: into a
speaker id ordered in its console, --voice-id S_...), the vendor's voice id is
bound to the character in story/bible.yaml, and story/cloned-voices.json records who gave the sample, the
consent in their words, the sample's SHA-256 and the vendor's voice id (provenance/cloned_voices.py). Every line
said in that voice names the person in its ledger entry, and `filmcrew disclose` lists the cloned voices."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..handoff.clone import CLONERS, check_sample, clone_voice  # noqa: F401 (check_sample: what callers used here)


def cmd_clone(a) -> int:
    out = clone_voice(Path(a.project), a.character, Path(a.sample), a.person, a.consent, dict(os.environ),
                      provider=a.provider, voice_id=a.voice_id, said=lambda text: print(text, file=sys.stderr))
    rec = out["record"]
    print(f"{rec['character']} now speaks with {rec['person']}'s cloned voice ({rec['provider']} voice "
          f"{rec['voice_id']}); the consent and the sample's SHA-256 are recorded in {out['where']}")
    for note in out["notes"]:
        print(f"note: {note}", file=sys.stderr)
    return 0


def register(sub) -> None:
    v = sub.add_parser("voice", help="voices of the characters: clone a person's voice, with their consent")
    vs = v.add_subparsers(dest="voice_cmd", required=True)
    c = vs.add_parser("clone", help="clone a person's voice (with their consent) for a character")
    c.add_argument("project")
    c.add_argument("character", help="the character, as in the bible")
    c.add_argument("sample", help="a recording of the person speaking (WAV, MP3, M4A; MiniMax 10 s to 5 min, "
                                  "ElevenLabs at least 30 s)")
    c.add_argument("--consent", required=True, help="the person's consent, in their words")
    c.add_argument("--person", required=True, help="who gave the sample")
    c.add_argument("--provider", choices=list(CLONERS),
                   help="the vendor that clones (default: the character's voice provider)")
    c.add_argument("--voice-id", help="the voice id to ask for (MiniMax; default from the sample's SHA-256), the "
                                      "voice's name (ElevenLabs), or the S_ speaker id ordered in Volcengine's "
                                      "console (required for volcengine-speech)")
    c.set_defaults(fn=cmd_clone)
