from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from masthead.core import ratelimit, security

from . import services
from .forms import PreferencesForm, SignupForm

SIGNUPS_PER_IP_PER_HOUR = 20
# Beyond this, sign-ups for one address are quietly dropped, with the same answer as ever.
SIGNUPS_PER_ADDRESS_PER_HOUR = 5


def wants_json(request):
    """The in-place sign-up script asks for JSON; everything else gets pages."""
    return "application/json" in request.headers.get("Accept", "")


client_ip = ratelimit.client_ip


@security.cross_site_refused
@require_http_methods(["GET", "POST"])
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


def confirm(request, key):
    result, subscriber = services.confirm_subscription(key, ip=client_ip(request))
    context = {"result": result, "page_title": _("Your subscription")}
    if subscriber is not None and result != services.ConfirmResult.EXPIRED:
        context["preferences_url"] = reverse(
            "newsletters:preferences", args=[services.preferences_token(subscriber)]
        )
    status = (
        200 if result in (services.ConfirmResult.CONFIRMED, services.ConfirmResult.ALREADY) else 400
    )
    return render(request, "newsletters/confirm.html", context, status=status)


@ratelimit.limited("preferences")
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    """The preference centre: reached from a signed link in every e-mail, no sign-in."""
    subscriber = services.subscriber_from_token(token)
    if subscriber is None:
        raise Http404("Unknown preferences link")
    saved = False
    forget_problem = ""
    if request.method == "POST":
        if "forget" in request.POST:
            if request.POST.get("confirm_forget") == "yes":
                services.forget_subscriber(subscriber, ip=client_ip(request))
                return render(
                    request,
                    "newsletters/forgotten.html",
                    {"page_title": _("Your address is deleted")},
                )
            forget_problem = _("Tick the box to confirm that we should delete your address.")
        if "unsubscribe_all" in request.POST:
            services.unsubscribe_all(subscriber, source="preference centre", ip=client_ip(request))
            return redirect("newsletters:unsubscribed")
        form = PreferencesForm(request.POST, subscriber=subscriber)
        if not forget_problem and form.is_valid():
            services.update_preferences(
                subscriber, form.cleaned_data["newsletters"], ip=client_ip(request)
            )
            saved = True
    form = PreferencesForm(
        subscriber=subscriber,
        initial={"newsletters": list(services.confirmed_newsletters(subscriber))},
    )
    return render(
        request,
        "newsletters/preferences.html",
        {
            "form": form,
            "subscriber": subscriber,
            "saved": saved,
            "forget_problem": forget_problem,
            "token": token,
            "page_title": _("Your newsletters"),
        },
        status=400 if forget_problem else 200,
    )


@ratelimit.limited("preferences", methods=("GET",))
def subscriber_data(request, token):
    """A reader's own data, as JSON, from the signed link in their preference centre."""
    subscriber = services.subscriber_from_token(token)
    if subscriber is None:
        raise Http404("Unknown preferences link")
    response = JsonResponse(services.subscriber_data(subscriber), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-newsletter-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt  # RFC 8058: mail clients POST here without cookies; the signed token is the proof
@require_http_methods(["GET", "POST"])
def one_click_unsubscribe(request, token):
    """POST unsubscribes at once (RFC 8058). GET, from the link in the e-mail, asks first:
    mail scanners open links, and a scanner must not unsubscribe anyone."""
    subscriber, issue_id = services.read_token(token)
    if subscriber is None:
        raise Http404("Unknown unsubscribe link")
    if request.method == "GET":
        return render(
            request,
            "newsletters/unsubscribe.html",
            {"subscriber": subscriber, "page_title": _("Unsubscribe")},
        )
    services.unsubscribe_all(subscriber, ip=client_ip(request), issue_id=issue_id)
    return render(request, "newsletters/unsubscribed.html", {"page_title": _("Unsubscribed")})


def unsubscribed(request):
    return render(request, "newsletters/unsubscribed.html", {"page_title": _("Unsubscribed")})
