from itertools import groupby

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from ims.core.errors import DomainError
from ims.core.numbers import record_id
from ims.notifications.messages import render_letter
from ims.notifications.services import mark_posted, paper_queue
from ims.policy.guards import guard


def _by_factory(letters):
    return [(factory, list(group)) for factory, group in groupby(letters, key=lambda letter: letter.contact.factory)]


def _selected_ids(params):
    return [number for number in map(record_id, params.getlist("notification")) if number is not None]


def _queue_page(request, status=200):
    return render(request, "notifications/paper_queue.html", {"factories": _by_factory(paper_queue())}, status=status)


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
