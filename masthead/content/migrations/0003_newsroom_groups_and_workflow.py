"""Create the newsroom's groups (Writer, Editor, Admin) and its review workflow.

Writers draft and submit for review; Editors review, publish and post to the News Feed;
Admins can do everything, including managing people and site settings.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PAGE = ["add_page", "change_page"]
EDITOR_PAGE = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
ADMIN_PAGE = EDITOR_PAGE + ["bulk_delete_page"]
MEDIA = ["add", "change", "choose"]


def _ensure_permissions(apps):
    # Permissions are normally created after all migrations; this migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_groups(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    ContentType = apps.get_model("contenttypes", "ContentType")

    def perm(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    admin_access = perm("wagtailadmin", "access_admin")

    def make_group(name, page_perms, media_perms, model_perms):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(admin_access, *[perm(app, code) for app, code in model_perms])
        for codename in page_perms:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=perm("wagtailcore", codename)
            )
        for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
            for action in media_perms:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=perm(app, f"{action}_{model}")
                )
        return group

    make_group("Writer", WRITER_PAGE, MEDIA, [])
    newsroom_models = [
        ("feed", f"{action}_feeditem") for action in ("add", "change", "delete", "view")
    ] + [("content", "change_editorspicks"), ("taggit", "change_tag"), ("taggit", "add_tag")]
    editor = make_group("Editor", EDITOR_PAGE, MEDIA + ["delete"], newsroom_models)
    everything = [
        (p.content_type.app_label, p.codename)
        for p in Permission.objects.select_related("content_type").exclude(codename="access_admin")
    ]
    make_group("Admin", ADMIN_PAGE, MEDIA + ["delete"], everything)

    # One review step: an Editor approves before anything a Writer submits goes live.
    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task, _ = GroupApprovalTask.objects.get_or_create(
        name="Editor review", defaults={"content_type": task_type, "active": True}
    )
    task.groups.add(editor)
    workflow, created = Workflow.objects.get_or_create(name="Editorial review", defaults={"active": True})
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.filter(page=root_page).delete()
    WorkflowPage.objects.create(workflow=workflow, page=root_page)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writer", "Editor", "Admin"]).delete()
    apps.get_model("wagtailcore", "Workflow").objects.filter(name="Editorial review").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_initial"),
        ("feed", "0001_initial"),
        ("core", "0002_initial"),
        ("images", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
