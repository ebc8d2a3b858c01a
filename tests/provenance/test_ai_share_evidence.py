"""The AI share has evidence, and says which (issue 31): `filmcrew check` counts a share only when it is this film's,
and says whether a trusted signature stands behind it ("verified"), only the maker's word ("declared"), or nothing
("none"). The attack this stops: a plain video sent with a hand-written provenance file claiming 99% AI."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from filmcrew.cli import main
from filmcrew.media import ffmpeg
from filmcrew.provenance import check, credentials

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """A plain H.264/AAC video made by ffmpeg alone: nothing in it is AI-made (small and short: only its AI share is
    looked at here)."""
    out = tmp_path_factory.mktemp("plain") / "plain.mp4"
    subprocess.run([ffmpeg.executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=360x640:d=6:r=30", "-f",
                    "lavfi", "-i", "sine=d=6:sample_rate=48000", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt",
                    "yuv420p", "-c:a", "aac", "-movflags", "+faststart", "-shortest", str(out)], check=True)
    return out


def share(findings) -> check.Finding:
    return next(f for f in findings if f.check == "ai_share")


def test_a_hand_written_provenance_file_beside_a_plain_video_is_no_evidence(plain, capsys):
    side = plain.with_name("plain.provenance.json")
    side.write_text(json.dumps({"ai_share": {"ai_share": {"generated": 0.99, "trained": 0.99}}}))  # the attack, as sent
    f = share(check.run(plain, check.load_profile("iqiyi-2025"), decode=False))
    assert f.status == "fail" and f.evidence == "none" and "not this film's" in f.detail and f.value is None
    # a file naming another film's SHA-256
    side.write_text(json.dumps({"sha256": "0" * 64, "ai_share": {"ai_share": {"generated": 0.99, "trained": 0.99}}}))
    f = share(check.run(plain, check.load_profile("iqiyi-2025"), decode=False))
    assert f.status == "fail" and f.evidence == "none" and "another file's SHA-256" in f.detail
    # naming this film's SHA-256, it is the maker's word: declared, which iqiyi-2025 accepts (as the real contest did)
    side.write_text(json.dumps({"sha256": check.sha256(plain), "ai_share": {"ai_share": {"generated": 0.99,
                                                                                         "trained": 0.2}}}))
    f = share(check.run(plain, check.load_profile("iqiyi-2025"), decode=False))
    assert f.status == "pass" and f.evidence == "declared" and "the maker's word" in f.detail
    # a profile that asks for verified evidence fails it
    strict = {**check.load_profile("iqiyi-2025"), "ai_share_evidence": "verified"}
    f = share(check.run(plain, strict, decode=False))
    assert f.status == "fail" and f.evidence == "declared" and "verified by a signature" in f.detail
    side.unlink()
    assert main(["check", str(plain), "--contest", "iqiyi-2025", "--no-decode", "--json"]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert next(c for c in rep["checks"] if c["check"] == "ai_share")["evidence"] == "none"


def test_a_filmcrew_film_is_verified_with_its_signer_on_the_trust_list_and_declared_without(small_film, tmp_path, capsys):
    film = tmp_path / "ep01.preview.mp4"
    shutil.copy(small_film / "out" / "ep01.preview.mp4", film)  # (no provenance file beside it: the manifest alone)
    ca = credentials.keys_dir() / "ca.pem"
    prof = {**check.load_profile("iqiyi-2025"), "duration_s": [1, 300]}  # (the small film is shorter than a minute)
    f = share(check.run(film, prof, decode=False))
    assert f.evidence == "declared" and "on no trust list given" in f.detail and f.value >= 0.7
    f = share(check.run(film, prof, decode=False, trust_anchors=ca.read_text()))
    assert f.status == "pass" and f.evidence == "verified" and "on the trust list" in f.detail
    # another authority's list: not verified
    other = tmp_path / "other"
    other.mkdir()
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    import datetime
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "another contest's CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    f = share(check.run(film, prof, decode=False, trust_anchors=pem))
    assert f.evidence == "declared" and "not on the trust list" in f.detail
    # the command line's --trust
    (other / "ca.pem").write_text(pem)
    main(["check", str(film), "--profile", str(_write(tmp_path / "p.json", prof)), "--no-decode", "--json",
          "--trust", str(ca)])
    rep = json.loads(capsys.readouterr().out)
    assert next(c for c in rep["checks"] if c["check"] == "ai_share")["evidence"] == "verified"
    assert main(["check", str(film), "--no-decode", "--trust", str(tmp_path / "p.json")]) == 2
    assert "not a PEM certificate" in capsys.readouterr().err


def _write(p, data):
    p.write_text(json.dumps(data))
    return p
