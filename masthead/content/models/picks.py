"""Editors’ Picks: one ordered list per site, curated by editors."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable


@register_setting(icon="pick")
class EditorsPicks(ClusterableModel, BaseSiteSetting):
    panels = [InlinePanel("picks", heading=_("Picks"), label=_("Pick"), max_num=12)]

    class Meta:
        verbose_name = _("Editors’ Picks")
        verbose_name_plural = _("Editors’ Picks")

    def __str__(self):
        return str(self._meta.verbose_name)


class EditorsPick(Orderable):
    picks = ParentalKey(EditorsPicks, related_name="picks", on_delete=models.CASCADE)
    article = models.ForeignKey(
        "content.ArticlePage", verbose_name=_("article"), on_delete=models.CASCADE
    )

    panels = [FieldPanel("article")]

    class Meta(Orderable.Meta):
        verbose_name = _("pick")
