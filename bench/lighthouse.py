"""Lighthouse scores for the home and article pages, as readers get them (`make lighthouse`).

    .venv/bin/python bench/lighthouse.py [--url http://127.0.0.1:8000]

Without --url it builds the demo newsroom in a scratch folder (SQLite, files on disk) and serves it
in the production profile (granian, WhiteNoise, the page cache), then runs Lighthouse 12 (npm, with
Debian's Chromium) on the home page and the newest article: performance, accessibility, best
practices and SEO, on Lighthouse's default mobile settings. Prints each score and, for any below
100, the audits that cost points. Exits non-zero when a score is below 100.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.site_speed import fetch, free_port, stop, wait_for  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


def serve_demo():
    folder = Path(tempfile.mkdtemp(prefix="masthead-lighthouse-"))
    port = free_port()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="masthead.settings.production",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        SECRET_KEY="lighthouse-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
        SERVE_MEDIA="1",
        MASTHEAD_VAR_DIR=str(folder),
        SITE_URL=f"http://127.0.0.1:{port}",
        TASKS_BACKEND="immediate",
        LOG_LEVEL="ERROR",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",  # a measurement mails no one
    )
    env.pop("REDIS_URL", None)
    for args in (["setup_newsroom"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    server = subprocess.Popen(  # noqa: S603 - our own server
        [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi",
         "masthead.wsgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--blocking-threads", "4", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/")
    return base, server


def lighthouse(url):
    command = [
        str(ROOT / "node_modules" / ".bin" / "lighthouse"), url, "--quiet", "--output=json",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
    ]  # fmt: skip
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(result.stdout)


def shortfalls(report, category):
    """Audits that cost this category points, with what Lighthouse says about each."""
    found = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            found.append(f"{audit['title']} ({audit.get('displayValue') or audit['score']})")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running site; by default a demo site is built and served")
    args = parser.parse_args(argv)
    server = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        print("Building the demo newsroom and serving it in the production profile ...", flush=True)
        base, server = serve_demo()
    try:
        home = fetch(base + "/")[0].decode()
        article = re.search(r'href="(/news/[^"]+/)"', home).group(1)
        pages = {"home": "/", "article": article}
        below = 0
        print(f"\n| page | {' | '.join(CATEGORIES)} |\n|---|{'---|' * len(CATEGORIES)}")
        details = []
        for name, path in pages.items():
            fetch(base + path)  # as a reader after the first finds it: from the page cache
            report = lighthouse(base + path)
            scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
            print(f"| {name} | {' | '.join(str(scores[c]) for c in CATEGORIES)} |", flush=True)
            for category, score in scores.items():
                if score < 100:
                    below += 1
                    details.append(
                        f"{name} {category} {score}: " + "; ".join(shortfalls(report, category))
                    )
        for line in details:
            print("  " + line)
        return 1 if below else 0
    finally:
        if server is not None:
            stop(server)


if __name__ == "__main__":
    sys.exit(main())
