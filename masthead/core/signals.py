"""One way to hear that rows of a model changed (saved or deleted), for what keeps copies of them."""

from django.db.models.signals import post_delete, post_save


def on_change(model, handler, uid):
    """Call handler(sender, **kwargs) after every save or delete of this model."""
    post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"{uid}:save")
    post_delete.connect(handler, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
