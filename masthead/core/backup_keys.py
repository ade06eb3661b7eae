"""What locks and signs a backup: a backup key file, a passphrase, or (unencrypted) SECRET_KEY.

A newsroom that loses its server still has what it kept elsewhere: the archives and the backup key
file or passphrase, not the old server's SECRET_KEY. So a key file or passphrase both encrypts and
signs; SECRET_KEY only signs the unencrypted backups made without one.

Encryption is libsodium's secretstream (XChaCha20-Poly1305, through PyNaCl): the archive is cut into
chunks, each authenticated and the last one marked, so a changed, reordered or cut-off file is
refused. A passphrase becomes a key through Argon2id, with its salt and cost in the file's header.
The manifest is signed with HMAC-SHA256 under a key derived from the same secret: only someone who
holds it can make an archive that `masthead restore` accepts.
"""

import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import nacl.bindings as sodium
import nacl.exceptions
import nacl.pwhash
import nacl.utils
from django.conf import settings
from django.utils.crypto import salted_hmac

KEY_PREFIX = "masthead-backup-key-1:"
MAGIC = b"Masthead encrypted backup\n"
CHUNK = 64 * 1024
# Argon2id's cost for a passphrase: libsodium's "moderate" (about a second, 256 MiB). A header
# asking for more than these bounds is not one of ours, and would only exhaust the machine.
MAX_OPSLIMIT = 16
MAX_MEMLIMIT = 1024 * 1024 * 1024
MIN_PASSPHRASE = 12


class BackupKeyError(Exception):
    """The key, passphrase or encrypted file cannot be used; the message says why, for the admin."""


def _derive(master, purpose, size=32):
    # Keyed BLAKE2b with the purpose as personalisation: libsodium's crypto_kdf construction.
    return hashlib.blake2b(key=master, digest_size=size, person=purpose).digest()


@dataclass(frozen=True)
class BackupKey:
    """One secret, from which both the encryption key and the signing key are derived."""

    kind: str  # "key-file", "passphrase" or "secret-key"
    master: bytes = field(repr=False)
    kdf: dict | None = None  # a passphrase's salt and Argon2id cost

    @property
    def id(self):
        """Name the key without revealing it, so an admin can tell two keys apart."""
        return _derive(self.master, b"masthead-key-id", 5).hex()

    @property
    def encrypts(self):
        return self.kind != "secret-key"

    def describe(self):
        if self.kind == "key-file":
            return f"the backup key {self.id}"
        if self.kind == "passphrase":
            return "a passphrase"
        return "this server's SECRET_KEY"

    def sign(self, data):
        return hmac.new(_derive(self.master, b"masthead-sign"), data, hashlib.sha256).hexdigest()

    def verify(self, data, signature):
        # As bytes: compare_digest refuses a str that is not ASCII, and a forged file may hold one.
        return hmac.compare_digest(self.sign(data).encode(), signature.strip().encode())

    def header(self):
        header = {"key": self.kind, "key_id": self.id}
        if self.kdf:
            header["kdf"] = self.kdf
        return header


