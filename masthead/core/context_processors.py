from django.conf import settings


def can_use_admin(user):
    """Whether someone may open the Wagtail admin: staff are who the admin lets in, not is_staff."""
    return bool(user and user.is_authenticated and user.has_perm("wagtailadmin.access_admin"))


def newsroom(request):
    """Give every template the site's absolute base URL and whether to show staff tools."""
    return {
        "SITE_URL": settings.SITE_URL,
        "show_staff_tools": can_use_admin(getattr(request, "user", None)),
    }
