"""The newsroom's roles (Writer, Editor, Revenue, Admin) as masthead/staff/roles.py states them.

Folds Wagtail's default "Editors" and "Moderators" groups into ours (their members move to
Writer and Editor) and removes them. After this, every migrate applies the roles again.
"""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from masthead.staff import roles

    roles.apply(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
        ("simple_translation", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("core", "0007_sign_in_log_hashed_addresses"),
        ("content", "0008_editors_translate"),
        ("feed", "0002_pinned_items_index"),
        ("newsletters", "0006_outbox_permission"),
        ("members", "0003_sign_in_requests_and_given_memberships"),
        ("audio", "0002_podcast_editions"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
