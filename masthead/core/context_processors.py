from django.conf import settings


def newsroom(request):
    """Give every template the site's absolute base URL and whether to show staff tools."""
    user = getattr(request, "user", None)
    return {
        "SITE_URL": settings.SITE_URL,
        "show_staff_tools": bool(user and user.is_authenticated and user.is_staff),
    }
