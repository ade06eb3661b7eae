import factory
from django.utils import timezone
from wagtail.rich_text import RichText

from masthead.newsletters import services
from masthead.newsletters.models import Issue, Newsletter, Subscriber, Subscription


class NewsletterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Newsletter

    name = factory.Sequence(lambda n: f"Newsletter {n}")
    slug = factory.Sequence(lambda n: f"newsletter-{n}")
    description = "News in your inbox."
    sender_name = "Masthead"
    sender_email = "newsletters@masthead.example"


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    newsletter = factory.SubFactory(NewsletterFactory)
    subject = factory.Sequence(lambda n: f"Morning briefing no. {n}")
    preheader = "What happened overnight, in five minutes."
    body = factory.LazyFunction(
        lambda: [
            ("heading", "Overnight"),
            ("paragraph", RichText("<p>Air-raid alerts lasted <b>four hours</b> in the east.</p>")),
            ("button", {"label": "Support our reporting", "url": "https://masthead.example/join/"}),
        ]
    )


def confirmed_readers(newsletter, count, *, prefix="reader"):
    """Add `count` confirmed subscribers in bulk and keep the newsletter's audience count right."""
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"{prefix}{n}@example.org", name=f"Reader {n}") for n in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(
            subscriber=s,
            newsletter=newsletter,
            state=Subscription.State.CONFIRMED,
            confirmed_at=now,
        )
        for s in subscribers
    )
    services.recount_audiences()
    return subscribers
