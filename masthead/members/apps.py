from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "masthead.members"
    label = "members"
    verbose_name = "Members"

    def ready(self):
        from masthead.core import pagecache

        from .models import MembershipSettings

        # Campaigns and progress call services.progress_changed(); settings change the appeal.
        pagecache.follow(MembershipSettings, "campaign")
