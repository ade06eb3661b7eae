"""Optional two-factor sign-in (TOTP) for the newsroom's admin.

Any staff member can turn it on from their account page: scan the code with an authenticator app,
type one code to prove it works. From then on, signing in with the password alone reaches only the
page that asks for the six-digit code; the admin stays closed until it is given. Turning it off asks
for a code too, so a stolen session cannot quietly remove it.
"""

import io

from django import forms
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from .security import local_path

# Admin pages an account with two-factor sign-in may open before giving its code.
OPEN_BEFORE_CODE = (
    "two-factor/verify/", "logout/", "login/", "jsi18n/",
    "sprite/",  # the icons, fetched by every admin page, this one too
)  # fmt: skip


class TwoFactorMiddleware:
    """Keep the admin closed to a signed-in account with two-factor on until its code is given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # path_info: the address inside the site. request.path also carries the prefix the site is
        # served under (SCRIPT_NAME), which would let /prefix/admin/ through unchecked.
        if request.path_info.startswith("/admin/") and self._needs_code(request):
            rest = request.path_info.removeprefix("/admin/")
            if not rest.startswith(OPEN_BEFORE_CODE):
                verify = reverse("masthead_two_factor_verify")
                return redirect(f"{verify}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _needs_code(request):
        user = getattr(request, "user", None)
        return (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and user_has_device(user, confirmed=True)
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def __init__(self, *args, devices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = list(devices)
        self.device = None

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        for device in self.devices:
            allowed, _details = device.verify_is_allowed()
            if not allowed:
                # django-otp waits longer after each wrong code, so codes cannot be guessed.
                raise forms.ValidationError(
                    _(
                        "Too many wrong codes in a row. Wait a few seconds, then type the code shown now."
                    )
                )
            if device.verify_token(code):
                self.device = device
                return code
        raise forms.ValidationError(
            _("That code is not right. Codes change every 30 seconds: type the one shown now.")
        )


def _confirmed(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True)


def verify(request):
    """After the password: the code. Reached from the middleware's redirect."""
    if not request.user.is_authenticated:
        return redirect("wagtailadmin_login")
    next_url = local_path(
        request.POST.get("next") or request.GET.get("next"), reverse("wagtailadmin_home")
    )
    form = CodeForm(request.POST or None, devices=_confirmed(request.user))
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        return redirect(next_url)
    return render(
        request,
        "core/two_factor_verify.html",
        {"form": form, "next": next_url, "page_title": _("Two-factor sign-in")},
        status=400 if form.errors else 200,
    )


def manage(request):
    """The account's two-factor page: turn it on (scan, confirm with a code) or off (with a code)."""
    user = request.user
    confirmed = list(_confirmed(user))
    if confirmed:
        form = CodeForm(request.POST or None, devices=confirmed)
        if request.method == "POST" and form.is_valid():
            TOTPDevice.objects.filter(user=user).delete()
            return render(request, "core/two_factor.html", {"turned_off": True})
        return render(request, "core/two_factor.html", {"on": True, "form": form})

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None, devices=[device])
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        return render(request, "core/two_factor.html", {"turned_on": True})
    image = io.BytesIO()
    write_qrcode_image(device.config_url, image)
    svg = image.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration: the SVG sits inside the page
    return render(
        request,
        "core/two_factor.html",
        {
            "form": form,
            "qr_svg": mark_safe(svg),  # noqa: S308 - made here by qrcode from our own URL
            "secret": _grouped(device.bin_key),
        },
        status=400 if form.errors else 200,
    )


def _grouped(key):
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def urls():
    return [
        path("two-factor/", manage, name="masthead_two_factor"),
        path("two-factor/verify/", verify, name="masthead_two_factor_verify"),
    ]
