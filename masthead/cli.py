"""The `masthead` console command: a thin wrapper over manage.py with the newsroom's everyday verbs.

masthead setup            migrate, and load the demo newsroom if the database is empty
masthead run              setup, then serve the site and run the background worker together
masthead worker           run background tasks and publish scheduled pages
masthead seed [...]       build demo content (see `masthead seed --help`)
masthead <anything else>  passed to manage.py
"""

import os
import signal
import subprocess
import sys


def _manage(*args):
    from django.core.management import execute_from_command_line

    execute_from_command_line(["masthead", *args])


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.dev")
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])

    if command == "run":
        return run(rest)
    if command == "worker":
        return _manage("newsroom_worker", *rest)
    if command == "seed":
        return _manage("seed", *rest)
    if command == "setup":
        return _manage("setup_newsroom", *rest)
    if command in ("help", "--help", "-h"):
        print(__doc__)
        return _manage("help")
    return _manage(command, *rest)


def run(rest):
    """Set up, then serve on HOST:PORT with a worker beside the web process; Ctrl+C stops both."""
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    # Links in feeds, sitemaps and the console follow where the site is served unless told otherwise.
    public_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - a comparison
    os.environ.setdefault("SITE_URL", f"http://{public_host}:{port}")
    _manage("setup_newsroom")
    # Static files with brotli and gzip copies, served by WhiteNoise (settings/dev.py); only what
    # changed since the last start is compressed again.
    _manage("collectstatic", "--noinput", "--verbosity", "0")
    worker = subprocess.Popen([sys.executable, "-m", "masthead.cli", "worker"])  # noqa: S603
    try:
        _manage("runserver", f"{host}:{port}", "--noreload", "--nostatic", *rest)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


if __name__ == "__main__":
    sys.exit(main())
