"""Films arriving: an upload in resumable pieces, appended where the last one ended, checked to be MP4 by its
bytes and stored by its SHA-256 (films/ab/SHA.mp4), with the provenance file beside it by its own SHA-256.
A mixin of core.Festival (it uses the festival's engine, tables and folders)."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path

from ..engine import atomic
from . import accounts, db
from .accounts import Refusal, require_role

MP4_BRANDS = (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"qt  ", b"MSNV")
MAX_PROVENANCE = 2 * 1024 * 1024


def film_file(folder: Path, sha: str) -> Path:
    """Where the festival in `folder` keeps the film whose SHA-256 is `sha`."""
    return Path(folder) / "films" / sha[:2] / f"{sha}.mp4"


def provenance_file(folder: Path, sha: str) -> Path:
    """Where it keeps the provenance file whose SHA-256 is `sha` (beside the films, by its own content)."""
    return Path(folder) / "films" / sha[:2] / f"{sha}.json"


class Films:
    folder: Path
    films: Path
    uploads: Path
    _guard: threading.Lock
    _piece_locks: dict

    # ---- films: pieces in, one stored file by content ------------------------------------------------------
    def film_path(self, sha: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha or ""):
            raise Refusal(400, "not a film's SHA-256")
        return film_file(self.folder, sha)

    def start_upload(self, user: dict, cid: int, size: int) -> str:
        """A new upload of `size` bytes for contest `cid` (its id for the pieces); Refusal past the deadline, over
        the contest's size limit or past the upload rate limit."""
        require_role(user, "entrant")
        con = self.contest(cid)
        if not self._reopened(user, cid):  # (an entry the organiser reopened takes its new version after the deadline)
            _open(con)
        if not isinstance(size, int) or size <= 0:
            raise Refusal(400, "size: the film's size in bytes")
        if size > con["max_bytes"]:
            raise Refusal(413, f"the film is {size / 2**20:.0f} MB; this contest takes films up to "
                               f"{con['max_bytes'] / 2**20:.0f} MB")
        self.limit("upload", str(user["id"]))
        uid = accounts.new_token()
        with self.engine.begin() as c:
            c.execute(self.t["uploads"].insert().values(id=uid, user_id=user["id"], contest_id=cid, size=size,
                                                        received=0, created_at=accounts.now()))
            self._count(c, "upload", str(user["id"]))
        self.uploads.mkdir(exist_ok=True)
        (self.uploads / f"{uid}.part").touch()
        return uid

    def upload(self, user: dict, uid: str) -> dict:
        """An upload of this user's ({id, size, received, sha}); Refusal (404) for anyone else's."""
        sa = db._sa()
        up = self.t["uploads"]
        if not re.fullmatch(r"[A-Za-z0-9_-]{43}", uid or ""):
            raise Refusal(404, "no such upload")
        with self.engine.connect() as c:
            row = c.execute(sa.select(up).where(up.c.id == uid, up.c.user_id == user["id"])).mappings().first()
        if row is None:
            raise Refusal(404, "no such upload")
        return dict(row)

    def put_piece(self, user: dict, uid: str, offset: int, stream, length: int, chunk: int = 1 << 20) -> dict:
        """Append `length` bytes read from `stream` at `offset` (it must be what was received so far: a piece
        sent again after a lost answer is refused with where to go on from). When the film is whole it is
        checked to be an MP4 by its bytes, stored by its SHA-256 and the upload says so (`sha`)."""
        self.upload(user, uid)
        with self._guard:
            lock = self._piece_locks.setdefault(uid, threading.Lock())
        with lock:
            return self._put_piece(user, uid, offset, stream, length, chunk)

    def _put_piece(self, user: dict, uid: str, offset: int, stream, length: int, chunk: int) -> dict:
        row = self.upload(user, uid)
        if row["sha"]:
            return row
        if offset != row["received"]:
            raise Refusal(409, f"this upload has {row['received']} bytes; send from there", retry_after=None)
        if length <= 0 or offset + length > row["size"]:
            raise Refusal(400, f"a piece must fit the film's {row['size']} bytes (this one ends at {offset + length})")
        part = self.uploads / f"{uid}.part"
        with open(part, "r+b") as fh:
            fh.seek(offset)
            fh.truncate()
            left = length
            while left:
                block = stream.read(min(chunk, left))
                if not block:
                    break
                fh.write(block)
                left -= len(block)
            fh.flush()
            os.fsync(fh.fileno())
            got = fh.tell()
        with self.engine.begin() as c:
            c.execute(self.t["uploads"].update().where(self.t["uploads"].c.id == uid).values(received=got))
        if left:
            raise Refusal(400, f"the piece ended early ({length - left} of {length} bytes); send from {got}")
        row["received"] = got
        if got == row["size"]:
            row["sha"] = self._keep_film(uid, part)
        return row

    def _keep_film(self, uid: str, part: Path) -> str:
        with open(part, "rb") as fh:
            head = fh.read(12)
        if len(head) < 12 or head[4:8] != b"ftyp" or head[8:12] not in MP4_BRANDS:
            part.unlink(missing_ok=True)
            with self.engine.begin() as c:
                c.execute(self.t["uploads"].delete().where(self.t["uploads"].c.id == uid))
            what = ("a WebM or Matroska file" if head[:4] == b"\x1a\x45\xdf\xa3" else
                    "a PNG picture" if head[:4] == b"\x89PNG" else "not a video file this contest reads")
            raise Refusal(415, f"the file is not an MP4 ({what}): export the film as MP4 (H.264 and AAC) and send "
                               f"it again")
        from ..engine.store import sha256
        sha = sha256(part)
        dest = self.film_path(sha)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            part.unlink()
        else:
            os.replace(part, dest)
        with self.engine.begin() as c:
            c.execute(self.t["uploads"].update().where(self.t["uploads"].c.id == uid).values(sha=sha))
        return sha

    def sweep_uploads(self, older_than_s: float = 7 * 86400) -> int:
        """Forget uploads begun more than `older_than_s` ago and never submitted (their pieces on disk too); how
        many. (A whole film already stored stays: another entry may be the same film.)"""
        sa = db._sa()
        up = self.t["uploads"]
        with self.engine.begin() as c:
            old = [r.id for r in c.execute(sa.select(up.c.id).where(up.c.created_at < accounts.now() - older_than_s))]
            if old:
                c.execute(up.delete().where(up.c.id.in_(old)))
        for uid in old:
            (self.uploads / f"{uid}.part").unlink(missing_ok=True)
        return len(old)

    def _keep_provenance(self, data: bytes) -> str:
        import hashlib
        if len(data) > MAX_PROVENANCE:
            raise Refusal(413, f"the provenance file is over {MAX_PROVENANCE // 2**20} MB")
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise Refusal(400, f"the provenance file is not JSON ({err}); send the NAME.provenance.json filmcrew "
                               f"wrote beside the film, or none") from None
        if not isinstance(doc, dict):
            raise Refusal(400, "the provenance file is not a JSON object; send filmcrew's NAME.provenance.json, or none")
        sha = hashlib.sha256(data).hexdigest()
        p = provenance_file(self.folder, sha)
        p.parent.mkdir(parents=True, exist_ok=True)
        if not p.exists():
            atomic.write_bytes(p, data)
        return sha


def _open(con: dict) -> None:
    if con["phase"] != "open":
        raise Refusal(409, f"entries are closed: the contest is {con['phase']}; the films judged stay the films judged")
    if accounts.now() > con["deadline"]:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(con["deadline"]))
        raise Refusal(403, f"the deadline has passed ({when}): no more entries or changes")


