from . import roles


def apply_roles(sender, apps, using, **kwargs):
    """After every migrate (and a test's flush, which empties the groups): the roles again."""
    roles.apply(apps=apps, using=using)
