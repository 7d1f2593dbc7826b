from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ims.accounts.models import Role
from ims.assessments.report_views import public_issue_history
from ims.factories.forms import DirectoryFilterForm, ImportForm
from ims.factories.importing import import_factories, read_csv
from ims.factories.models import Contact, Factory


def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    factories = Factory.objects.select_related("province", "district").exclude(status=Factory.Status.CLOSED)
    if form.is_valid():
        factories = form.filter(factories)
    elif form.is_bound:
        factories = factories.none()
    page = Paginator(factories, 50).get_page(request.GET.get("page"))
    return render(request, "factories/directory.html", {"form": form, "page": page})


def detail(request, ref):
    factory = get_object_or_404(Factory.objects.select_related("province", "district"), ref=ref)
    return render(
        request,
        "factories/detail.html",
        {
            "factory": factory,
            "workforce": factory.workforce_snapshots.all()[:10],
            "contacts": Contact.objects.visible_to(request.user).filter(factory=factory),
            "history": public_issue_history(factory),
        },
    )


@login_required
def import_csv(request):
    if not (request.user.is_superuser or request.user.has_role(Role.PROGRAMME_ADMIN)):
        raise PermissionDenied
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
