"""Editors write, test and send issues and see subscribers; Admins also manage newsletters."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    "add_issue", "change_issue", "view_issue", "delete_issue",
    "view_newsletter", "view_subscription",
]
ADMIN = EDITOR + ["add_newsletter", "change_newsletter", "delete_newsletter"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("newsletters")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editor", EDITOR), ("Admin", ADMIN)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="newsletters", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0002_issues_and_deliveries"),
        ("content", "0003_newsroom_groups_and_workflow"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
