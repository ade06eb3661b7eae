"""What came from another system, remembered so that running an import again changes nothing."""

from django.contrib.contenttypes.models import ContentType
from django.db import models


class ImportedItem(models.Model):
    """One thing from an export (a WordPress post, a Ghost member) and what it became here."""

    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    source = models.CharField(max_length=20)  # "wordpress", "ghost"
    kind = models.CharField(max_length=20)  # "post", "author", "category", "attachment"
    external_id = models.CharField(max_length=255)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="one_import_per_external_item"
            )
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.external_id}"

    @property
    def target(self):
        return self.content_type.get_object_for_this_type(pk=self.object_id)
