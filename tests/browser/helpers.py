"""What the browser tests share: the WCAG rule set, axe, the Nu HTML Checker and signing in staff."""

import json
import shutil
import subprocess
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}
STAFF_PASSWORD = "a-long-password-1"


def axe_findings(page):
    """Each WCAG 2.x A/AA violation on the page as (rule, target, html)."""
    # Wagtail fades its messages in; axe would measure the contrast of a colour half way there.
    # (The admin only: the public site's CSP forbids the eval that wait_for_function needs.)
    if "/admin/" in page.url:
        page.wait_for_function(
            "document.getAnimations().every(a => a.playState !== 'running'"
            " || !(a.effect.target && a.effect.target.closest('.messages')))",
            polling=100,
        )
    result = Axe().run(page, options=WCAG)
    return [
        (violation["id"], node["target"], node["html"][:200])
        for violation in result.response["violations"]
        for node in violation["nodes"]
    ]


def assert_accessible(page, what):
    found = axe_findings(page)
    assert not found, (what, found)


def sign_in_to_admin(page, live_server, user_model, username="chief"):
    """Create a superuser and sign in through the admin's own login form."""
    user_model.objects.create_superuser(username, f"{username}@example.org", STAFF_PASSWORD)
    _log_in(page, live_server, username)
    return page


def _log_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


def nu_html_errors(files):
    """Run the Nu HTML Checker once over every file; return its errors."""
    java = shutil.which("java")
    assert java and VNU.exists(), (
        "The Nu checker needs Java and `npm install` (make test does both)"
    )
    result = subprocess.run(  # noqa: S603
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        {"file": Path(m.get("url", "")).name, "line": m.get("lastLine"), "message": m["message"]}
        for m in messages
        if m.get("type") == "error"
    ]


def sign_in_as(page, live_server, user_model, username, group):
    """Create a staff member in one of the newsroom's groups ("Writer", "Editor") and sign them in
    through the admin's login form."""
    from django.contrib.auth.models import Group

    user = user_model.objects.create_user(username, f"{username}@example.org", STAFF_PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    _log_in(page, live_server, username)
    return user
