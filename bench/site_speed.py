"""Public-site speed in the production profile, against nginx serving the same bytes (`make bench`).

    .venv/bin/python bench/site_speed.py [--articles 100000] [--feed-items 1000000] [--duration 15]

Seeds a PostgreSQL database (masthead_bench; kept between runs, reseeded when the sizes differ),
starts the site as production runs it (gunicorn or granian, two processes, Redis for the cache and
the page cache) on 127.0.0.1, and runs wrk (-t2 -c32) against the home, article, section and feed
JSON pages: warm (from the page cache) and cold (a parameter the cache does not know, so every
request renders; the parts pages share and the kept pieces of pages stay kept, as after a publish
elsewhere), and cold again on a server with PAGE_FRAGMENTS=0 ("unkept": every card, body and side
module rendered anew). nginx serves the article's bytes as a static
file for reference. Then it publishes a feed item and an article and times how long until the
cached home page, the feed JSON, the RSS and the Google News sitemap show them.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python")
GHOST = {"article": 80, "home": 38}  # requests/s measured here (../shared/TOOLING.md)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - local
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local
        return response.read(), response.headers  # case-insensitive: granian sends lowercase names


def environment(database, redis_db):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="masthead.settings.production",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        SECRET_KEY="bench-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
        SERVE_MEDIA="1",
        MASTHEAD_VAR_DIR=str(ROOT / "var" / "bench"),
        TASKS_BACKEND="database",
        LOG_LEVEL="ERROR",
        EMAIL_BACKEND="smtp",
    )
    return env


def manage(env, *args, **kwargs):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)  # noqa: S603


def seed(env, database, articles, feed_items):
    """Create and fill the database unless it already has these sizes."""
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname='{database}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if exists:
        counts = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc",
             "SELECT (SELECT count(*) FROM content_articlepage), (SELECT count(*) FROM feed_feeditem)"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        have = [int(n) for n in counts.split("|")] if "|" in counts else [0, 0]
        # The publish-to-visible step adds a story and an item each run; a few more are fine.
        if articles <= have[0] < articles + 100 and feed_items <= have[1] < feed_items + 100:
            print(
                f"  {database}: {articles:,} articles and {feed_items:,} feed items already there"
            )
            return
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    print(f"  seeding {database}: {articles:,} articles, {feed_items:,} feed items")
    manage(env, "migrate", "--verbosity=0")
    manage(env, "seed", f"--articles={articles}", "--feed-items=100")
    manage(
        env, "shell", "-c", f"from bench.site_speed import bulk_feed; bulk_feed({feed_items - 100})"
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qc", "VACUUM ANALYZE"],
        check=True,
    )


def bulk_feed(count):
    """Write `count` older feed items in batches (run inside Django)."""
    import datetime
    import uuid

    from django.utils import timezone
    from wagtail.models import Locale

    from masthead.feed.models import FeedItem

    locale = Locale.get_default()
    start = timezone.now() - datetime.timedelta(days=30)
    batch = 20000
    for first in range(0, count, batch):
        FeedItem.objects.bulk_create(
            FeedItem(
                text=f"Update {n}: reports from the regions, confirmed by our correspondents.",
                locale=locale,
                translation_key=uuid.uuid4(),
                published_at=start - datetime.timedelta(seconds=n * 2),
            )
            for n in range(first, min(first + batch, count))
        )
        print(f"\r  feed items {min(first + batch, count):,}/{count:,}", end="", flush=True)
    print()


def start_server(kind, env, port):
    address = f"127.0.0.1:{port}"
    if kind == "gunicorn":
        command = [str(ROOT / ".venv/bin/gunicorn"), "masthead.wsgi", "-b", address, "-w", "2",
                   "--worker-class", "gthread", "--threads", "4", "--log-level", "warning"]  # fmt: skip
    else:
        command = [str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "masthead.wsgi:application",
                   "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
                   "--blocking-threads", "4", "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    wait_for(f"http://{address}/")
    return server


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def wrk(url, duration):
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99, int(errors.group(1)) if errors else 0


def nginx_reference(body, duration):
    """Serve the same bytes as a static file with nginx and measure it."""
    folder = Path(tempfile.mkdtemp(prefix="masthead-nginx-"))
    (folder / "page.html").write_bytes(body)
    folder.chmod(0o755)  # nginx's workers run as an unprivileged user
    port = free_port()
    (folder / "nginx.conf").write_text(
        f"""daemon off; worker_processes 2; pid {folder}/nginx.pid; error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  server {{ listen 127.0.0.1:{port}; root {folder}; location / {{ }} }} }}
