"""Print the HTML size (raw and gzipped), SQL queries and render time of the main public pages.

Runs against the database the settings point at (by default the demo newsroom in var/):

    .venv/bin/python bench/page_weight.py [--repeat 20]
"""

import argparse
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.dev")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="renders per page for the timing")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from masthead.content.models import ArticlePage, AuthorPage, SectionPage

    article = ArticlePage.objects.live().order_by("-first_published_at").first()
    section = SectionPage.objects.live().first()
    author = AuthorPage.objects.live().first()
    if not (article and section and author):
        sys.exit("No demo content: run `make run` (or `masthead setup`) first.")
    pages = {
        "home": "/",
        "article": article.url,
        "section": section.url,
        "feed": "/news-feed/",
        "feed.json": "/news-feed/feed.json",
        "author": author.url,
        "search": "/search/?q=power",
    }
    client = Client(HTTP_HOST="127.0.0.1")
    print(
        f"{'page':<10} {'status':>6} {'html bytes':>11} {'gzip bytes':>11} {'queries':>8} {'median ms':>10}"
    )
    for name, url in pages.items():
        client.get(url)  # warm renditions and caches
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        body = response.content
        print(
            f"{name:<10} {response.status_code:>6} {len(body):>11,} {len(gzip.compress(body, 6)):>11,} "
            f"{len(queries):>8} {statistics.median(timings):>10.1f}"
        )


if __name__ == "__main__":
    main()
