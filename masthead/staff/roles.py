"""The newsroom's roles, stated once: who may do what in the admin.

Each role is a Wagtail group of the same name. `apply()` makes the groups say exactly what this
module says: a migration runs it, and so does every `migrate` afterwards (and the flush a
transactional test makes), so a permission added here, or a new model's, reaches every newsroom
at its next deploy. Changes made to these four groups in the admin are undone then: give a
person a second group of the newsroom's own for an exception. The README's "Roles" table says
the same in words; `masthead/staff/tests/test_roles.py` checks it over HTTP.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

WRITER = "Writer"
EDITOR = "Editor"
REVENUE = "Revenue"
ADMIN = "Admin"

# Wagtail's own default groups, folded into ours (their members move, the groups go): Wagtail's
# "Editors" may draft and not publish, as our Writers; its "Moderators" publish, as our Editors.
FOLDED = {"Editors": WRITER, "Moderators": EDITOR}
FOLDED_WORKFLOW = "Moderators approval"

REVIEW_WORKFLOW = "Editorial review"
REVIEW_TASK = "Editor review"

ADMIN_ACCESS = "wagtailadmin.access_admin"


def _crud(model, *actions):
    app_label, name = model.split(".")
    return tuple(f"{app_label}.{action}_{name}" for action in actions)


@dataclass(frozen=True)
class Role:
    name: str
    # "app_label.codename", as `user.has_perm()` takes them
    permissions: tuple
    # Wagtail's page permissions, over the whole page tree
    pages: tuple = ()
    # image and document permissions ("add", "change", "choose", "delete"), over every collection
    media: tuple = ()
    # every permission there is, now and after any upgrade
    everything: bool = False


ROLES = (
    Role(
        WRITER,
        # Draft and submit for review; add pictures and documents and pick them. A writer changes
        # only their own uploads, and only while no live page shows them (masthead/images).
        permissions=(ADMIN_ACCESS,),
        pages=("add_page", "change_page"),
        media=("add", "choose"),
    ),
    Role(
        EDITOR,
        # Review and publish; the News Feed, Editors' Picks, tags, translations, narrations;
        # write and send newsletter issues. Sees the membership drive, does not run it.
        permissions=(
            ADMIN_ACCESS,
            *_crud("feed.feeditem", "add", "change", "delete", "view"),
            "content.change_editorspicks",
            "content.view_editorspicks",
            "taggit.add_tag",
            "taggit.change_tag",
            "simple_translation.submit_translation",
            *_crud("newsletters.issue", "add", "change", "delete", "view"),
            "newsletters.view_newsletter",
            *_crud("audio.narration", "change", "view"),
            *_crud("audio.pronunciation", "add", "change", "delete", "view"),
            "members.view_campaign",
        ),
        pages=("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
        media=("add", "change", "choose", "delete"),
    ),
    Role(
        REVENUE,
        # Audience and revenue: runs the membership drive, looks after members (a membership
        # given by hand, a gift), prices, and newsletters' subscribers (see, export, import).
        permissions=(
            ADMIN_ACCESS,
            *_crud("members.campaign", "add", "change", "delete", "view"),
            *_crud("members.member", "add", "change", "view"),
            "members.view_membership",
            "members.view_payment",
            *_crud("members.gift", "change", "view"),
            *_crud("members.membershipsettings", "change", "view"),
            "newsletters.view_newsletter",
            "newsletters.view_subscriber",
            "newsletters.view_subscription",
            "newsletters.add_subscription",  # the subscriber import
        ),
        media=("choose",),
    ),
    Role(
        ADMIN,
        # Everything: people and their groups, site settings, newsletters, the outbox.
        permissions=(),
        pages=(
            "add_page",
            "change_page",
            "publish_page",
            "lock_page",
            "unlock_page",
            "bulk_delete_page",
        ),
        media=("add", "change", "choose", "delete"),
        everything=True,
    ),
)
BY_NAME = {role.name: role for role in ROLES}
# The group names stay English (tests and other code name them); people read these.
LABELS = {WRITER: _("Writer"), EDITOR: _("Editor"), REVENUE: _("Revenue"), ADMIN: _("Admin")}
# Who approves what a writer submits.
REVIEWERS = (EDITOR,)
MEDIA_MODELS = (("wagtailimages", "image"), ("wagtaildocs", "document"))


def role_names(user):
    """The roles a staff account has, for the admin's list of users ("Admin" for a superuser)."""
    if user.is_superuser:
        return [ADMIN]
    return [group.name for group in user.groups.all() if group.name in BY_NAME]


