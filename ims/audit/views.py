from django.shortcuts import render

from ims.audit.forms import AuditFilterForm
from ims.audit.models import AuditEvent
from ims.core.listing import paginate
from ims.policy.guards import guard

AUDIT_PAGE_SIZE = 100


@guard(GET="audit.read")
def log(request):
    events = AuditEvent.objects.select_related("actor", "factory").order_by("-at", "-pk")
    listing = paginate(request, events, AuditFilterForm(request.GET), per_page=AUDIT_PAGE_SIZE)
    return render(request, "audit/log.html", {"listing": listing}, status=listing.status)
