"""Replace the IP addresses in django-axes' sign-in records with keyed hashes, and drop the log of
successful sign-ins (no longer kept: AXES_DISABLE_ACCESS_LOG).

The hash is written out here, not imported, so the migration keeps meaning what it meant when it
was written; it is the one masthead.core.keys.address_hash makes.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.db import migrations


def _network(address):
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _hashed(address):
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"address:{_network(address)}".encode(), hashlib.sha256
    ).digest()
    return str(ipaddress.IPv6Address(b"\xfd" + digest[:15]))


def hash_addresses(apps, schema_editor):
    for name in ("AccessAttempt", "AccessFailureLog"):
        model = apps.get_model("axes", name)
        for row in model.objects.exclude(ip_address=None).only("pk", "ip_address"):
            model.objects.filter(pk=row.pk).update(ip_address=_hashed(row.ip_address))
    apps.get_model("axes", "AccessLog").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_newsroom_social_image"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(hash_addresses, migrations.RunPython.noop)]
