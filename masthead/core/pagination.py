"""Pagination that never turns a bad ?page= into a 500: junk gives page 1, past the end gives 404."""

from django.core.paginator import Paginator
from django.http import Http404


def paginate(request, queryset, per_page):
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = 1
    if number < 1:
        number = 1
    if number > 1 and number > paginator.num_pages:
        raise Http404("No such page")
    return paginator.page(number)
