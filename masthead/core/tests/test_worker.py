import datetime

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import Revision

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_worker_runs_queued_tasks_and_publishes_due_pages(newsroom):
    with override_settings(TASKS=DATABASE_TASKS):
        # given an article scheduled for a moment that has now passed, and the tasks its saving queued
        article = newsroom.article(slug="due", publish=False)
        article.go_live_at = timezone.now() + datetime.timedelta(hours=1)
        revision = article.save_revision()
        revision.publish()
        past = timezone.now() - datetime.timedelta(seconds=1)
        revision = Revision.objects.get(pk=revision.pk)
        revision.content["go_live_at"] = past.isoformat()
        revision.approved_go_live_at = past
        revision.save()
        queued = DBTaskResult.objects.filter(status="READY").count()
        # when the worker makes one pass
        call_command("newsroom_worker", "--batch")
    # then the article is live and every queued task ran
    article.refresh_from_db()
    assert article.live
    assert queued > 0
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
