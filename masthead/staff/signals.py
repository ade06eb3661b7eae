from django.db import DEFAULT_DB_ALIAS

from . import roles


def apply_roles(sender, apps=None, using=DEFAULT_DB_ALIAS, **kwargs):
    """After every migrate (and a test's flush, which empties the groups): the roles again."""
    roles.apply(apps=apps, using=using)
