import pytest
from django.core.exceptions import ValidationError

from masthead.images import renditions
from masthead.images.tests.factories import NewsImageFactory

pytestmark = pytest.mark.django_db


def test_an_image_without_alt_text_is_refused():
    image = NewsImageFactory.build(description="")
    with pytest.raises(ValidationError) as error:
        image.full_clean(exclude=["file", "collection"])
    assert "description" in error.value.message_dict


def test_the_image_form_asks_for_alt_text_and_credit():
    from wagtail.images.forms import get_image_form

    from masthead.images.models import NewsImage

    form = get_image_form(NewsImage)()
    assert form.fields["description"].required
    assert form.fields["description"].label == "Alt text"
    assert "credit" in form.fields


def test_picture_offers_webp_and_jpeg_at_every_width():
    # given
    image = NewsImageFactory()
    # when
    html = renditions.picture(image, "card")
    # then
    assert html.startswith('<picture><source type="image/webp"')
    assert html.count(" 320w") == 2 and html.count(" 640w") == 2
    assert 'width="640" height="360"' in html
    assert f'alt="{image.description}"' in html
    assert 'loading="lazy"' in html
