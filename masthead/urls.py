import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from masthead.audio import urls as audio_urls
from masthead.content import approving
from masthead.content import urls as content_urls
from masthead.core import admin_chooser, routing, uploads
from masthead.core import views as core_views
from masthead.feed import urls as feed_urls
from masthead.members import urls as member_urls
from masthead.newsletters import urls as newsletter_urls

urlpatterns = [
    # Wagtail's Approve and Request changes on the dashboard, telling the editor what they did.
    path(
        "admin/pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
        approving.workflow_action,
    ),
    # Wagtail's "Choose a page", opened in the edition of the page being written.
    path("admin/choose-page/", admin_chooser.browse),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document view, every document sent as a download that cannot run (core/uploads.py).
    path(
        "documents/<int:document_id>/<str:document_filename>",
        uploads.document,
        name="wagtaildocs_serve",
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
]

if settings.SERVE_MEDIA:
    # The embedded default serves uploads itself; production puts them on S3-compatible storage.
    urlpatterns += [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", uploads.media),
    ]

# Everything readers see, once per edition: the default language at the root, the others under
# their prefix (/uk/news-feed/). The language follows from the address alone (masthead.core.editions).
urlpatterns += i18n_patterns(
    path("news-feed/", include(feed_urls)),
    path("newsletters/", include(newsletter_urls)),
    path("members/", include(member_urls)),
    path("audio/", include(audio_urls)),
    path("", include(content_urls)),
    # Wagtail's page serving with a quicker route to the page (masthead.core.routing).
    re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "masthead.core.views.page_not_found"
handler500 = "masthead.core.views.server_error"
