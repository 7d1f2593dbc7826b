"""Lists that grow without bound: search and filters read from the query string, and pages of rows.

A list page declares a ListFilters form (its fields, and how they narrow its rows: the domain's query),
hands the rows to paginate(), and its template includes core/_list_filters.html and core/_list_pages.html.
The page links keep every other parameter of the query string, so the filters survive paging and, on a
page with several lists (each form with its own prefix), one list's page does not reset another's.
A malformed filter (a date like 2026-02-30, a search of thousands of characters) lists nothing and says why
with a 400, rather than silently listing everything.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # what gettext_lazy gives, as django-stubs call it

PAGE_SIZE = 50
SEARCH_LENGTH = 100

# How a factory is found by what people type: a fragment of any of its three names (Latin, Khmer,
# Chinese script), or its reference or licence number exactly. By ORM path, like the policy's table,
# so that every app can search the factories its rows point to (ims.factories uses it for its own search).
FACTORY_NAMES = ("name_en", "name_km", "name_zh")
FACTORY_NUMBERS = ("ref", "registration_no", "export_licence_no")


def factory_matches(text: str, path: str = "") -> Q:
    """The condition that the factory at `path` (e.g. "assessment__factory"; "" for Factory itself) matches."""
    prefix = f"{path}__" if path else ""
    condition = Q()
    for name in FACTORY_NAMES:
        condition |= Q(**{f"{prefix}{name}__icontains": text})
    for number in FACTORY_NUMBERS:
        condition |= Q(**{f"{prefix}{number}__iexact": text})
    return condition


def person_matches(text: str, path: str) -> Q:
    """The condition that the person at `path` (e.g. "actor") has `text` in their name or email address."""
    return Q(**{f"{path}__full_name__icontains": text}) | Q(**{f"{path}__email__icontains": text})


def factory_at(path: str = "") -> Callable[[str], Q]:
    """A filter's narrowing: the rows whose factory at `path` matches what was typed."""
    return lambda text: factory_matches(text, path)


def person_at(path: str) -> Callable[[str], Q]:
    """A filter's narrowing: the rows whose person at `path` matches what was typed."""
    return lambda text: person_matches(text, path)


def search_field(label: "str | _StrPromise") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=SEARCH_LENGTH,
                           widget=forms.TextInput(attrs={"type": "search"}))  # fmt: skip


def factory_field() -> forms.CharField:
    return search_field(_("Factory"))


def date_field(label: "str | _StrPromise") -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ListFilters(forms.Form):
    """A list's search and filters; an empty field does not narrow the list.

    Subclasses declare their fields and, in `narrowing`, how each filled-in field narrows the rows: an ORM
    lookup that takes the field's value ("status", "opened_on__gte") or a function from the value to a
    condition (a Q). A list that is not a queryset overrides narrow(rows, data). date_ranges names the
    (from, until) field pairs, which must not be the wrong way round.
    """

    narrowing: ClassVar[dict[str, str | Callable[[Any], Q]]] = {}
    date_ranges: tuple[tuple[str, str], ...] = ()

    def __init__(self, *args, **kwargs):
        # Ids of their own, apart from those of a form to add a row on the same page.
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)

    def narrow(self, rows, data):
        """The rows that the valid filters in `data` keep."""
        for name, how in self.narrowing.items():
            value = data.get(name)
            if value not in (None, ""):
                rows = rows.filter(how(value) if callable(how) else Q(**{how: value}))
        return rows

    def clean(self):
        data = super().clean()
        for start, end in self.date_ranges:
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("The end of the period comes before its start."))
        return data

    def filter(self, rows):
        """The rows the filters keep: every row when nothing is asked, none when a filter is malformed."""
        if not self.is_valid():
            return rows.none() if hasattr(rows, "none") else []
        return self.narrow(rows, self.cleaned_data)

    @property
    def asked(self) -> bool:
        """Whether any filter is filled in (the empty list then says that nothing matches)."""
        return any(self.data.get(self.add_prefix(name)) for name in self.fields)


@dataclass
class Listing:
    """One page of a list, with its filters and what the page links carry."""

    page: Page
    form: ListFilters | None
    page_parameter: str
    query: str  # the query string without this list's page number: the page links add it
    kept: list[tuple[str, str]]  # the other lists' parameters, which the filter form resends

    @property
    def status(self) -> int:
        return 400 if self.form is not None and self.form.errors else 200

    @property
    def filtered(self) -> bool:
        return self.form is not None and self.form.asked

    @property
    def cleared(self) -> str:
        """The query string without this list's filters and page."""
        return urlencode(self.kept)


def paginate(
    request: HttpRequest, rows: Any, form: ListFilters | None = None, *, per_page: int | None = None, prefix: str = ""
) -> Listing:
    """The page the query string asks for (the first one if it names none or no number, the last one past
    the end) of the rows the form keeps. rows is an ordered queryset or a list. On a page with several
    lists, each names its page parameter with its form's prefix, or with `prefix` (several lists that one
    form filters, or a list without a form)."""
    if form is not None:
        rows = form.filter(rows)
    parameter = f"{prefix}-page" if prefix else form.add_prefix("page") if form is not None else "page"
    page = Paginator(rows, per_page or PAGE_SIZE).get_page(request.GET.get(parameter))
    query = request.GET.copy()
    query.pop(parameter, None)
    own = {form.add_prefix(name) for name in form.fields} if form is not None else set()
    kept = [(name, value) for name, values in query.lists() if name not in own for value in values]
    return Listing(page=page, form=form, page_parameter=parameter, query=query.urlencode(), kept=kept)


class FactorySearch(ListFilters):
    """A list of factories searched by any of their names or their reference."""

    factory = factory_field()
    narrowing = {"factory": factory_at()}
