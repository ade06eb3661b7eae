import factory
from django.utils import timezone

from masthead.feed.models import FeedItem


class FeedItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedItem

    text = factory.Sequence(lambda n: f"Update number {n} from the newsroom.")
    published_at = factory.LazyFunction(timezone.now)
