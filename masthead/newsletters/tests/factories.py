import factory

from masthead.newsletters.models import Newsletter


class NewsletterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Newsletter

    name = factory.Sequence(lambda n: f"Newsletter {n}")
    slug = factory.Sequence(lambda n: f"newsletter-{n}")
    description = "News in your inbox."
    sender_name = "Masthead"
    sender_email = "newsletters@masthead.example"
