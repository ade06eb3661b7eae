from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("join/", views.join, name="join"),
    path("gift/", views.gift, name="gift"),
    path("thanks/", views.thanks, name="thanks"),
    path("banner/dismiss/", views.dismiss_banner, name="dismiss_banner"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<str:key>/", views.sign_in_link, name="sign_in_link"),
    path("account/", views.account, name="account"),
    path("account/data.json", views.account_data, name="account_data"),
    path("account/delete/", views.delete_account, name="delete_account"),
    path("gift/redeem/<str:key>/", views.redeem_gift, name="redeem_gift"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
]