def apply(apps=None, using="default"):
    """Make the role groups, their permissions and the review workflow match this module.

    `apps` is a migration's app registry, or Django's own; `using` the database alias.
    Idempotent: running it twice changes nothing the second time.
    """
    if apps is None:
        from django.apps import apps
    from django.contrib.auth.management import create_permissions

    # Django makes permissions after migrating; a migration (or a flush) needs them now.
    for app_config in apps.get_app_configs():
        stub = getattr(app_config, "models_module", None) is None  # a migration's app registry
        if stub:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        if stub:
            app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    db = using

    root_page = Page.objects.using(db).filter(depth=1).first()
    root_collection = Collection.objects.using(db).filter(depth=1).first()
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(db).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    groups = {}
    for role in ROLES:
        group = Group.objects.using(db).get_or_create(name=role.name)[0]
        groups[role.name] = group
        if role.everything:
            wanted = set(known.values())
        else:
            # A permission of an app this newsroom does not install is skipped, not an error.
            wanted = {known[name] for name in role.permissions if name in known}
        group.permissions.set(wanted)
        _set_page_permissions(apps, db, group, root_page, role.pages, known)
        _set_media_permissions(apps, db, group, root_collection, role.media, known)

    _fold_wagtail_defaults(apps, db, groups)
    _review_workflow(apps, db, root_page, [groups[name] for name in REVIEWERS])


def _set_page_permissions(apps, db, group, root_page, actions, known):
    wanted = {known[f"wagtailcore.{action}"] for action in actions}
    _set_scoped(apps, db, "GroupPagePermission", "page", group, root_page, wanted)


def _set_media_permissions(apps, db, group, root_collection, actions, known):
    wanted = {
        known[f"{app_label}.{action}_{model}"]
        for app_label, model in MEDIA_MODELS
        for action in actions
        if f"{app_label}.{action}_{model}" in known
    }
    _set_scoped(apps, db, "GroupCollectionPermission", "collection", group, root_collection, wanted)


def _set_scoped(apps, db, model_name, scope_field, group, scope, wanted):
    """Make a group's permissions over `scope` (the root page or collection) exactly `wanted`,
    and remove any it has elsewhere."""
    model = apps.get_model("wagtailcore", model_name)
    existing = model.objects.using(db).filter(group=group)
    if scope is None:
        existing.delete()
        return
    existing.exclude(**{scope_field: scope}, permission_id__in=wanted).delete()
    have = set(existing.filter(**{scope_field: scope}).values_list("permission_id", flat=True))
    model.objects.using(db).bulk_create(
        model(group=group, permission_id=pk, **{scope_field: scope}) for pk in wanted - have
    )


def _fold_wagtail_defaults(apps, db, groups):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(*_user_model_label().split("."))
    Workflow = apps.get_model("wagtailcore", "Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    for old_name, new_name in FOLDED.items():
        old = Group.objects.using(db).filter(name=old_name).first()
        if old is None:
            continue
        for user in User.objects.using(db).filter(groups=old):
            user.groups.add(groups[new_name])
        # Wagtail's default workflow asks its Moderators to approve: ours asks Editors.
        for task in GroupApprovalTask.objects.using(db).filter(groups=old):
            task.groups.remove(old)
            if not task.groups.exists():
                task.groups.add(groups[new_name])
        old.delete()
    workflow = Workflow.objects.using(db).filter(name=FOLDED_WORKFLOW).first()
    if workflow is not None:
        task_ids = list(workflow.workflow_tasks.values_list("task_id", flat=True))
        in_use = (
            workflow.workflow_pages.exists()
            or workflow.workflow_states.exists()
            or TaskState.objects.using(db).filter(task_id__in=task_ids).exists()
        )
        if not in_use:
            workflow.delete()
            GroupApprovalTask.objects.using(db).filter(
                pk__in=task_ids, workflow_tasks__isnull=True
            ).delete()


def _review_workflow(apps, db, root_page, reviewers):
    """One review step over the whole site: an editor approves what a writer submits."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    task_type = ContentType.objects.using(db).get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )[0]
    task = GroupApprovalTask.objects.using(db).get_or_create(
        name=REVIEW_TASK, defaults={"content_type": task_type, "active": True}
    )[0]
    task.groups.set(reviewers)
    workflow, created = Workflow.objects.using(db).get_or_create(
        name=REVIEW_WORKFLOW, defaults={"active": True}
    )
    if created or not workflow.workflow_tasks.exists():
        WorkflowTask.objects.using(db).create(workflow=workflow, task=task, sort_order=0)
    # The newsroom may have put another workflow on the whole site: theirs stays.
    if root_page is not None and not WorkflowPage.objects.using(db).filter(page=root_page).exists():
        WorkflowPage.objects.using(db).create(workflow=workflow, page=root_page)


def _user_model_label():
    from django.conf import settings

    return settings.AUTH_USER_MODEL
