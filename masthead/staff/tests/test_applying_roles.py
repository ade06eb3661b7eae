"""The roles are the groups: made by the migration, made again after every migrate and flush,
Wagtail's own default groups folded in, and each person's role shown in the admin's users list."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from wagtail.models import (
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
)

from masthead.staff import roles

pytestmark = pytest.mark.django_db


def names(permissions):
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


def test_the_groups_are_exactly_the_roles():
    assert set(Group.objects.values_list("name", flat=True)) == {
        "Writer",
        "Editor",
        "Revenue",
        "Admin",
    }
    everything = names(Permission.objects.select_related("content_type"))
    for role in roles.ROLES:
        group = Group.objects.get(name=role.name)
        missing = set(role.permissions) - everything
        assert not missing, f"{role.name} names permissions that do not exist: {missing}"
        expected = everything if role.everything else set(role.permissions)
        assert names(group.permissions.select_related("content_type")) == expected
        pages = GroupPagePermission.objects.filter(group=group, page__depth=1)
        assert set(pages.values_list("permission__codename", flat=True)) == set(role.pages)
        media = GroupCollectionPermission.objects.filter(group=group, collection__depth=1)
        assert {p.permission.codename.split("_")[0] for p in media} == set(role.media)
    # one review step over the whole site, and it is the editors'
    workflow = Workflow.objects.get(name="Editorial review", workflow_pages__page__depth=1)
    assert [t.specific.groups.get().name for t in workflow.tasks.all()] == ["Editor"]
    assert not Workflow.objects.filter(name="Moderators approval").exists()


def test_what_the_roles_say_in_words():
    """The decisions the README's table states."""
    writer, editor, revenue = (roles.BY_NAME[n] for n in ("Writer", "Editor", "Revenue"))
    assert "publish_page" not in writer.pages and "change" not in writer.media
    assert "publish_page" in editor.pages
    # the membership drive is Revenue's; editors see it
    assert "members.change_campaign" in revenue.permissions
    assert "members.view_campaign" in editor.permissions
    assert "members.change_campaign" not in editor.permissions
    # readers' addresses: Revenue's, not the newsroom's writers and editors
    for role in (writer, editor):
        assert not {p for p in role.permissions if p.split(".")[1].startswith("view_")} & {
            "members.view_member",
            "newsletters.view_subscription",
            "newsletters.view_subscriber",
            "members.view_gift",
        }
    # the outbox (sign-in and gift links) is the admins' alone
    assert not any("read_outbox" in p for r in roles.ROLES for p in r.permissions)


def test_a_change_made_to_a_role_in_the_admin_is_undone_by_the_next_migrate():
    writer = Group.objects.get(name="Writer")
    writer.permissions.add(Permission.objects.get(codename="view_member"))
    GroupPagePermission.objects.create(
        group=writer,
        page=Page.objects.get(depth=1),
        permission=Permission.objects.get(codename="publish_page"),
    )
    call_command("migrate", verbosity=0)
    assert not writer.permissions.filter(codename="view_member").exists()
    assert not GroupPagePermission.objects.filter(
        group=writer, permission__codename="publish_page"
    ).exists()


def test_wagtails_editors_and_moderators_are_folded_into_ours(django_user_model):
    # given an older installation with Wagtail's default groups and people in them
    drafter = django_user_model.objects.create_user("drafter", "d@example.org", "pw-long-1")
    checker = django_user_model.objects.create_user("checker", "c@example.org", "pw-long-1")
    drafter.groups.add(Group.objects.create(name="Editors"))
    moderators = Group.objects.create(name="Moderators")
    checker.groups.add(moderators)
    old_task = GroupApprovalTask.objects.create(name="Moderators approval")
    old_task.groups.add(moderators)
    Workflow.objects.create(name="Moderators approval").workflow_tasks.create(task=old_task)
    # when the roles are applied
    roles.apply()
    # then each kept what they could do, in our group, and Wagtail's are gone
    assert list(drafter.groups.values_list("name", flat=True)) == ["Writer"]
    assert list(checker.groups.values_list("name", flat=True)) == ["Editor"]
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    # and applying again changes nothing
    before = sorted(Group.objects.values_list("name", "permissions"))
    roles.apply()
    assert sorted(Group.objects.values_list("name", "permissions")) == before


@pytest.mark.django_db(transaction=True)
def test_a_flush_and_the_migration_itself_bring_the_roles_back(django_user_model):
    """A transactional test's flush empties the groups; `post_migrate` makes them again. The
    migration, run on its own (Django's historical models), folds Wagtail's groups too."""
    call_command("flush", interactive=False, verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.BY_NAME)
    # given the roles migration not yet run, and Wagtail's Moderators with a person in it
    call_command("migrate", "staff", "zero", verbosity=0)
    checker = django_user_model.objects.create_user("checker", "c@example.org", "pw-long-1")
    checker.groups.add(Group.objects.create(name="Moderators"))
    # when it runs (the roles, applied through the migration's own models)
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("staff", "0001_newsroom_roles")])  # no post_migrate: the migration alone
    # then
    assert list(checker.groups.values_list("name", flat=True)) == ["Editor"]
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.BY_NAME)


def test_the_users_list_shows_each_persons_role(client, django_user_model):
    for name, role in (("wr", "Writer"), ("ed", "Editor"), ("rev", "Revenue")):
        user = django_user_model.objects.create_user(name, f"{name}@example.org", "pw-long-1")
        user.groups.add(Group.objects.get(name=role))
    both = django_user_model.objects.create_user("both", "both@example.org", "pw-long-1")
    both.groups.add(*Group.objects.filter(name__in=["Editor", "Revenue"]))
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-long-1")
    client.force_login(boss)
    page = client.get("/admin/users/").content.decode()
    cells = r'<td class="username[^"]*"[^>]*>\s*(\w+)\s*</td>\s*<td class="level[^"]*"[^>]*>\s*([^<]*?)\s*</td>'
    rows = dict(re.findall(cells, page))
    assert rows == {
        "both": "Editor, Revenue",
        "boss": "Admin",
        "ed": "Editor",
        "rev": "Revenue",
        "wr": "Writer",
    }
