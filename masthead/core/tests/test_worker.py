import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from django_tasks_db.models import DBTaskResult

from masthead.content.tests.factories import schedule_then_make_due

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_worker_runs_queued_tasks_and_publishes_due_pages(newsroom, caplog):
    with override_settings(TASKS=DATABASE_TASKS):
        # given an article scheduled for a moment that has now passed, and the tasks its saving queued
        article = schedule_then_make_due(newsroom.article(slug="due", publish=False))
        queued = DBTaskResult.objects.filter(status="READY").count()
        # when the worker makes one pass
        call_command("newsroom_worker", "--batch")
    # then the article is live and every queued task ran
    article.refresh_from_db()
    assert article.live
    assert queued > 0
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
    # and every job of the scheduler's round ran without an error
    assert not [r for r in caplog.records if r.name == "masthead.worker"], caplog.text
