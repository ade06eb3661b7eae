"""The demo's audience and a day's work in hand: readers on the newsletters, members who pay, a gift
on its way and a story waiting for an editor, so that the Revenue and Editor journeys show real
lists rather than empty ones. Every address is at example.org; nothing here ever reaches Stripe."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.content.models import ArticleIndexPage, ArticlePage
from masthead.content.tests.factories import ArticlePageFactory
from masthead.core import editions
from masthead.members import services as members_services
from masthead.members.models import Gift, Member, Membership, Payment
from masthead.newsletters import services as newsletter_services
from masthead.newsletters.models import Newsletter, Subscriber, Subscription

READERS = 48
FIRST_NAMES = ["Olena", "Taras", "Iryna", "Andrii", "Maria", "Dmytro", "Sofia", "Yurii", "Anna"]
FAMILY_NAMES = ["Kovalenko", "Shevchuk", "Bondar", "Melnyk", "Tkachenko", "Hrytsenko", "Lysenko"]
# (interval, amount in minor units, state) of the demo's recurring members
RECURRING = [
    ("month", 1000, Membership.State.ACTIVE),
    ("month", 500, Membership.State.ACTIVE),
    ("month", 2500, Membership.State.ACTIVE),
    ("year", 10000, Membership.State.ACTIVE),
    ("month", 1000, Membership.State.ACTIVE),
    ("year", 5000, Membership.State.ACTIVE),
    ("month", 1000, Membership.State.PAST_DUE),
    ("month", 500, Membership.State.CANCELLING),
    ("month", 1000, Membership.State.ENDED),
]


def create_demo_audience(rng, *, currency="EUR"):
    """Readers, members, payments, gifts and a story in review. Returns what it made, counted."""
    now = timezone.now()
    people = [_person(rng, n) for n in range(READERS)]
    subscribers = _subscribe(rng, people, now)
    members = _members(rng, people, now, currency)
    gifts = _gifts(people, now, currency)
    in_review = _story_in_review(rng)
    return {
        "subscribers": subscribers,
        "members": members,
        "gifts": gifts,
        "in_review": in_review,
    }


def _person(rng, n):
    first, family = rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES)
    return f"{first} {family}", f"{first.lower()}.{family.lower()}.{n}@example.org"


def _subscribe(rng, people, now):
    """Most readers confirmed on the daily briefing, some on more, a few pending or gone."""
    newsletters = {n.slug: n for n in Newsletter.objects.all()}
    made = 0
    for n, (_name, address) in enumerate(people):
        subscriber = Subscriber.objects.create(email=address)
        chosen = ["daily-briefing"] + (["from-the-front"] if n % 3 == 0 else [])
        if "ranok" in newsletters and n % 4 == 1:
            chosen = ["ranok"]
        state = Subscription.State.CONFIRMED
        if n % 11 == 5:
            state = Subscription.State.PENDING
        elif n % 13 == 7:
            state = Subscription.State.UNSUBSCRIBED
        for slug in chosen:
            if slug not in newsletters:
                continue
            joined = now - datetime.timedelta(days=rng.randint(1, 300))
            Subscription.objects.create(
                subscriber=subscriber,
                newsletter=newsletters[slug],
                state=state,
                source="demo",
                created_at=joined,
                confirmed_at=joined if state != Subscription.State.PENDING else None,
                unsubscribed_at=now if state == Subscription.State.UNSUBSCRIBED else None,
            )
        made += 1
    newsletter_services.recount_audiences()
    return made


def _members(rng, people, now, currency):
    """Recurring members in each state, one-time supporters and one added by the newsroom."""
    made = []
    for n, (interval, amount, state) in enumerate(RECURRING):
        name, address = people[n]
        member = Member.objects.create(email=address, name=name)
        started = now - datetime.timedelta(days=rng.randint(40, 400))
        step = datetime.timedelta(days=30 if interval == "month" else 365)
        Membership.objects.create(
            member=member,
            kind=Membership.Kind.RECURRING,
            state=state,
            interval=interval,
            amount=amount,
            currency=currency,
            started_at=started,
            renews_at=now + datetime.timedelta(days=rng.randint(1, 28)),
            ended_at=now - datetime.timedelta(days=3) if state == Membership.State.ENDED else None,
        )
        paid_at = started
        while paid_at < now:
            Payment.objects.create(
                member=member,
                kind=Payment.Kind.MEMBERSHIP,
                stripe_payment_intent_id=f"pi_demo_{len(made)}_{paid_at:%Y%m%d}",
                amount=amount,
                currency=currency,
                paid_at=paid_at,
            )
            paid_at += step
        made.append(member)
    for n, amount in enumerate([2500, 5000, 1000]):
        name, address = people[len(RECURRING) + n]
        member = Member.objects.create(email=address, name=name)
        Payment.objects.create(
            member=member,
            kind=Payment.Kind.ONE_TIME,
            stripe_payment_intent_id=f"pi_demo_once_{n}",
            amount=amount,
            currency=currency,
            paid_at=now - datetime.timedelta(days=rng.randint(1, 60)),
        )
        made.append(member)
    name, address = people[len(RECURRING) + 3]
    given = Member.objects.create(email=address, name=name)
    members_services.keep_complimentary_membership(given, given=True)
    made.append(given)
    for member in made:
        members_services.refresh_member(member)
    return len(made)


def _gifts(people, now, currency):
    """One gift paid and waiting for its day, one already sent."""
    buyer_name, buyer = people[-1]
    recipient_name, recipient = people[-2]
    Gift.objects.create(
        buyer_email=buyer,
        buyer_name=buyer_name,
        recipient_email=recipient,
        recipient_name=recipient_name,
        message="Happy birthday! You always read me the headlines anyway.",
        months=12,
        deliver_on=timezone.localdate() + datetime.timedelta(days=5),
        amount=6000,
        currency=currency,
        state=Gift.State.PAID,
        stripe_payment_intent_id="pi_demo_gift_0",
        paid_at=now - datetime.timedelta(days=2),
    )
    other_name, other = people[-3]
    Gift.objects.create(
        buyer_email=buyer,
        buyer_name=buyer_name,
        recipient_email=other,
        recipient_name=other_name,
        months=3,
        deliver_on=timezone.localdate() - datetime.timedelta(days=10),
        amount=1800,
        currency=currency,
        state=Gift.State.DELIVERED,
        stripe_payment_intent_id="pi_demo_gift_1",
        paid_at=now - datetime.timedelta(days=12),
        delivered_at=now - datetime.timedelta(days=10),
    )
    return 2


def _story_in_review(rng):
    """A draft by the demo writer, submitted to the review workflow: the editor's first task."""
    writer = get_user_model().objects.filter(username="writer").first()
    news = ArticleIndexPage.objects.filter(
        locale__language_code=editions.default_language()
    ).first()
    if writer is None or news is None:
        return 0
    existing = news.get_children().specific().live().first()
    story = ArticlePageFactory(
        parent=news,
        title="Night trains to the east run again, with a timetable kept secret",
        slug="night-trains-to-the-east-run-again",
        summary="Passengers learn the departure hour by text message, a day ahead.",
        section=existing.section if existing else None,
        hero_image=existing.hero_image if existing else None,
        hero_caption="A platform at dawn. Illustration generated for the demo.",
        hero_credit="Masthead demo",
        authors=[entry.author for entry in existing.byline.all()][:1] if existing else [],
        owner=writer,
    )
    # The factory publishes what it makes: this one is a draft, never published.
    ArticlePage.objects.filter(pk=story.pk).update(
        live=False, first_published_at=None, last_published_at=None, live_revision=None
    )
    story = ArticlePage.objects.get(pk=story.pk)
    revision = story.save_revision(user=writer)
    story.get_workflow().start(story, writer)
    return 1 if revision else 0
