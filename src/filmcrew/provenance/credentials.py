"""C2PA content credentials: keys, signing the final MP4 last, and reading a manifest back.

- `init_keys()` makes a local certificate authority and a signing certificate issued by it (ES256,
  P-256, digitalSignature + emailProtection, as the C2PA library requires; it rejects a self-signed
  leaf). They live in `$FILMCREW_HOME/keys` (default `~/.config/filmcrew/keys`), the private keys with
  mode 0600; never in a project, the cache or an export. A user's own certificate chain and key can be
  named instead with FILMCREW_SIGN_CERT and FILMCREW_SIGN_KEY (paths).
- `sign()` builds the manifest from the ledger: `c2pa.created` with the honest digital source type
  of the whole, one `c2pa.placed` per generated shot (its clip, or the segment that drew it, as a `componentOf` ingredient),
  `c2pa.edited` for human contributions, and the AI-share figures as an `org.filmcrew.ai_share`
  assertion. It runs after the AIGC tag is written (signing keeps that tag and the front-loaded moov).
- `verify()` reads a file with the C2PA library: manifest present, integrity valid, first action.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from .. import __version__, ledger
from ..errors import FilmcrewError

SHARE_LABEL = "org.filmcrew.ai_share"


class CredentialError(FilmcrewError):
    """Signing or reading content credentials failed."""


def _c2pa():
    try:
        import c2pa
    except ImportError as err:
        raise CredentialError("C2PA needs the c2pa-python package: pip install c2pa-python "
                              "(a default dependency of filmcrew; reinstall filmcrew)") from err
    return c2pa


def keys_dir() -> Path:
    return Path(os.environ.get("FILMCREW_HOME", Path.home() / ".config" / "filmcrew")) / "keys"


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def new_ca(name: str, organisation: str = "filmcrew (local, not publicly trusted)", days: int = 3650) -> tuple[bytes, bytes]:
    """A certificate authority that may issue C2PA signing certificates: (its certificate, its private key), PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=days))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return ca.public_bytes(pem), ca_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption())


def issue_signer(ca_pem: bytes, ca_key_pem: bytes, name: str, organisation: str = "filmcrew creator",
                 email: str | None = None, days: int = 730) -> tuple[bytes, bytes]:
    """A C2PA signing certificate issued by the CA (ES256, P-256, digitalSignature + emailProtection, as the C2PA
    library requires): (the chain, leaf first then the CA; the leaf's private key), PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    chain = _issue(ca_pem, ca_key_pem, key.public_key(), name, organisation, email, days)
    return chain, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())


def new_request(name: str) -> tuple[bytes, bytes]:
    """A certificate signing request (PKCS #10) for a C2PA signer and its private key (P-256), PEM: the key stays
    where it was made; only the request goes to the authority (a festival) that issues the certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[:64] or "filmcrew creator")]))
           .sign(key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return csr.public_bytes(pem), key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def issue_for_request(ca_pem: bytes, ca_key_pem: bytes, request_pem: bytes, name: str,
                      organisation: str = "filmcrew creator", email: str | None = None, days: int = 730) -> bytes:
    """The chain (leaf first, then the CA), PEM, of a C2PA signing certificate for the public key of a certificate
    signing request made where its private key stays (`filmcrew keys request`). The authority names the signer
    (`name`, `email`): the request's own subject is not copied. A request that is not PEM PKCS #10, whose signature
    does not verify (its maker does not hold the key), or whose key is not P-256 (C2PA's ES256) is refused."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    text = request_pem.decode("ascii", errors="replace") if isinstance(request_pem, bytes) else str(request_pem)
    import re
    block = re.search(r"-----BEGIN ((?:NEW )?)CERTIFICATE REQUEST-----.+?-----END \1CERTIFICATE REQUEST-----", text, re.S)
    if not block:
        raise CredentialError("not a certificate request (-----BEGIN CERTIFICATE REQUEST-----): make one with "
                              "`filmcrew keys request FILE.csr` and send that file")
    try:
        csr = x509.load_pem_x509_csr(block.group(0).encode("ascii"))
    except ValueError:
        raise CredentialError("the certificate request cannot be read (cut short or changed?): make it again with "
                              "`filmcrew keys request FILE.csr`") from None
    if not csr.is_signature_valid:
        raise CredentialError("the certificate request's signature does not verify: it was not made with the key it "
                              "names; make it again with `filmcrew keys request FILE.csr`")
    public = csr.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        raise CredentialError("the certificate request's key is not P-256, the only key C2PA's ES256 signs with; "
                              "make it with `filmcrew keys request FILE.csr`")
    return _issue(ca_pem, ca_key_pem, public, name, organisation, email, days)


def _issue(ca_pem: bytes, ca_key_pem: bytes, public_key, name: str, organisation: str, email: str | None,
           days: int) -> bytes:
    """The chain, PEM, of a C2PA signer's certificate for `public_key`, issued by the CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca = x509.load_pem_x509_certificate(ca_pem)
    ca_key = serialization.load_pem_private_key(ca_key_pem, password=None)
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)]
    if email:
        subject.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name(subject))
            .issuer_name(ca.subject).public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return leaf.public_bytes(pem) + ca.public_bytes(pem)


