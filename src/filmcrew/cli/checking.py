"""`filmcrew check`, `disclose` and `keys`: labels, credentials and the AI share, for organisers and creators."""

from __future__ import annotations

from pathlib import Path

from .. import project
from ..errors import FilmcrewError


def cmd_check(a) -> int:
    from ..provenance import check
    if not Path(a.file).is_file():
        raise FilmcrewError(f"{a.file}: no such file" + (" (it is a folder)" if Path(a.file).is_dir() else ""))
    profile = check.load_profile(a.profile, path=True) if a.profile else check.load_profile(a.contest or "delivery")
    anchors = []
    for f in getattr(a, "trust", None) or []:
        try:
            text = Path(f).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as err:
            raise FilmcrewError(f"--trust {f}: cannot be read as a PEM certificate ({type(err).__name__})") from None
        if "-----BEGIN CERTIFICATE-----" not in text:
            raise FilmcrewError(f"--trust {f}: not a PEM certificate (-----BEGIN CERTIFICATE-----); give the CA "
                                f"certificate of the signers you trust, such as ~/.config/filmcrew/keys/ca.pem")
        anchors.append(text.strip())
    findings = check.run(Path(a.file), profile, decode=not a.no_decode, trust_anchors="\n".join(anchors) or None)
    print(check.report_json(Path(a.file), profile, findings) if a.json else check.report_text(Path(a.file), profile, findings))
    return 0 if check.passed(findings) else 1


def cmd_disclose(a) -> int:
    from ..provenance import disclose
    for p in disclose.write(Path(a.project), project.load_config(Path(a.project))):
        print(f"wrote {p}")
    return 0


def cmd_keys(a) -> int:
    from ..provenance import credentials
    existed = (credentials.keys_dir() / "signer.pem").exists()
    d = credentials.init_keys(name=a.name, force=a.force)
    if existed and not a.force:
        print(f"a signing certificate already exists in {d} (use --force to replace it)")
    else:
        print(f"created a local CA and a C2PA signing certificate in {d}\n"
              f"  {d / 'signer.pem'} (chain, leaf first), {d / 'signer.key'} (mode 0600), {d / 'ca.pem'}\n"
              f"  not publicly trusted: verifiers show 'untrusted signer' unless they add ca.pem to their trust list")
    return 0


def cmd_keys_request(a) -> int:
    from ..provenance import credentials
    key = credentials.request_signer(a.name, Path(a.file), force=a.force)
    print(f"made a signing key here ({key}, mode 0600; it never leaves this machine) and its certificate request "
          f"{a.file}: send the request to the festival (its page 'My films'), then install the certificate it "
          f"issues with: filmcrew keys import festival-signer.pem")
    return 0


def cmd_keys_import(a) -> int:
    from ..provenance import credentials
    for f in (a.cert, a.key):
        if f is not None and not Path(f).is_file():
            raise FilmcrewError(f"{f}: no such file")
    d = credentials.import_signer(Path(a.cert), Path(a.key) if a.key else None, force=a.force)
    print(f"installed the signing certificate in {d} (signer.pem, signer.key mode 0600): filmcrew signs the films "
          f"it makes with it from now on (a film made before keeps its old signature until it is made again)")
    return 0


def register(sub) -> None:
    ck = sub.add_parser("check", help="check an MP4 against a contest or platform (any MP4, not only filmcrew's)")
    ck.add_argument("file")
    ck.add_argument("--contest", help="iqiyi-2025, runway-aiff, project-odyssey, douyin, youtube-shorts, delivery, "
                                      "or a profile of your own")
    ck.add_argument("--profile", help="a profile JSON file")
    ck.add_argument("--json", action="store_true", help="the report as JSON")
    ck.add_argument("--trust", action="append", metavar="CA.pem",
                    help="a certificate authority whose signers' C2PA manifests make the AI share 'verified' (may be "
                         "given again); without it a signed share is 'declared', the maker's word")
    ck.add_argument("--no-decode", action="store_true",
                    help="skip decoding the whole file (the sample index is still checked against the file)")
    ck.set_defaults(fn=cmd_check)
    dc = sub.add_parser("disclose", help="write the AI-use disclosure pack (Markdown and JSON) to out/")
    dc.add_argument("project")
    dc.set_defaults(fn=cmd_disclose)
    ky = sub.add_parser("keys", help="content-credential keys")
    kys = ky.add_subparsers(dest="keys_cmd", required=True)
    ki = kys.add_parser("init", help="create a local CA and a C2PA signing certificate")
    ki.add_argument("--name", default="filmcrew creator", help="the signer's name in the certificate")
    ki.add_argument("--force", action="store_true", help="replace existing keys")
    ki.set_defaults(fn=cmd_keys)
    kim = kys.add_parser("import", help="install a signing certificate someone issued you (a festival's), and its key")
    kim.add_argument("cert", help="the certificate chain, PEM, leaf first (signer.pem)")
    kim.add_argument("key", nargs="?", help="its private key, PEM (signer.key; may be the same file as the chain); "
                                            "left out: the key `filmcrew keys request` made here")
    kim.add_argument("--force", action="store_true", help="replace the keys there (the old ones are kept in "
                                                          "keys/replaced-TIME/)")
    kim.set_defaults(fn=cmd_keys_import)
    krq = kys.add_parser("request", help="make a signing key here and a certificate request for a festival to sign "
                                         "(the key never leaves this machine)")
    krq.add_argument("file", help="where the request goes (a .csr file to send)")
    krq.add_argument("--name", default="filmcrew creator", help="your name, as you ask it in the certificate")
    krq.add_argument("--force", action="store_true", help="make a new request though one is waiting")
    krq.set_defaults(fn=cmd_keys_request)
