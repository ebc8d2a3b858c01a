"""The festival's e-mail: invitations, "your check is done", password resets, through the SMTP server named in
festival.toml's [smtp] table:

    [smtp]
    host = "smtp.example.org"
    port = 587
    from = "Festival <festival@example.org>"
    starttls = true                      # (port 465: implicit TLS, `tls = true`)
    user = "festival@example.org"        # optional
    password_env = "FESTIVAL_SMTP_PASSWORD"   # the password only ever from this environment variable

With no [smtp] table the festival sends nothing: the organiser's pages show the links to pass on instead.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from ..errors import ConfigError, FilmcrewError

KEYS = {"host", "port", "from", "starttls", "tls", "user", "password_env", "timeout"}


class MailError(FilmcrewError):
    """An e-mail could not be sent (the server refused it or could not be reached)."""


class Mailer:
    def __init__(self, host: str, port: int, sender: str, starttls: bool = False, tls: bool = False,
                 user: str = "", password: str = "", timeout: float = 20.0):
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.tls, self.user, self.password, self.timeout = starttls, tls, user, password, timeout

    @staticmethod
    def from_config(conf: dict, where: str = "festival.toml") -> "Mailer | None":
        """The mailer festival.toml's [smtp] table describes (None: no table, no e-mail)."""
        smtp = conf.get("smtp")
        if smtp is None:
            return None
        if not isinstance(smtp, dict):
            raise ConfigError(f"{where}: [smtp] is a table (host, port, from, starttls, user, password_env)")
        bad = set(smtp) - KEYS
        if bad:
            raise ConfigError(f"{where}: [smtp] {', '.join(sorted(bad))}: not a setting (known: {', '.join(sorted(KEYS))};"
                              f" a password is never written here: name its variable in password_env)")
        host, port, sender = smtp.get("host"), smtp.get("port", 587), smtp.get("from")
        if not isinstance(host, str) or not host or not isinstance(sender, str) or "@" not in sender:
            raise ConfigError(f"{where}: [smtp] needs host = \"smtp.example.org\" and from = \"festival@example.org\"")
        if not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigError(f"{where}: [smtp] port is a number from 1 to 65535")
        password = ""
        env = smtp.get("password_env")
        if env:
            if not isinstance(env, str) or env not in os.environ:
                raise ConfigError(f"{where}: [smtp] password_env names {env!r}, which is not set in the environment")
            password = os.environ[env]
        return Mailer(host, port, sender, bool(smtp.get("starttls", False)), bool(smtp.get("tls", False)),
                      str(smtp.get("user") or ""), password, float(smtp.get("timeout", 20.0)))

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg["Message-ID"] = make_msgid(domain=self.sender.rsplit("@", 1)[-1].strip("> "))
        msg.set_content(body)
        try:
            cls = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
            kw = {"context": ssl.create_default_context()} if self.tls else {}
            with cls(self.host, self.port, timeout=self.timeout, **kw) as s:
                if self.starttls:
                    s.starttls(context=ssl.create_default_context())
                if self.user:
                    s.login(self.user, self.password)
                s.send_message(msg)
        except (OSError, smtplib.SMTPException) as err:
            raise MailError(f"the e-mail to {to} was not sent ({type(err).__name__}: {err}); pass the link on "
                            f"yourself") from None


def address(name: str, email: str) -> str:
    return formataddr((name, email))