def request_signer(name: str, out: Path, force: bool = False) -> Path:
    """Make a signing key here (keys_dir()/request.key, 0600) and write its certificate request to `out` (the
    file a festival's page takes); `filmcrew keys import CHAIN` then pairs the chain it issues with that key.
    Returns the key's path."""
    d = keys_dir()
    key_path = d / "request.key"
    if key_path.exists() and not force:
        raise CredentialError(f"{key_path}: a request is already waiting for its certificate; import the certificate "
                              f"issued for it (`filmcrew keys import CHAIN`), or --force to make a new request")
    csr, key = new_request(name)
    d.mkdir(parents=True, exist_ok=True)
    _write_private(key_path, key)
    Path(out).write_bytes(csr)
    return key_path


def init_keys(name: str = "filmcrew creator", force: bool = False) -> Path:
    """Create a local CA and a C2PA signing certificate issued by it. Returns the keys folder."""
    d = keys_dir()
    if (d / "signer.pem").exists() and not force:
        return d
    d.mkdir(parents=True, exist_ok=True)
    ca, ca_key = new_ca(f"{name} local CA")
    chain, key = issue_signer(ca, ca_key, name)
    _write_private(d / "ca.key", ca_key)
    _write_private(d / "signer.key", key)
    (d / "ca.pem").write_bytes(ca)
    (d / "signer.pem").write_bytes(chain)  # the chain, leaf first
    return d


