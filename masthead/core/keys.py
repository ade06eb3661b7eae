"""Single-use keys sent by e-mail (confirmation, sign-in and gift links): only their hash is stored."""

import hashlib


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()
