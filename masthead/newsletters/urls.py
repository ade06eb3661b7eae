from django.urls import path

from . import views, webhooks

app_name = "newsletters"
urlpatterns = [
    path("", views.signup, name="signup"),
    path("check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("confirm/<str:key>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.one_click_unsubscribe, name="unsubscribe"),
    path("unsubscribed/", views.unsubscribed, name="unsubscribed"),
    path("your-data/<str:key>/", views.data_link, name="data_link"),
    path(
        "webhooks/<slug:provider>/tracking/",
        webhooks.tracking_webhook,
        name="tracking_webhook",
    ),
]