def import_signer(cert: Path, key: Path | None = None, force: bool = False) -> Path:
    """Install a signing certificate chain (leaf first; a festival issues one) and its private key where filmcrew
    signs from (keys_dir(): signer.pem, signer.key 0600). The key must be the leaf's, the leaf must be a C2PA
    signer (digitalSignature, not a CA) and not expired; keys already there are kept in keys/replaced-TIME/ when
    `force`, else refused. Returns the keys folder."""
    import re
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    pending = keys_dir() / "request.key"  # made by `filmcrew keys request`, for the chain a festival issued
    if key is None:
        if not pending.is_file():
            raise CredentialError(f"{cert}: give its private key too (`filmcrew keys import CHAIN KEY`); no request "
                                  f"made here is waiting ({pending})")
        key = pending
    cert_text = Path(cert).read_text(encoding="ascii", errors="replace")
    key_text = Path(key).read_text(encoding="ascii", errors="replace")
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", cert_text, re.S)
    if not blocks:
        raise CredentialError(f"{cert}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it")
    found = re.search(r"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.+?-----END \1PRIVATE KEY-----", key_text, re.S)
    if not found:
        raise CredentialError(f"{key}: no PEM private key (-----BEGIN PRIVATE KEY-----) in it")
    try:
        chain = [x509.load_pem_x509_certificate(b.encode()) for b in blocks]
        private = serialization.load_pem_private_key(found.group(0).encode(), password=None)
    except (ValueError, TypeError) as err:
        raise CredentialError(f"{cert} / {key}: not a certificate and key filmcrew can read ({err})") from None
    leaf = chain[0]
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if leaf.public_key().public_bytes(der, pub) != private.public_key().public_bytes(der, pub):
        raise CredentialError(f"{key}: this private key is not the certificate's (the first certificate in {cert})")
    try:
        basic = leaf.extensions.get_extension_for_class(x509.BasicConstraints).value
        if basic.ca:
            raise CredentialError(f"{cert}: its first certificate is a certificate authority, not a signer")
    except x509.ExtensionNotFound:
        pass
    now = dt.datetime.now(dt.timezone.utc)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise CredentialError(f"{cert}: the certificate is not valid now ({leaf.not_valid_before_utc:%Y-%m-%d} to "
                              f"{leaf.not_valid_after_utc:%Y-%m-%d})")
    d = keys_dir()
    d.mkdir(parents=True, exist_ok=True)
    if (d / "signer.pem").exists():
        if not force:
            raise CredentialError(f"{d} has a signing certificate already; --force keeps it in {d}/replaced-TIME/ "
                                  f"and installs this one")
        old = d / f"replaced-{now:%Y%m%d-%H%M%S}"
        old.mkdir()
        for name in ("signer.pem", "signer.key"):
            if (d / name).exists():
                os.replace(d / name, old / name)
    pem = serialization.Encoding.PEM
    _write_private(d / "signer.key", private.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    (d / "signer.pem").write_bytes(b"".join(c.public_bytes(pem) for c in chain))
    if Path(key).resolve() == pending.resolve():
        pending.unlink()  # installed as signer.key
    return d


def _signer_files() -> tuple[Path, Path, bool]:
    cert, key = os.environ.get("FILMCREW_SIGN_CERT"), os.environ.get("FILMCREW_SIGN_KEY")
    if cert or key:
        if not (cert and key) or not Path(cert).exists() or not Path(key).exists():
            raise CredentialError("FILMCREW_SIGN_CERT and FILMCREW_SIGN_KEY must both name existing PEM files "
                                  "(the certificate chain, leaf first, and its private key)")
        return Path(cert), Path(key), False
    d = keys_dir()
    if not (d / "signer.pem").exists():
        raise CredentialError(f"no signing certificate in {d}: run `filmcrew keys init` (or set FILMCREW_SIGN_CERT and "
                              f"FILMCREW_SIGN_KEY)")
    return d / "signer.pem", d / "signer.key", True


def manifest_definition(title: str, records: list[dict], figures: dict) -> tuple[dict, list[tuple[dict, Path]]]:
    """The manifest and its ingredients (shot clips, or the segments that drew them), from the episode's ledger
    records."""
    types = {r["ledger"].get("digital_source_type") for r in records}
    human = [r for r in records if r["ledger"].get("digital_source_type") in (ledger.CAPTURE, ledger.HUMAN_CREATION,
                                                                             ledger.HUMAN_EDITS)]
    if ledger.TRAINED in types:
        whole = ledger.COMPOSITE_TRAINED
    elif types <= {ledger.ALGORITHMIC, None} or not human:
        whole = ledger.ALGORITHMIC
    else:
        whole = ledger.HUMAN_EDITS
    actions = [{"action": "c2pa.created", "digitalSourceType": ledger.IPTC + whole,
                "softwareAgent": {"name": "filmcrew", "version": __version__},
                "description": "assembled by filmcrew from the shots, voices, score and effects in its ledger"}]
    ingredients = []
    for r in records:
        drawn = r["ledger"].get("drawn")  # a shot whose segment drew its frames (crew/animator.Picture): the segment
        if (r["role"] == "animator" or drawn) and r.get("path"):
            src = r["ledger"].get("digital_source_type", ledger.ALGORITHMIC)
            label = r["artifact"].replace(".", "-")
            ingredients.append(({"title": r["artifact"], "relationship": "componentOf", "label": label,
                                 "format": "video/mp4"}, Path(r["path"])))
            agent = ({"name": drawn["by"], "version": str(drawn.get("version", ""))} if drawn else
                     {"name": r["provider"]["name"], "version": str(r["provider"]["version"])})
            actions.append({"action": "c2pa.placed", "digitalSourceType": ledger.IPTC + src,
                            "parameters": {"ingredientIds": [label]}, "softwareAgent": agent})
    for r in human:
        actions.append({"action": "c2pa.edited", "digitalSourceType": ledger.IPTC + r["ledger"]["digital_source_type"],
                        "description": f"{r['artifact']}: {r['ledger'].get('prompt') or 'human contribution'}"})
    manifest = {"claim_generator_info": [{"name": "filmcrew", "version": __version__}], "title": title,
                "format": "video/mp4",
                "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": actions}},
                               {"label": SHARE_LABEL, "data": figures}]}
    return manifest, ingredients


def sign(src: Path, dst: Path, manifest: dict, ingredients: list[tuple[dict, Path]]) -> None:
    """Sign `src` into `dst` (a new file, atomically renamed into place by the caller)."""
    c2pa = _c2pa()
    cert, key, local = _signer_files()
    info = c2pa.C2paSignerInfo(alg="es256", sign_cert=cert.read_bytes(), private_key=key.read_bytes(), ta_url=None)
    try:
        signer = c2pa.Signer.from_info(info)
        builder = c2pa.Builder(manifest)
        for ing, path in ingredients:
            with open(path, "rb") as f:
                builder.add_ingredient(ing, "video/mp4", f)
        with open(src, "rb") as s, open(dst, "wb") as d:
            builder.sign(signer, "video/mp4", s, d)
    except c2pa.C2paError as err:
        raise CredentialError(f"{src}: C2PA signing failed: {err}") from None


