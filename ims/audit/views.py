from django.core.paginator import Paginator
from django.shortcuts import render

from ims.audit.models import AuditEvent
from ims.policy.guards import guard


@guard(GET="audit.read")
def log(request):
    events = AuditEvent.objects.select_related("actor", "factory")
    factory = request.GET.get("factory", "").strip()
    action = request.GET.get("action", "").strip()
    if factory:
        events = events.filter(factory__ref__iexact=factory)
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    return render(request, "audit/log.html", {"page": page, "factory": factory, "action": action, "actions": actions})