def secret_keys():
    """Return the signing keys of SECRET_KEY and its fallbacks (a rotated key still verifies)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        BackupKey(
            "secret-key",
            salted_hmac("masthead.core.backup", "signing", secret=s, algorithm="sha256").digest(),
        )
        for s in secrets
    ]


def new_key_file(path):
    """Write a new random backup key to `path` (readable by its owner only); never replace one."""
    key = BackupKey("key-file", nacl.utils.random(32))
    text = (
        f"# Masthead backup key {key.id}, made {time.strftime('%Y-%m-%d')}.\n"
        "# Keep a copy away from this server (a password manager, or printed in a safe):\n"
        "# backups made with it cannot be opened or restored without it.\n"
        f"{KEY_PREFIX}{base64.urlsafe_b64encode(key.master).decode()}\n"
    )
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise BackupKeyError(
            f"{path} already exists. A backup key is never replaced: backups made with it "
            "need it. Choose another file name."
        ) from error
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(text)
    return key


def read_key_file(path):
    try:
        text = Path(path).read_text(encoding="ascii", errors="replace")
    except OSError as error:
        raise BackupKeyError(
            f"Cannot read the backup key file {path}: {error.strerror}."
        ) from error
    for line in text.splitlines():
        if line.strip().startswith(KEY_PREFIX):
            try:
                master = base64.urlsafe_b64decode(line.strip().removeprefix(KEY_PREFIX))
            except (binascii.Error, ValueError):
                break
            if len(master) == 32:
                return BackupKey("key-file", master)
            break
    raise BackupKeyError(
        f"{path} is not a Masthead backup key (one is made with `masthead backup_key FILE`)."
    )


def from_passphrase(passphrase, kdf=None):
    """Derive a key from a passphrase: with a new salt for a new backup, or the header's to open one."""
    if kdf is None:
        if len(passphrase) < MIN_PASSPHRASE:
            raise BackupKeyError(
                f"The passphrase is too short: use at least {MIN_PASSPHRASE} characters "
                "(several words are easier to keep than symbols)."
            )
        opslimit, memlimit = settings.BACKUP_PASSPHRASE_COST
        kdf = {
            "name": "argon2id",
            "salt": base64.b64encode(nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)).decode(),
            "opslimit": opslimit,
            "memlimit": memlimit,
        }
    try:
        master = nacl.pwhash.argon2id.kdf(
            32,
            passphrase.encode(),
            base64.b64decode(kdf["salt"]),
            opslimit=int(kdf["opslimit"]),
            memlimit=int(kdf["memlimit"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error, nacl.exceptions.CryptoError) as error:
        raise BackupKeyError("The backup's passphrase settings are damaged.") from error
    return BackupKey("passphrase", master, kdf)


# Encrypted files: MAGIC, one line of JSON naming the key, then libsodium's secretstream.


def _sealing_key(key):
    return _derive(key.master, b"masthead-encrypt")


class SealedWriter(io.RawIOBase):
    """A file to write an archive into, encrypting it to `raw` as it comes; finish() ends it."""

    def __init__(self, raw, key):
        super().__init__()
        self.raw = raw
        self.preamble = MAGIC + json.dumps(key.header(), sort_keys=True).encode() + b"\n"
        self.raw.write(self.preamble)
        self.state = sodium.crypto_secretstream_xchacha20poly1305_state()
        self.raw.write(
            sodium.crypto_secretstream_xchacha20poly1305_init_push(self.state, _sealing_key(key))
        )
        self.buffer = bytearray()
        self.first = True

    def writable(self):
        return True

    def _push(self, chunk, tag):
        # The first chunk also authenticates the header line, so the key it names cannot be swapped.
        ad = self.preamble if self.first else None
        self.first = False
        self.raw.write(
            sodium.crypto_secretstream_xchacha20poly1305_push(self.state, chunk, ad, tag)
        )

    def write(self, data):
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._push(
                bytes(self.buffer[:CHUNK]), sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
            )
            del self.buffer[:CHUNK]
        return len(data)

    def finish(self):
        self._push(bytes(self.buffer), sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        self.buffer.clear()


def _whole(value):
    """A header's number, or 0 if it is none (a forged header may hold anything)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def read_header(raw):
    """Return the key header of an encrypted archive (leaving `raw` after it), or None if it is not one."""
    start = raw.read(len(MAGIC))
    if start != MAGIC:
        raw.seek(0)
        return None
    line = raw.readline(4096)
    try:
        header = json.loads(line)
        kind = header["key"]
        header["key_id"]  # noqa: B018 - must be present
    except (ValueError, KeyError, TypeError) as error:
        raise BackupKeyError("The backup's header is damaged: it cannot be opened.") from error
    if kind not in ("key-file", "passphrase"):
        raise BackupKeyError("The backup's header is damaged: it names no key this version knows.")
    kdf = header.get("kdf") or {}
    if kind == "passphrase" and not (
        isinstance(kdf, dict)
        and kdf.get("name") == "argon2id"
        and 0 < _whole(kdf.get("opslimit")) <= MAX_OPSLIMIT
        and 0 < _whole(kdf.get("memlimit")) <= MAX_MEMLIMIT
    ):
        raise BackupKeyError("The backup's passphrase settings are damaged.")
    header["preamble"] = MAGIC + line
    return header


class OpenedReader(io.RawIOBase):
    """The plain archive inside an encrypted one, read as it is decrypted.

    Raises BackupKeyError when a chunk does not authenticate or the file ends before its last one.
    """

    def __init__(self, raw, key, header):
        super().__init__()
        self.raw = raw
        self.preamble = header["preamble"]
        self.state = sodium.crypto_secretstream_xchacha20poly1305_state()
        stream_header = raw.read(sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES)
        if len(stream_header) != sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES:
            raise BackupKeyError("The backup is cut short: it ends inside its header.")
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(
            self.state, stream_header, _sealing_key(key)
        )
        self.buffer = bytearray()
        self.first = True
        self.ended = False

    def readable(self):
        return True

    def _pull(self):
        sealed = self.raw.read(CHUNK + sodium.crypto_secretstream_xchacha20poly1305_ABYTES)
        if not sealed:
            raise BackupKeyError("The backup is cut short: its end is missing.")
        ad = self.preamble if self.first else None
        self.first = False
        try:
            chunk, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(self.state, sealed, ad)
        except nacl.exceptions.CryptoError as error:
            if len(sealed) < CHUNK + sodium.crypto_secretstream_xchacha20poly1305_ABYTES:
                # Only the last chunk is short: a copy or an upload that stopped early, most likely.
                raise BackupKeyError(
                    "The backup is damaged, or cut short (a copy that stopped early): its last "
                    "part is not what was written."
                ) from error
            raise BackupKeyError(
                "The backup is damaged: part of it is not what was written."
            ) from error
        if tag == sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL:
            self.ended = True
            if self.raw.read(1):
                raise BackupKeyError("The backup is damaged: something was added after its end.")
        self.buffer += chunk

    def read(self, size=-1):
        while not self.ended and (size < 0 or len(self.buffer) < size):
            self._pull()
        if size < 0:
            size = len(self.buffer)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data
