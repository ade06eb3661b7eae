"""Who may change a picture or a document: nobody without review once readers see it.

Wagtail's rule (CollectionOwnershipPermissionPolicy) lets a person who may add media change and
delete what they uploaded. A writer could then replace the file of a published article's hero
image, or its alt text, and readers would see the change at once, with no editor looking. Ours
keeps Wagtail's rule while nothing public shows the file, and asks for the "change" permission
(editors, admins; masthead/staff/roles.py) once something does: a live page, or anything that
is not a page (a News Feed item, the site's settings), which is public as soon as it is saved.

The rule reads Wagtail's reference index, which Wagtail brings up to date in a queued task: on a
busy worker, minutes after the publish. A page going live, and an object that is not a page being
saved, are therefore indexed at once, as the request (or the scheduled publish) commits.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, IntegerField, Q
from django.db.models.functions import Cast
from django.db.models.signals import post_save
from wagtail.models import Page, ReferenceIndex
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
from wagtail.signal_handlers import reference_index_auto_update_disabled
from wagtail.signals import page_published

CHANGING = frozenset({"change", "delete"})


def shown_publicly(model):
    """The primary keys of `model`'s objects that a live page, or any object not a page, uses."""
    page_type = ContentType.objects.get_for_model(Page)
    live_pages = Page.objects.live().annotate(key=Cast("pk", CharField())).values("key")
    return (
        ReferenceIndex.objects.filter(to_content_type=ContentType.objects.get_for_model(model))
        .filter(~Q(base_content_type=page_type) | Q(object_id__in=live_pages))
        .annotate(target=Cast("to_object_id", IntegerField()))
        .values("target")
    )


class LiveMediaPermissionPolicy(CollectionOwnershipPermissionPolicy):
    def _may_change_any(self, user, collection):
        return self._check_perm(user, ["change"], collection=collection)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        actions = set(actions)
        if (
            actions & CHANGING
            and not self._may_change_any(user, instance.collection)
            and self.model._default_manager.filter(
                pk=instance.pk, pk__in=shown_publicly(self.model)
            ).exists()
        ):
            actions -= CHANGING
            if not actions:
                return False
        return super().user_has_any_permission_for_instance(user, actions, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        instances = super().instances_user_has_any_permission_for(user, actions)
        if set(actions) <= CHANGING and not (user.is_active and user.is_superuser):
            # what they uploaded stays theirs to change only while nothing public shows it
            instances = instances.exclude(
                Q(pk__in=shown_publicly(self.model))
                & ~Q(collection__in=self._collections_with_perm(user, ["change"]))
            )
        return instances


def index_when_committed(sender, instance, raw=False, **kwargs):
    """What `instance` uses, in the index as soon as it is stored (children included, which the
    admin saves after their parent): the queued task then finds nothing left to do."""
    if raw or getattr(reference_index_auto_update_disabled, "value", False):
        return  # loading a fixture or a backup (what it names may not be there yet), or migrating

    def index():
        with transaction.atomic():
            ReferenceIndex.create_or_update_for_object(instance)

    transaction.on_commit(index)


def index_saved_object(sender, instance, raw=False, **kwargs):
    """Anything but a page that the index follows is public once saved (a page, once published)."""
    if ReferenceIndex.is_indexed(sender) and not isinstance(instance, Page):
        index_when_committed(sender, instance, raw=raw)


def register():
    """Put our rule in front of Wagtail's for pictures and documents (an exact-class
    registration wins over Wagtail's own, whichever app is ready first), and keep the index it
    reads current for whatever readers see."""
    page_published.connect(index_when_committed, dispatch_uid="index-live-page-now")
    # Every sender: snippets join the index when their admin hooks load, after this runs.
    post_save.connect(index_saved_object, dispatch_uid="index-saved-object-now")

    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.permissions import register_permission_policy

    for model, auth_model in (
        (get_image_model(), "wagtailimages.Image"),
        (get_document_model(), "wagtaildocs.Document"),
    ):
        policy = LiveMediaPermissionPolicy(
            model, auth_model=auth_model, owner_field_name="uploaded_by_user"
        )
        register_permission_policy(model, policy, exact_class=True)
