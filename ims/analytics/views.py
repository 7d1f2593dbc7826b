"""Public industry statistics, the factory lists, the synthesis report and the private dashboards.

Every figure comes from ims.analytics.services, which reads the pre-computed aggregates: no page
scans findings. Who may open a dashboard is decided by ims.policy.
"""

import hashlib

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from ims import policy
from ims.analytics import charts, dictionary, services, synthesis
from ims.analytics.forms import YearForm
from ims.analytics.models import ClassificationRule
from ims.analytics.synthesis import cached, chart
from ims.assessments.models import Status
from ims.factories.models import Factory
from ims.policy.guards import guard
from ims.remediation.time_to_fix import time_to_fix
from ims.reports.documents import LANGUAGES


def _year(request):
    """(YearForm, chosen year, HTTP status): an unknown year answers 400 and shows the latest year."""
    form = YearForm(request.GET if "year" in request.GET else None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return form, form.chosen_year(), status


@guard(GET="public.read")
def open_data(request):
    """The data dictionary: the downloads and what each of their columns means."""
    return render(request, "analytics/open_data.html", {"datasets": dictionary.DATASETS})


@guard(GET="public.read")
def statistics(request):
    form, year, status = _year(request)
    context = {"form": form, "year": year, "cache_version": synthesis.cache_version()}
    if year is not None:
        context["figures"] = synthesis.statistics(year)
        context["trends"] = synthesis.trends()
        names = services.names_for("question")
        context["time_to_fix"] = [(row, names.get(row.question, "")) for row in time_to_fix(year)]
    return render(request, "analytics/statistics.html", context, status=status)


@guard(GET="public.read")
def low_compliance(request):
    form, year, status = _year(request)
    context = {
        "form": form,
        "year": year,
        "factories": cached(f"low:{year}", lambda: services.low_compliance_factories(year)) if year else [],
        "rule": ClassificationRule.current(),
    }
    return render(request, "analytics/low_compliance.html", context, status=status)


@guard(GET="public.read")
def high_performing(request):
    form, year, status = _year(request)
    context = {
        "form": form,
        "year": year,
        "factories": cached(f"high:{year}", lambda: services.high_performing_factories(year)) if year else [],
        "rule": ClassificationRule.current(),
    }
    return render(request, "analytics/high_performing.html", context, status=status)


@guard(GET="public.read")
def synthesis_report(request):
    form, year, status = _year(request)
    context = {"form": form, "year": year}
    if year is not None:
        context["report"] = cached(f"synthesis:{year}:{get_language()}", lambda: synthesis.synthesis(year))
    return render(request, "analytics/synthesis_page.html", context, status=status)


@guard(GET="public.read")
def synthesis_pdf(request, language):
    if language not in LANGUAGES:
        raise Http404
    form, year, _status = _year(request)
    if year is None or (form.is_bound and not form.is_valid()):
        raise Http404
    pdf = synthesis.render_pdf(year, language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ims-synthesis-{year}-{language}.pdf"'
    response["ETag"] = f'"{hashlib.sha256(pdf).hexdigest()[:32]}"'
    return response


# Private dashboards


def _compliant_share(visit):
    """Share of the visit's applicable compliance points found compliant."""
    applicable = visit["applicable_points"]
    return (applicable - visit["noncompliant_points"]) / applicable if applicable else None


def _dashboards_of(user):
    """Which dashboards the menu of dashboards offers this user."""
    return {
        "overview": policy.may_ever(user, "dashboard.programme"),
        "buyer_view": policy.may_ever(user, "dashboard.buyer"),
        "factory_detail": policy.may_ever(user, "dashboard.factory_detail"),
    }


@guard(GET="dashboards.open")
def dashboards(request):
    offered = _dashboards_of(request.user)
    # Staff find factories in the directory; factories and buyers get the list of those they may open.
    factories = None if offered["factory_detail"] else policy.scope(request.user, "dashboard.factory", Factory.objects)
    return render(request, "analytics/dashboards.html", {"offered": offered, "factories": factories})


@guard(GET="dashboard.factory")
def factory_dashboard(request, ref):
    factory = policy.get_or_404(request.user, "dashboard.factory", Factory.objects, ref=ref)
    position = services.factory_position(factory, request.user)
    progress = services.factory_progress(factory, request.user)
    cluster_names = services.names_for("cluster")
    point_names = services.names_for("point")
    clusters = position["clusters"]
    visits = progress["visits"]
    version = f"{factory.pk}:{position['year']}:{len(visits)}"
    context = {
        "factory": factory,
        "position": position,
        "clusters": [{**row, "name": cluster_names.get(row["code"], row["code"])} for row in clusters],
        "progress": progress,
        "points": [{**row, "name": point_names.get(row["code"], row["code"])} for row in progress["points"]],
        "progress_chart": chart(
            f"factory-progress:{version}",
            lambda: charts.trend_svg(
                [visit["visit_end"].strftime("%Y-%m") for visit in visits],
                [("", [_compliant_share(visit) for visit in visits])],
                for_pdf=False,
            ),
            for_pdf=False,
        ),
    }
    return render(request, "analytics/factory_dashboard.html", context)


@guard(GET="dashboard.buyer")
def buyer_dashboard(request):
    return render(request, "analytics/buyer_dashboard.html", {"rows": services.buyer_overview(request.user)})


@guard(GET="dashboard.programme")
def programme_dashboard(request):
    form, year, status = _year(request)
    context = {"form": form, "year": year, "offered": _dashboards_of(request.user)}
    if year is not None:
        overview = services.programme_overview(year)
        context["overview"] = overview
        context["statuses"] = [
            (Status(code).label, overview["assessments_by_status"].get(code, 0)) for code in Status.values
        ]
        context["figures"] = synthesis.statistics(year)
        if context["offered"]["factory_detail"]:
            # Links to factories' private dashboards: programme staff only, never a partner analyst.
            context["low_compliance"] = cached(f"low:{year}", lambda: services.low_compliance_factories(year))
    return render(request, "analytics/programme_dashboard.html", context, status=status)