"""
    )
    server = subprocess.Popen(
        ["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)], start_new_session=True
    )  # noqa: S603, S607
    try:
        wait_for(f"http://127.0.0.1:{port}/page.html")
        return wrk(f"http://127.0.0.1:{port}/page.html", duration)
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def publish_to_visible(env, base):
    """Publish a feed item and an article; time until the cached listings show them."""
    # Each change is made after a pause, and its commit time printed as soon as it returns.
    code = (
        "import time, json\n"
        "from masthead.feed.services import post_item\n"
        "from masthead.content.models import ArticlePage\n"
        "a = ArticlePage.objects.live().order_by('-published_at').first()\n"
        "copy = a.copy(update_attrs={'slug': 'bench-%(stamp)s', 'title': 'Bench story %(stamp)s'},"
        " keep_live=False, copy_revisions=False, log_action=None)\n"
        "revision = copy.save_revision()\n"
        "time.sleep(1)\n"
        "post_item(text='Bench item %(stamp)s')\n"
        "t0 = time.time()\n"
        "time.sleep(2)\n"
        "revision.publish()\n"
        "t1 = time.time()\n"
        "print(json.dumps([t0, t1]), flush=True)\n"
    )
    stamp = str(int(time.time()))
    for url in ("/", "/news-feed/feed.json", "/rss.xml", "/news-sitemap.xml"):
        fetch(base + url)  # cached before the change
    maker = subprocess.Popen(
        [PY, "manage.py", "shell", "-c", code % {"stamp": stamp}],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    wanted = {
        "feed item on home": ("/", f"Bench item {stamp}", 0),
        "feed item in feed JSON": ("/news-feed/feed.json", f"Bench item {stamp}", 0),
        "story on home": ("/", f"Bench story {stamp}", 1),
        "story in RSS": ("/rss.xml", f"Bench story {stamp}", 1),
        "story in news sitemap": ("/news-sitemap.xml", f"bench-{stamp}", 1),
    }
    seen = {}
    deadline = time.time() + 40
    while len(seen) < len(wanted) and time.time() < deadline:
        for name, (url, text, _which) in wanted.items():
            if name not in seen and text in fetch(base + url)[0].decode():
                seen[name] = time.time()
        time.sleep(0.01)
    out, _ = maker.communicate(timeout=60)
    committed = json.loads(out.strip().splitlines()[-1])
    return {
        name: (seen[name] - committed[which]) if name in seen else None
        for name, (_url, _text, which) in wanted.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--feed-items", type=int, default=1_000_000)
    parser.add_argument("--small-articles", type=int, default=100)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--servers", default="granian,gunicorn")
    args = parser.parse_args()
    for tool in ("wrk", "nginx", "psql"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: run `make bench-tools` (or `make bench`).")

    sizes = {
        "large": ("masthead_bench", 5, args.articles, args.feed_items),
        "small": ("masthead_bench_small", 6, args.small_articles, 1000),
    }
    rows = []
    for size, (database, redis_db, articles, feed_items) in sizes.items():
        env = environment(database, redis_db)
        seed(env, database, articles, feed_items)
        manage(env, "collectstatic", "--noinput", "--verbosity=0")
        subprocess.run(
            ["redis-cli", "-n", str(redis_db), "FLUSHDB"], check=True, capture_output=True
        )
        servers = args.servers.split(",") if size == "large" else args.servers.split(",")[:1]
        if size == "large":
            # The same server with no kept pieces of pages: each cold render builds every card.
            servers.append(servers[0] + " unkept")
        for kind in servers:
            port = free_port()
            unkept = kind.endswith(" unkept")
            server = start_server(
                kind.split()[0], {**env, "PAGE_FRAGMENTS": "0" if unkept else "1"}, port
            )
            base = f"http://127.0.0.1:{port}"
            try:
                home = fetch(base + "/")[0].decode()
                article = re.search(r'href="(/news/[^"]+/)"', home).group(1)
                # The navigation's first link is the News Feed; the sections follow it.
                section = re.search(
                    r'href="(/(?!news/|news-feed/)[\w-]+/)"[^>]*>[^<]*</a></li>', home
                )
                section = section.group(1) if section else "/war/"
                urls = {"home": "/", "article": article, "section": section,
                        "News Feed": "/news-feed/", "feed JSON": "/news-feed/feed.json"}  # fmt: skip
                for name, path in urls.items():
                    fetch(base + path)
                    if size == "large" and not unkept:
                        warm = wrk(base + path, args.duration)
                        rows.append((size, kind, name, "warm", *warm))
                    sep = "&" if "?" in path else "?"
                    cold = wrk(f"{base}{path}{sep}bench=cold", args.duration)
                    rows.append((size, kind, name, "cold", *cold))
                if size == "large" and kind == servers[0]:
                    body = fetch(base + article)[0]
                    reference = nginx_reference(body, args.duration)
                    rows.append((size, "nginx", "article bytes", "static", *reference))
                    visible = publish_to_visible(env, base)
                    weight = page_weight(base, article)
            finally:
                stop(server)

    print()
    print(
        f"Site speed, wrk -t2 -c32 -d{args.duration}s on {os.cpu_count()} cores (server and wrk share them)"
    )
    nginx_rate = next(r[4] for r in rows if r[1] == "nginx")
    print("| data | server | page | cache | req/s | p99 | non-2xx | vs nginx | vs Ghost |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size, kind, name, mode, rate, p99, errors in rows:
        label = f"{articles_label(size, sizes)}"
        ghost = GHOST.get(name)
        print(
            f"| {label} | {kind} | {name} | {mode} | {rate:,.0f} | {p99} | {errors} | "
            f"{rate / nginx_rate:.1%} | {f'{rate / ghost:.1f}x' if ghost else '-'} |"
        )
    print()
    print("Publish to visible (seconds from the commit until a reader's request shows it):")
    for name, seconds in visible.items():
        # Shown before publish() returned: 0.00 (the commit comes before its timestamp is taken).
        shown = "not within 30 s" if seconds is None else f"{max(seconds, 0):.2f} s"
        print(f"  {name:<24} {shown}")
    print()
    print("Article page weight (transferred, gzip where the client accepts it):")
    for name, size in weight.items():
        print(f"  {name:<24} {size / 1024:.1f} KB")


def articles_label(size, sizes):
    _db, _redis, articles, feed_items = sizes[size]
    return f"{articles:,} articles / {feed_items:,} items"


def page_weight(base, path):
    """Bytes a browser transfers for an article's HTML, CSS and JavaScript (gzip accepted)."""
    body, headers = fetch(base + path, {"Accept-Encoding": "gzip"})
    html = body
    if headers.get("Content-Encoding") == "gzip":
        import gzip

        html = gzip.decompress(body)
    sizes = {"HTML": len(body)}
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    total_assets = 0
    for asset in sorted(set(assets)):
        data, _ = fetch(base + asset.decode(), {"Accept-Encoding": "gzip"})
        total_assets += len(data)
    sizes["CSS and JavaScript"] = total_assets
    sizes["total"] = sizes["HTML"] + total_assets
    return sizes


if __name__ == "__main__":
    main()
