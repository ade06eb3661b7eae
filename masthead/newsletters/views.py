from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from masthead.core import ratelimit, security
from masthead.core.keys import LinkResult

from . import data_requests, links, services
from .forms import PreferencesForm, SignupForm
from .models import Confirmation

SIGNUPS_PER_IP_PER_HOUR = 20
# Beyond this, sign-ups for one address are quietly dropped, with the same answer as ever.
SIGNUPS_PER_ADDRESS_PER_HOUR = 5


def wants_json(request):
    """The in-place sign-up script asks for JSON; everything else gets pages."""
    return "application/json" in request.headers.get("Accept", "")


client_ip = ratelimit.client_ip


# A page reached by a link from one reader's e-mail is theirs alone: no cache may keep it.
private_page = cache_control(private=True, no_store=True)
# HEAD is what link checkers and mail scanners send first; it answers as GET would.
PAGE_METHODS = ["GET", "HEAD", "POST"]


@security.cross_site_refused
@require_http_methods(PAGE_METHODS)
def signup(request):
    """The newsletters page and the target of every sign-up form; works without JavaScript."""
    if request.method == "POST":
        form = SignupForm(request.POST)
        if not ratelimit.allow(
            "newsletter-signup", client_ip(request), SIGNUPS_PER_IP_PER_HOUR, 3600
        ):
            if wants_json(request):
                return JsonResponse({"ok": False, "message": str(TOO_MANY)}, status=429)
            return render(
                request,
                "newsletters/too_many.html",
                {"page_title": _("Too many sign-ups")},
                status=429,
            )
        if form.is_valid():
            address_key = services.keyed_hash(form.cleaned_data["email"].lower())
            if not form.is_bot() and ratelimit.allow(
                "newsletter-signup-address", address_key, SIGNUPS_PER_ADDRESS_PER_HOUR, 3600
            ):
                source = (
                    request.POST.get("source")
                    or request.META.get("HTTP_REFERER")
                    or "newsletters page"
                )[:200]
                services.subscribe(
                    form.cleaned_data["email"],
                    form.chosen_newsletters(),
                    source=source,
                    ip=client_ip(request),
                )
            if wants_json(request):
                return JsonResponse({"ok": True, "message": str(CHECK_INBOX)})
            return redirect("newsletters:check_inbox")
        if wants_json(request):
            return JsonResponse({"ok": False, "errors": _form_errors(form)}, status=400)
        status = 400
    else:
        # ?email= prefills the address (the thank-you page after checkout links here with it).
        form = SignupForm(
            initial={
                "newsletters": [n.pk for n in services.default_newsletters()],
                "email": request.GET.get("email", "")[:320],
            }
        )
        status = 200
    return render(
        request,
        "newsletters/signup_page.html",
        {
            "form": form,
            "page_title": _("Newsletters"),
            "newsletters": services.offered_newsletters(),
        },
        status=status,
    )


TOO_MANY = _("Too many sign-ups from your network in the last hour. Please try again later.")
CHECK_INBOX = _(
    "Almost done: we sent you an e-mail. Open the link in it to confirm your subscription."
)


def _form_errors(form):
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    if "__all__" in errors:
        errors["email"] = errors.get("email", []) + errors.pop("__all__")
    return errors


def check_inbox(request):
    return render(request, "newsletters/check_inbox.html", {"page_title": _("Check your inbox")})


@private_page
@require_http_methods(PAGE_METHODS)
def confirm(request, key):
    """The page behind the confirmation link. It shows a button; only pressing it (POST) confirms,
    so a mail scanner that opens the link (GET or HEAD) changes nothing."""
    ip = client_ip(request)
    if request.method == "POST":
        if "subscribe_again" in request.POST:
            if services.subscribe_again(key, ip=ip):
                return redirect("newsletters:check_inbox")
        elif services.confirm_subscription(key, ip=ip)[0] == services.ConfirmResult.CONFIRMED:
            status = services.confirmation_status(key)
            return _confirm_page(request, status, just_confirmed=True)
    return _confirm_page(request, services.confirmation_status(key))


def _confirm_page(request, status, *, just_confirmed=False):
    context = {
        "status": status,
        "result": status.result,
        "just_confirmed": just_confirmed,
        "lifetime_days": services.CONFIRMATION_LIFETIME.days,
        "page_title": _("Your subscription"),
    }
    # Only the press that confirms leads on to the preference centre: an old confirmation e-mail,
    # opened again by whoever holds it, must not hand out fresh preference links for ever.
    if just_confirmed and status.subscriber is not None and status.subscribed:
        context["preferences_url"] = links.preferences_path(status.subscriber)
    status_code = 400 if status.result == LinkResult.INVALID else 200
    return render(request, "newsletters/confirm.html", context, status=status_code)


