"""The embedded default: SQLite, the database task queue, files on disk, e-mail to files."""

from .base import *  # noqa: F403
from .base import os

# Off by default so a newcomer sees the designed 404 and error pages; DEBUG=1 for tracebacks.
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = ["*"]
