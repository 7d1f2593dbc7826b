from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ims import policy
from ims.analytics import services
from ims.analytics.forms import FactoryDirectoryForm
from ims.core.listing import paginate
from ims.factories.forms import ImportForm
from ims.factories.importing import import_factories, read_csv
from ims.factories.models import Contact, Factory
from ims.policy.guards import guard

DIRECTORY_PAGE_SIZE = 50
WORKFORCE_SHOWN = 10
HISTORY_VISITS_SHOWN = 6


def public_history(factory, public_issues):
    """The public issues (rows) in the factory's latest published visits (columns), newest first."""
    visits = services.factory_public_history(factory)[:HISTORY_VISITS_SHOWN]
    return {
        "visits": visits,
        "issues": [
            {**issue, "answers": [visit["public_issues"].get(issue["code"]) for visit in visits]}
            for issue in public_issues
        ],
    }


@guard(GET="public.read")
def directory(request):
    """The public directory: search, filters (province, sector, compliance band) and 50 factories a page."""
    factories = (
        Factory.objects.select_related("province", "district", "standing")
        .exclude(status=Factory.Status.CLOSED)
        .order_by("name_en", "pk")
    )
    form = FactoryDirectoryForm(request.GET)
    listing = paginate(request, factories, form, per_page=DIRECTORY_PAGE_SIZE)
    context = {"form": form, "listing": listing, "page": listing.page}
    return render(request, "factories/directory.html", context, status=listing.status)


@guard(GET="public.read")
def detail(request, ref):
    """The public factory page: registry facts, the public summary of its latest published assessment."""
    factory = get_object_or_404(Factory.objects.select_related("province", "district"), ref=ref)
    summary = services.factory_public_summary(factory)
    public_issues = []
    if summary:
        names = services.names_for("question")
        public_issues = [{**issue, "name": names.get(issue["code"], "")} for issue in summary["public_issues"]]
    return render(
        request,
        "factories/detail.html",
        {
            "factory": factory,
            "summary": summary,
            "public_issues": public_issues,
            "history": public_history(factory, public_issues) if summary else None,
            "workforce": factory.workforce_snapshots.all()[:WORKFORCE_SHOWN],
            "contacts": Contact.objects.filter(factory=factory)
            if policy.allows(request.user, "factory.contacts", factory)
            else Contact.objects.none(),
            "may_see_dashboard": policy.allows(request.user, "dashboard.factory", factory),
        },
    )


@guard(GET="factories.import", POST="factories.import")
def import_csv(request):
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = import_factories(read_csv(form.cleaned_data["file"].read()))
        except ValueError as error:
            form.add_error("file", str(error))
        else:
            if result.ok:
                messages.success(
                    request,
                    _("Import done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                return redirect("factories:import")
    return render(request, "factories/import.html", {"form": form, "result": result})
