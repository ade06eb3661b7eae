import io
import random

import factory
from django.core.files.images import ImageFile
from PIL import Image, ImageDraw
from wagtail.models import Collection

from masthead.images.models import NewsImage

PALETTES = [
    ((32, 58, 94), (214, 140, 69)),
    ((46, 79, 58), (224, 207, 150)),
    ((92, 38, 44), (230, 180, 120)),
    ((30, 30, 36), (120, 170, 210)),
    ((70, 60, 110), (240, 210, 170)),
]


def picture_bytes(seed, width=1600, height=900):
    """Draw a deterministic 'photo': a sky gradient, hills and a sun, as JPEG bytes."""
    rng = random.Random(seed)
    dark, light = rng.choice(PALETTES)
    img = Image.new("RGB", (width, height), dark)
    draw = ImageDraw.Draw(img)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(d + (lt - d) * t) for d, lt in zip(dark, light, strict=True)),
        )
    sun_x, sun_r = rng.randint(width // 5, 4 * width // 5), rng.randint(height // 12, height // 6)
    draw.ellipse(
        [sun_x - sun_r, height // 4 - sun_r, sun_x + sun_r, height // 4 + sun_r],
        fill=(250, 236, 200),
    )
    for layer in range(3):
        base = height // 2 + layer * height // 8
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, base + rng.randint(-height // 10, height // 10)))
        points.append((width, height))
        # Nearer hills are darker, but never black: the pictures should read as dusk, not a void.
        shade = tuple(
            int(d * (0.85 - 0.15 * layer) + lt * 0.12) for d, lt in zip(dark, light, strict=True)
        )
        draw.polygon(points, fill=shade)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=82)
    return out.getvalue()


class NewsImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsImage

    title = factory.Sequence(lambda n: f"Picture {n}")
    description = factory.Sequence(lambda n: f"A landscape of hills under a low sun, picture {n}")
    credit = "Masthead staff"
    collection = factory.LazyFunction(lambda: Collection.get_first_root_node())
    width = 1600
    height = 900

    @factory.lazy_attribute_sequence
    def file(self, n):
        return ImageFile(
            io.BytesIO(picture_bytes(n, self.width, self.height)), name=f"picture-{n}.jpg"
        )