@private_page
@ratelimit.limited("preferences")
@require_http_methods(PAGE_METHODS)
def preferences(request, token):
    """The preference centre, reached from a signed link in every e-mail, no sign-in. The link
    expires (links.PREFERENCES_LIFETIME); an old one offers to e-mail a fresh one."""
    link = links.read_preferences(token)
    subscriber = services.subscriber_for(link.subscriber_id) if link else None
    if subscriber is None:
        raise Http404("Unknown preferences link")
    if link.expired:
        if request.method == "POST" and "send_link" in request.POST:
            data_requests.request_link(subscriber, data_requests.PREFERENCES)
            return _link_sent(request)
        return render(
            request,
            "newsletters/preferences_expired.html",
            {
                "lifetime_days": links.PREFERENCES_LIFETIME.days,
                "page_title": _("This link has expired"),
            },
        )
    saved = False
    asked = None
    if request.method == "POST":
        if "unsubscribe_all" in request.POST:
            services.unsubscribe_all(subscriber, source="preference centre", ip=client_ip(request))
            return redirect("newsletters:unsubscribed")
        for purpose in data_requests.DATA_PURPOSES:
            if f"ask_{purpose}" in request.POST:
                data_requests.request_link(subscriber, purpose)
                asked = purpose
        form = PreferencesForm(request.POST, subscriber=subscriber)
        if asked is None and form.is_valid():
            services.update_preferences(
                subscriber, form.cleaned_data["newsletters"], ip=client_ip(request)
            )
            saved = True
        elif asked is None:
            return _preferences_page(request, subscriber, form, status=400)
    form = PreferencesForm(
        subscriber=subscriber,
        initial={"newsletters": list(services.confirmed_newsletters(subscriber))},
    )
    return _preferences_page(request, subscriber, form, saved=saved, asked=asked)


def _preferences_page(request, subscriber, form, *, saved=False, asked=None, status=200):
    return render(
        request,
        "newsletters/preferences.html",
        {
            "form": form,
            "subscriber": subscriber,
            "saved": saved,
            "asked": asked,
            "data_link_hours": int(data_requests.DATA_LINK_LIFETIME.total_seconds() // 3600),
            "page_title": _("Your newsletters"),
        },
        status=status,
    )


def _link_sent(request):
    return render(request, "newsletters/link_sent.html", {"page_title": _("Check your inbox")})


@private_page
@csrf_exempt  # RFC 8058: mail clients POST here without cookies; the signed token is the proof
@require_http_methods(PAGE_METHODS)
def one_click_unsubscribe(request, token):
    """POST unsubscribes at once from the newsletter the link came with (RFC 8058), or from all.
    GET, from the link in the e-mail, asks first: mail scanners open links, and a scanner must not
    unsubscribe anyone. The link can do nothing else; for more it e-mails a preference link."""
    link = links.read_unsubscribe(token)
    if link is None:
        raise Http404("Unknown unsubscribe link")
    subscriber = services.subscriber_for(link.subscriber_id)
    if subscriber is None:  # deleted at their request: nothing is sent to them any more
        return _unsubscribed(request, None)
    if request.method == "POST":
        if "send_preferences" in request.POST:
            data_requests.request_link(subscriber, data_requests.PREFERENCES)
            return _link_sent(request)
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        newsletter = services.unsubscribe_by_link(
            link,
            subscriber,
            one_click=one_click,
            everything="all" in request.POST,
            ip=client_ip(request),
        )
        return _unsubscribed(request, newsletter)
    return render(
        request,
        "newsletters/unsubscribe.html",
        {
            "subscriber": subscriber,
            "newsletter": services.unsubscribe_newsletter(link),
            "page_title": _("Unsubscribe"),
        },
    )


def _unsubscribed(request, newsletter):
    return render(
        request,
        "newsletters/unsubscribed.html",
        {"newsletter": newsletter, "page_title": _("Unsubscribed")},
    )


def unsubscribed(request):
    return _unsubscribed(request, None)


@private_page
@ratelimit.limited("preferences")
@require_http_methods(PAGE_METHODS)
def data_link(request, key):
    """The page behind an e-mailed link to download one's data or delete one's address.

    It shows what the link does and a button; only the button (POST) uses the link, once.
    """
    result, link = data_requests.find_data_link(key)
    purpose = link.purpose if link else None
    problem = ""
    if request.method == "POST" and result == LinkResult.OK:
        if purpose == Confirmation.Purpose.EXPORT and "download" in request.POST:
            used, data = data_requests.export_by_link(key)
            if used == LinkResult.OK:
                response = JsonResponse(data, json_dumps_params={"indent": 2})
                response["Content-Disposition"] = 'attachment; filename="my-newsletter-data.json"'
                return response
            result = used
        elif purpose == Confirmation.Purpose.ERASE and "erase" in request.POST:
            if request.POST.get("confirm_erase") != "yes":
                problem = _("Tick the box to confirm that we should delete your address.")
            else:
                used = data_requests.erase_by_link(key, ip=client_ip(request))
                if used == LinkResult.OK:
                    return render(
                        request,
                        "newsletters/forgotten.html",
                        {"page_title": _("Your address is deleted")},
                    )
                result = used
    elif request.method == "POST" and "send_preferences" in request.POST and link is not None:
        data_requests.request_link(link.subscriber, data_requests.PREFERENCES)
        return _link_sent(request)
    return render(
        request,
        "newsletters/data_link.html",
        {
            "result": result,
            "purpose": purpose,
            "problem": problem,
            "page_title": _("Your data"),
        },
        status=400 if problem or result == LinkResult.INVALID else 200,
    )
