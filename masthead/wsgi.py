import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.dev")

from masthead.core.fastpath import PageCacheApp  # noqa: E402 - needs the settings module chosen above

# Cached pages are answered from each process's memory before Django runs (core/fastpath.py).
application = PageCacheApp(get_wsgi_application())
