"""Two-factor sign-in in the browser: turning it on, then signing in with a code, accessibly."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.helpers import STAFF_PASSWORD, assert_accessible, sign_in_to_admin


def _code(device, drift=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def test_an_editor_turns_on_two_factor_and_then_signs_in_with_a_code(
    live_server, browser_page, django_user_model
):
    page = sign_in_to_admin(browser_page, live_server, django_user_model)
    # turning it on, from the account menu's page
    page.goto(live_server.url + "/admin/two-factor/")
    expect(page.get_by_role("heading", name="Two-factor sign-in", level=1)).to_be_visible()
    expect(page.locator(".two-factor-qr svg")).to_be_visible()
    assert_accessible(page, "two-factor set-up")
    device = TOTPDevice.objects.get(user__username="chief", confirmed=False)
    page.get_by_label("Six-digit code from your authenticator app").fill(_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("Two-factor sign-in is on.")).to_be_visible()

    # signing in again: the password leads to the code page, and the code to the admin
    page.context.clear_cookies()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/two-factor/verify/**")
    assert_accessible(page, "two-factor code page")
    page.get_by_label("Six-digit code from your authenticator app").fill(_code(device, drift=1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_server.url + "/admin/")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
