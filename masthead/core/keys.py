"""Keys and hashes: single-use keys sent by e-mail (only their hash is stored) and keyed hashes that
stand for a value (an IP address, an e-mail address) without revealing it."""

import hashlib
import hmac
import ipaddress

from django.conf import settings


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
