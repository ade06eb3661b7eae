"""Keys and hashes.

Single-use keys sent by e-mail (confirmation, sign-in, gift and data links): only their hash is
stored. `SingleUseKey` is the abstract model such a link is kept in (Ghost's SingleUseTokenProvider,
Zulip's Confirmation): a long random key that travels only in the e-mail, an expiry, and the moment
it was used. An app subclasses it with what the link is for; `issue()`, `find()` and `use()` do the
rest.

Keyed hashes stand for a value (an IP address, an e-mail address) without revealing it.
"""

import hashlib
import hmac
import ipaddress
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def keyed_hash(value):
    """A hash that stands for a value (an IP, an address) without revealing it."""
    if not value:
        return ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def network(address):
    """The part of a client's address that stands for one client: an IPv4 address, or an IPv6
    address's /64 (one household or machine gets a whole /64, and can pick any address in it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or ""
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# Keyed hashes of addresses, written as IPv6 addresses in fd00::/8 (unique local, never routed on
# the internet): django-axes keeps addresses in a GenericIPAddressField (inet in PostgreSQL).
HASHED_ADDRESSES = ipaddress.ip_network("fd00::/8")


def address_hash(address):
    """A keyed hash of a client's network (see network()), in the form of an IP address."""
    if not address:
        return None
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"address:{network(address)}".encode(), hashlib.sha256
    ).digest()
    return str(ipaddress.IPv6Address(b"\xfd" + digest[:15]))


class LinkResult:
    """What a key from an e-mailed link turned out to be."""

    OK = "ok"
    USED = "used"
    EXPIRED = "expired"
    INVALID = "invalid"


class SingleUseKey(models.Model):
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def issue(cls, lifetime, **fields):
        """Store a new link valid for `lifetime`; return (row, key). The key is not kept."""
        key = secrets.token_urlsafe(32)
        now = timezone.now()
        row = cls.objects.create(
            key_hash=hash_key(key), created_at=now, expires_at=now + lifetime, **fields
        )
        return row, key

    @classmethod
    def find(cls, key, queryset=None):
        """Return (LinkResult, row or None) for a key from a link, without using it."""
        rows = cls.objects.all() if queryset is None else queryset
        # Keys are URL-safe base64 of 32 bytes; anything else cannot be one and costs no query.
        if not isinstance(key, str) or not 16 <= len(key) <= 100:
            return LinkResult.INVALID, None
        row = rows.filter(key_hash=hash_key(key)).first()
        if row is None:
            return LinkResult.INVALID, None
        if row.used_at:
            return LinkResult.USED, row
        if row.expires_at <= timezone.now():
            return LinkResult.EXPIRED, row
        return LinkResult.OK, row

    def use(self):
        """Mark the link used; False if another request used it first (it works once)."""
        now = timezone.now()
        used = type(self).objects.filter(pk=self.pk, used_at__isnull=True).update(used_at=now)
        if used:
            self.used_at = now
        return bool(used)
