"""The e-mail backend of the embedded default: each message written to a file of its own, once.

Django's file backend appends every message of a connection to one file. This one writes each
message to a file named by its Message-ID, created exclusively: a message sent again with the same
Message-ID (a newsletter send resumed after its worker died) finds its file there and is not
written twice. So on this transport "each reader gets the issue once" holds exactly. The files
read as Django's do (one message, then a line of dashes), for the admin's Outbox, and only their
owner may read them: they hold readers' sign-in and preference links.
"""

import hashlib
import os
import re
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend

from . import mail

SEPARATOR = b"-" * 79


def file_name(message_id):
    """The file a message with this Message-ID is written to (the same one every time)."""
    readable = re.sub(r"[^A-Za-z0-9.@_-]+", "_", message_id.strip("<> "))[:80]
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:16]
    return f"{readable}-{digest}.log"


class EmailBackend(FileBackend):
    def open(self):
        return False  # no connection-wide file: each message opens its own

    def close(self):
        pass

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            mail.complete(message)
            self.write_once(message.message())
            sent += 1
        return sent

    def write_once(self, msg):
        """Write the message unless a message with its Message-ID was written already."""
        folder = Path(self.file_path)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name(str(msg["Message-ID"]))
        if path.exists():
            return False
        temporary = folder / f".{path.name}.{os.getpid()}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(msg.as_bytes() + b"\n" + SEPARATOR + b"\n")
        try:
            # Linked into place: the file appears whole, and only the first of two writers wins.
            os.link(temporary, path)
        except FileExistsError:
            return False
        finally:
            temporary.unlink()
        return True

    def delivered(self, message_id):
        """Whether a message with this Message-ID was written (the transport can tell)."""
        return (Path(self.file_path) / file_name(message_id)).exists()