def signer_id() -> str:
    """The SHA-256 of the signing certificate chain (public; a new certificate means signing anew)."""
    import hashlib
    cert, _, _ = _signer_files()
    return hashlib.sha256(cert.read_bytes()).hexdigest()


def read_manifest(path: Path, trust_anchors: str | None = None) -> dict | None:
    """The C2PA manifest store of `path` (None when it has none), validated against the file's bytes; with
    `trust_anchors` (PEM certificates of the certificate authorities a contest trusts) the signer's chain is
    validated too, and the store's `validation_state` says "Trusted" only for a signer those authorities issued."""
    c2pa = _c2pa()
    try:
        with open(path, "rb") as f:
            if trust_anchors:
                settings = c2pa.Settings.from_dict({"trust": {"trust_anchors": trust_anchors},
                                                    "verify": {"verify_trust": True}})
                reader = c2pa.Reader("video/mp4", f, None, c2pa.Context(settings=settings))
            else:
                reader = c2pa.Reader("video/mp4", f)
            return json.loads(reader.json())
    except c2pa.C2paError as err:
        if "ManifestNotFound" in type(err).__name__ or "not found" in str(err).lower() or "JumbfNotFound" in str(err):
            return None
        raise CredentialError(f"{path}: the C2PA manifest cannot be read: {err}") from None


def _active(store: dict) -> dict:
    return store.get("manifests", {}).get(store.get("active_manifest", ""), {})


def verify(path: Path) -> dict:
    """{"valid": bool, "detail": str, "first_action": str}: a manifest is there and its integrity holds."""
    return verify_manifest(read_manifest(path))


def verify_manifest(store: dict | None) -> dict:
    """`verify` on a manifest store already read with `read_manifest` (reading one validates the whole file)."""
    if not store:
        return {"valid": False, "first_action": "", "detail": "no C2PA manifest (a remux after signing removes it)"}
    m = _active(store)
    actions = []
    for a in m.get("assertions", []):
        if a.get("label", "").startswith("c2pa.actions"):
            actions += a.get("data", {}).get("actions", [])
    first = actions[0]["action"] if actions else ""
    problems = [s for s in store.get("validation_status", []) if not str(s.get("code", "")).startswith("signingCredential.untrusted")]
    results = store.get("validation_results", {}).get("activeManifest", {})
    failures = [s for s in results.get("failure", []) if not str(s.get("code", "")).startswith("signingCredential.untrusted")]
    bad = list({(s.get("code"), s.get("explanation", "")): s for s in problems + failures}.values())  # once each
    untrusted = any(str(s.get("code", "")).startswith("signingCredential.untrusted")
                    for s in store.get("validation_status", []) + results.get("failure", []))
    ok = not bad and first in ("c2pa.created", "c2pa.opened")
    signer = m.get("signature_info", {}).get("common_name") or m.get("signature_info", {}).get("issuer", "?")
    detail = (f"manifest valid, first action {first}, signed by {signer}"
              + (" (certificate not on a public trust list)" if untrusted else "")) if ok else \
        ("manifest invalid: " + "; ".join(f"{s.get('code')}: {s.get('explanation', '')}" for s in bad[:3])
         if bad else f"first action is {first or 'missing'}, not c2pa.created or c2pa.opened")
    return {"valid": ok, "first_action": first, "detail": detail}


def signer_name(store: dict) -> str:
    info = _active(store).get("signature_info", {}) if store else {}
    return info.get("common_name") or info.get("issuer") or "an unnamed signer"


def ai_share_from_manifest(path: Path) -> dict | None:
    return share_in_manifest(read_manifest(path))


def share_in_manifest(store: dict | None) -> dict | None:
    """The AI-share figures of a manifest store already read with `read_manifest`."""
    if not store:
        return None
    for a in _active(store).get("assertions", []):
        if a.get("label") == SHARE_LABEL:
            return a.get("data")
    return None


__all__ = ["init_keys", "new_ca", "issue_signer", "import_signer", "sign", "verify", "verify_manifest", "read_manifest", "ai_share_from_manifest",
           "share_in_manifest", "manifest_definition", "keys_dir", "signer_name"]
