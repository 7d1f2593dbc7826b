from itertools import groupby

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext

from ims import policy
from ims.core.errors import DomainError
from ims.core.listing import paginate
from ims.core.numbers import record_id
from ims.notifications.forms import NoticeFilterForm, PaperFilterForm
from ims.notifications.messages import render_letter
from ims.notifications.models import Notice
from ims.notifications.notices import EVENTS, link_of, text_of
from ims.notifications.services import mark_posted, paper_queue
from ims.policy.guards import guard

LETTERS_PAGE_SIZE = 100


def _by_factory(letters):
    return [(factory, list(group)) for factory, group in groupby(letters, key=lambda letter: letter.contact.factory)]


def _selected_ids(params):
    return [number for number in map(record_id, params.getlist("notification")) if number is not None]


def _queue_page(request, status=200):
    listing = paginate(request, paper_queue(), PaperFilterForm(request.GET), per_page=LETTERS_PAGE_SIZE)
    context = {"listing": listing, "factories": _by_factory(listing.page.object_list)}
    return render(request, "notifications/paper_queue.html", context, status=max(status, listing.status))


@guard(GET="paper.handle")
def paper_queue_page(request):
    return _queue_page(request)


@guard(GET="paper.handle")
def paper_batch(request):
    """Printable letters: the ones selected on the queue page."""
    letters = paper_queue().filter(pk__in=_selected_ids(request.GET))
    factories = [
        (factory, [(letter, render_letter(letter)) for letter in group]) for factory, group in _by_factory(letters)
    ]
    return render(request, "notifications/paper_batch.html", {"factories": factories})


@guard(POST="paper.handle")
def paper_posted(request):
    try:
        letters = mark_posted(_selected_ids(request.POST), request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _queue_page(request, status=error.status)
    count = len(letters)
    messages.success(request, ngettext("%(count)d letter marked as posted.", "%(count)d letters marked as posted.",
                                       count) % {"count": count})  # fmt: skip
    return redirect("notifications:paper_queue")


@guard(GET="account.own")
def notices(request):
    """One's notifications, newest first, the unread ones marked."""
    listed = Notice.objects.filter(recipient=request.user).select_related("factory").order_by("-created_at", "-pk")
    listing = paginate(request, listed, NoticeFilterForm(request.GET))
    rows = [(notice, text_of(notice), EVENTS[notice.event].label) for notice in listing.page.object_list]
    context = {"rows": rows, "listing": listing}
    return render(request, "notifications/notices.html", context, status=listing.status)


@guard(GET="notice.open")
def open_notice(request, notice_id):
    """Opening a notification marks it read and goes to the page it is about."""
    notice = policy.get_or_404(request.user, "notice.open", Notice.objects, pk=notice_id)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    return redirect(link_of(notice))


@guard(POST="account.own")
def mark_all_read(request):
    Notice.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:notices")
