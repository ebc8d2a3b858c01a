"""People and the mail they get: the "your check is done" note, password resets by a one-time link.

A reset link's token is random; only its SHA-256 is kept, with the hour it works for. Asking for one answers the
same whether the address has an account or not. With e-mail set up (festival.toml's [smtp]) the link goes to the
address; without it the organiser makes the link on the jury page and passes it on (as with invitations).
"""

from __future__ import annotations

from . import accounts, db
from .accounts import Refusal, require_role
from .mail import MailError, address


class People:
    def __init__(self, fest):
        self.fest, self.t = fest, fest.t

    def link(self, path: str, base: str | None = None) -> str:
        base = (base or self.fest.public_url or "").rstrip("/")
        return base + path

    def mail(self, to: str, name: str, subject: str, body: str) -> None:
        """Send it (MailError when the server refuses); a festival with no [smtp] sends nothing."""
        if self.fest.mailer is not None:
            self.fest.mailer.send(address(name, to), subject, body)

    # ---- checks ------------------------------------------------------------------------------------------
    def check_done(self, check_id: int) -> bool:
        """Tell the entrant their film's check is done (whether it passed); whether a mail went."""
        if self.fest.mailer is None:
            return False
        sa = db._sa()
        ch, e, u = self.t["checks"], self.t["entries"], self.t["users"]
        with self.fest.engine.connect() as c:
            r = c.execute(sa.select(ch.c.state, ch.c.passed, ch.c.version, e.c.id, e.c.title, u.c.email, u.c.name)
                          .join(e, e.c.id == ch.c.entry_id).join(u, u.c.id == e.c.entrant_id)
                          .where(ch.c.id == check_id)).first()
        if r is None:
            return False
        verdict = ("it meets every rule the checker measures" if r.passed else
                   "some rules are not met: the page says which and why" if r.state == "done" else
                   "the check could not finish: the organiser has been shown this")
        self.mail(r.email, r.name, f"Your film's check is done: {r.title}",
                  f"Hello {r.name},\n\nthe check of \"{r.title}\" (version {r.version}) is done: {verdict}.\n\n"
                  f"{self.link(f'/entry?id={r.id}')}\n")
        return True

    # ---- password resets ---------------------------------------------------------------------------------
    def _new_reset(self, c, user_id: int) -> str:
        token = accounts.new_token()
        u = self.t["users"]
        c.execute(u.update().where(u.c.id == user_id).values(reset_hash=accounts.token_hash(token),
                                                             reset_until=accounts.now() + accounts.RESET_S))
        return token

    def ask_reset(self, email: str, base: str | None = None, ip: str = "") -> None:
        """Mail a one-time reset link to `email` if it has an account (the same answer either way)."""
        if self.fest.mailer is None:
            raise Refusal(409, "this festival sends no e-mail: ask the organiser for a password reset link")
        email = (email or "").strip().lower()
        if not accounts.EMAIL.match(email):
            raise Refusal(400, "e-mail: write the address you signed up with")
        self.fest.limit("reset", email)
        if ip:
            self.fest.limit("login-ip", ip)
        sa = db._sa()
        u = self.t["users"]
        with self.fest.engine.begin() as c:
            self.fest._count(c, "reset", email)
            row = c.execute(sa.select(u.c.id, u.c.name, u.c.password_hash).where(u.c.email == email)).first()
            token = self._new_reset(c, row.id) if row and row.password_hash else None
            if token:
                self.fest._audit(c, row.id, "password reset asked", {})
        if token:
            self.mail(email, row.name, "Your password reset link",
                      f"Hello {row.name},\n\nsomeone (you, we hope) asked to choose a new password for {email}. "
                      f"This link works once, for an hour:\n\n{self.link('/reset?token=' + token, base)}\n\n"
                      f"If it was not you, do nothing: your password stays as it is.\n")

    def reset_link_for(self, organiser: dict, email: str) -> str:
        """The organiser makes a reset link for someone (a festival without e-mail): its token, shown once."""
        require_role(organiser, "organiser")
        sa = db._sa()
        u = self.t["users"]
        email = (email or "").strip().lower()
        with self.fest.engine.begin() as c:
            row = c.execute(sa.select(u.c.id, u.c.password_hash).where(u.c.email == email)).first()
            if row is None or not row.password_hash:
                raise Refusal(404, "no account with that address has a password yet (an invited juror: send a new "
                                   "invitation instead)")
            token = self._new_reset(c, row.id)
            self.fest._audit(c, organiser["id"], "password reset link made", {"for": email})
        return token

    def reset_email(self, token: str) -> str | None:
        """The address a reset link is for, while it works (None: used, too old, or never made)."""
        sa = db._sa()
        u = self.t["users"]
        with self.fest.engine.connect() as c:
            return c.execute(sa.select(u.c.email).where(u.c.reset_hash == accounts.token_hash(token or ""),
                                                        u.c.reset_until > accounts.now())).scalar()

    def reset(self, token: str, password: str) -> str:
        """A new password by a reset link (once); every session of the account ends. The e-mail."""
        sa = db._sa()
        u, s = self.t["users"], self.t["sessions"]
        with self.fest.engine.begin() as c:
            row = c.execute(sa.select(u.c.id, u.c.email, u.c.name).where(
                u.c.reset_hash == accounts.token_hash(token or ""), u.c.reset_until > accounts.now())).first()
            if row is None:
                raise Refusal(404, "this reset link does not work (used already, more than an hour old, or "
                                   "mistyped): ask for a new one")
            accounts.check_new_account(row.email, row.name, password)
            c.execute(u.update().where(u.c.id == row.id).values(password_hash=accounts.hash_password(password),
                                                                reset_hash=None, reset_until=None))
            c.execute(s.delete().where(s.c.user_id == row.id))
            self.fest._audit(c, row.id, "password reset", {})
        return row.email

    # ---- signing certificates ----------------------------------------------------------------------------
    def certificate(self, user: dict, request_pem: bytes) -> bytes:
        """A C2PA signing certificate for this entrant, issued by the festival's own authority (keys/, made by
        `filmcrew festival keys`) for the public key of the certificate request they made on their own machine
        (`filmcrew keys request FILE.csr`): the chain only. The private key never comes here, so the festival
        never holds nor sends it (`filmcrew keys import CHAIN` pairs the chain with the key the request was made
        with). The certificate names the entrant as their account does, whatever the request asked. Films signed
        with it are "verified" at this festival."""
        require_role(user, "entrant", "organiser")
        from ..provenance import credentials
        keys = self.fest.folder / "keys"
        if not (keys / "ca.pem").is_file() or not (keys / "ca.key").is_file():
            raise Refusal(409, "this festival issues no signing certificates (its organiser has not run `filmcrew "
                               "festival keys`)")
        try:
            chain = credentials.issue_for_request((keys / "ca.pem").read_bytes(), (keys / "ca.key").read_bytes(),
                                                  request_pem, user["name"],
                                                  f"entrant of {self.fest.contest()['title'][:40]}", email=user["email"])
        except credentials.CredentialError as err:
            raise Refusal(400, f"certificate request: {err}") from None
        with self.fest.engine.begin() as c:
            self.fest._audit(c, user["id"], "signing certificate issued", {"email": user["email"]})
        return chain


def festival_keys(folder, force: bool = False) -> bool:
    """The festival's own certificate authority in FOLDER/keys (ca.pem; ca.key 0600): whether it was made now."""
    from pathlib import Path

    from ..provenance import credentials
    keys = Path(folder) / "keys"
    if (keys / "ca.pem").exists() and not force:
        return False
    keys.mkdir(parents=True, exist_ok=True)
    ca, ca_key = credentials.new_ca(f"{Path(folder).resolve().name} festival CA", "filmcrew festival signers")
    credentials._write_private(keys / "ca.key", ca_key)
    (keys / "ca.pem").write_bytes(ca)
    return True


__all__ = ["People", "MailError", "festival_keys"]
