from django_tasks import task

from . import services


@task()
def narrate_article(article_id):
    """Narrate an article's current text (idempotent: unchanged text and voice do nothing)."""
    return services.narrate(article_id)
