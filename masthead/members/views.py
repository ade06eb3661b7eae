"""Reader-facing pages of the drive: join, give, thank, sign in, the account, and Stripe's webhook."""

import logging
import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from masthead.core import ratelimit, security
from masthead.newsletters.services import keyed_hash

from . import services, stripe_api
from .forms import DeleteAccountForm, GiftForm, JoinForm, SignInForm
from .models import Member
from .money import format_money

logger = logging.getLogger("masthead.members")


def _remember(response, member, *, just_paid=False):
    response.set_cookie(
        services.MEMBER_COOKIE,
        services.member_cookie_value(member, just_paid=just_paid),
        max_age=services.MEMBER_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


UNREACHABLE = gettext_lazy("We could not reach our payment provider. Please try again in a minute.")
PORTAL_UNREACHABLE = gettext_lazy(
    "We could not open your billing page at our payment provider. Nothing was changed. "
    "Please try again in a minute."
)


def _payable(request):
    """The posted data to check, or None: without Stripe keys nothing is checked or taken."""
    return request.POST if request.method == "POST" and stripe_api.configured() else None


def _checkout(request, form, open_session):
    """Send a valid form to Stripe Checkout. Returns (redirect or None, problem, status)."""
    if request.method != "POST":
        return None, None, 200
    if not stripe_api.configured():
        return None, None, 503  # the page's own notice says so, once
    if not form.is_valid():
        return None, None, 400
    try:
        url = open_session(form.cleaned_data)
    except Exception:  # noqa: BLE001 - Stripe down or refusing: say so, keep the form
        logger.exception("Could not open a Stripe Checkout session")
        return None, UNREACHABLE, 502
    return redirect(url, permanent=False), None, 302


@ratelimit.limited("join")
def join(request):
    """Become a member (monthly or yearly) or support once, through Stripe Checkout."""
    config = services.membership_settings(request)
    form = JoinForm(_payable(request), config=config, initial={"frequency": "month"})
    response, problem, status = _checkout(
        request,
        form,
        lambda data: services.start_checkout(
            frequency=data["frequency"],
            amount=data["minor_amount"],
            email=data["email"],
            success_url=services.absolute_url("members:thanks"),
            cancel_url=services.absolute_url("members:join"),
            request=request,
            signed_in=_signed_in_member(request),
        ),
    )
    if response:
        return response
    options = {
        frequency: [
            (minor, format_money(minor, config.currency)) for minor in config.suggested(frequency)
        ]
        for frequency in ("month", "year", "once")
    }
    return render(
        request,
        "members/join.html",
        {
            "form": form,
            "options": options,
            "config": config,
            "problem": problem,
            "payments_ready": stripe_api.configured(),
            "page_title": _("Support our journalism"),
        },
        status=status,
    )


GIFT_DETAILS = (
    "buyer_email",
    "buyer_name",
    "recipient_email",
    "recipient_name",
    "message",
    "months",
    "deliver_on",
)


@ratelimit.limited("gift")
def gift(request):
    """Buy a membership for someone else, delivered by e-mail on the day you choose."""
    config = services.membership_settings(request)
    form = GiftForm(_payable(request))

    def open_session(data):
        return services.buy_gift(
            config=config,
            success_url=services.absolute_url("members:thanks"),
            cancel_url=services.absolute_url("members:gift"),
            **{field: data[field] for field in GIFT_DETAILS},
        )

    response, problem, status = _checkout(request, form, open_session)
    if response:
        return response
    prices = [
        (m, format_money(config.gift_price(m), config.currency)) for m in services.GIFT_MONTHS
    ]
    return render(
        request,
        "members/gift.html",
        {
            "form": form,
            "prices": prices,
            "problem": problem,
            "payments_ready": stripe_api.configured(),
            "page_title": _("Give a membership"),
        },
        status=status,
    )


@never_cache
def thanks(request):
    """Back from Stripe Checkout. Says thank you; the membership itself comes from the webhook."""
    session = None
    session_id = request.GET.get("session_id", "")[:200]
    if session_id and stripe_api.configured():
        try:
            session = stripe_api.checkout_session(session_id)
        except Exception:  # noqa: BLE001 - an odd id or Stripe away: a plain thank-you
            logger.info("Checkout session %r could not be read", session_id)
    complete = session is not None and session["status"] == "complete"
    kind = (session.get("metadata") or {}).get("masthead_kind") if complete else None
    email = ((session.get("customer_details") or {}).get("email") or "") if complete else ""
    response = render(
        request,
        "members/thanks.html",
        {
            "complete": complete,
            "kind": kind,
            "email": email,
            "page_title": _("Thank you"),
        },
    )
    if complete and kind == "membership":
        member = services.ensure_member(session["customer"], email, session.get("metadata"))
        if member is not None:
            # Appeals step back at once, before the webhook lands.
            _remember(response, member, just_paid=True)
    return response


@security.cross_site_refused
@ratelimit.limited("banner")
@require_POST
def dismiss_banner(request):
    """Hide the campaign banner in this browser; it stays hidden for this campaign."""
    # A campaign's id, digits only: the value goes into a cookie header (fuzzing found Unicode here).
    campaign_id = request.POST.get("campaign", "")
    campaign_id = campaign_id if re.fullmatch(r"[0-9]{1,20}", campaign_id, re.ASCII) else ""
    back = security.local_path(request.POST.get("next"))
    response = (
        HttpResponse(status=204)
        if "application/json" in request.headers.get("Accept", "")
        else HttpResponseRedirect(back)
    )
    response.set_cookie(
        services.DISMISS_COOKIE,
        campaign_id,
        max_age=90 * 24 * 3600,
        samesite="Lax",
        httponly=True,
    )
    return response


@ratelimit.limited("sign-in")
def sign_in(request):
    """Ask for a sign-in link. The answer is the same whether or not the address is a member's."""
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_sign_in(
            form.cleaned_data["email"], ip_hash=keyed_hash(ratelimit.client_ip(request))
        )
        return render(
            request,
            "members/sign_in_sent.html",
            {"email": form.cleaned_data["email"], "page_title": _("Check your inbox")},
        )
    return render(
        request,
        "members/sign_in.html",
        {"form": form, "page_title": _("Sign in")},
        status=400 if form.errors else 200,
    )


@ratelimit.limited("sign-in-link")
@never_cache
def sign_in_link(request, key):
    """The link from the e-mail. GET asks (mail scanners open links); POST signs in, once."""
    if request.method == "POST":
        result, member = services.sign_in(key)
        if member is not None:
            request.session.cycle_key()
            request.session["member_id"] = member.pk
            return _remember(redirect("members:account"), member)
    else:
        result, _link = services.check_sign_in_link(key)
    return render(
        request,
        "members/sign_in_link.html",
        {"result": result, "page_title": _("Sign in")},
        status=200 if result == services.LinkResult.OK else 410,
    )


def _signed_in_member(request):
    member_id = services.signed_in_member_id(request)
    return Member.objects.filter(pk=member_id).first() if member_id else None


def _account_page(request, member, *, delete_form=None, problem=None, status=200):
    from masthead.newsletters.models import Subscriber
    from masthead.newsletters.services import preferences_url

    subscriber = Subscriber.objects.filter(email__iexact=member.email).first()
    return render(
        request,
        "members/account.html",
        {
            "member": member,
            "membership": member.current_membership,
            "newsletters_url": preferences_url(subscriber) if subscriber else None,
            "can_manage_billing": bool(member.stripe_customer_id) and stripe_api.configured(),
            "delete_form": delete_form or DeleteAccountForm(),
            "problem": problem,
            "page_title": _("Your account"),
        },
        status=status,
    )


@ratelimit.limited("account")
@never_cache
def account(request):
    member = _signed_in_member(request)
    if member is None:
        return redirect("members:sign_in")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "sign_out":
            request.session.flush()
            response = redirect("members:sign_in")
            response.delete_cookie(services.MEMBER_COOKIE)
            return response
        if action == "billing" and member.stripe_customer_id and stripe_api.configured():
            try:
                portal = stripe_api.portal_session(
                    member.stripe_customer_id, services.absolute_url("members:account")
                )
            except Exception:  # noqa: BLE001 - Stripe down or refusing: say so on the page
                logger.exception("Could not open the Stripe customer portal")
                return _account_page(request, member, problem=PORTAL_UNREACHABLE, status=502)
            return redirect(portal["url"])
    return _account_page(request, member)


@never_cache
def account_data(request):
    member = _signed_in_member(request)
    if member is None:
        return redirect("members:sign_in")
    response = HttpResponse(services.export_data(member), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-membership-data.json"'
    return response


@ratelimit.limited("delete-account")
@never_cache
@require_POST
def delete_account(request):
    member = _signed_in_member(request)
    if member is None:
        return redirect("members:sign_in")
    form = DeleteAccountForm(request.POST)
    problem = None
    if form.is_valid():
        try:
            services.delete_member(member)
        except Exception:  # noqa: BLE001 - Stripe refused to cancel: nothing erased, say so
            logger.exception("Deleting member %s failed", member.pk)
            problem = _(
                "We could not cancel your membership with our payment provider, so nothing was "
                "deleted. Please try again in a minute."
            )
        else:
            request.session.flush()
            response = render(request, "members/deleted.html", {"page_title": _("Account deleted")})
            response.delete_cookie(services.MEMBER_COOKIE)
            return response
    return _account_page(request, member, delete_form=form, problem=problem, status=400)


@ratelimit.limited("redeem")
@never_cache
def redeem_gift(request, key):
    """The gift link. GET shows the gift; POST makes the recipient a member and signs them in."""
    if request.method == "POST":
        result, member = services.redeem_gift(key)
        if member is not None:
            request.session.cycle_key()
            request.session["member_id"] = member.pk
            return _remember(redirect("members:account"), member)
        gift_obj = None
    else:
        result, gift_obj = services.find_gift(key)
    return render(
        request,
        "members/redeem.html",
        {"result": result, "gift": gift_obj, "page_title": _("Your gift membership")},
        status=200 if result == services.LinkResult.OK else 410,
    )


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events: signature checked by the SDK, each event handled once."""
    try:
        event = stripe_api.verify_event(request.body, request.headers.get("Stripe-Signature"))
    except ValueError as error:
        logger.warning("Refused a Stripe webhook: %s", error)
        return HttpResponseBadRequest("bad signature")
    outcome = services.handle_event(event)
    return HttpResponse(outcome)
