"""The public read API and open data: anonymous, throttled, documented in the OpenAPI schema.

Everything here is public by design (docs/domain.md: the public sees summaries naming factories and
industry statistics). Downloads stream: rows are read with iterator(chunk_size) and written as
they come, so a download of every visit's public issues never sits in memory.
"""

import csv
import io
import json

from django.db.models import OuterRef, Subquery
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ims.analytics import services
from ims.analytics.models import IndustryAggregate, VisitResult
from ims.api.base import Pages, errors
from ims.api.errors import handle_api_exception
from ims.api.throttling import AnonRateThrottle, UserRateThrottle
from ims.checklists.models import ChecklistVersion, Cluster, CompliancePoint, Question
from ims.core.errors import Invalid
from ims.core.numbers import whole_number
from ims.core.spreadsheets import csv_row
from ims.factories.models import Factory, Province, Sector
from ims.policy.guards import FollowsPolicy
from ims.remediation.time_to_fix import time_to_fix

CHUNK = 1000
VISIT_CHUNK = 200  # visits carry their public issues: fewer per fetch keeps each step small
TAG = ["public statistics and open data"]


class PublicView(GenericAPIView):
    permission_classes = [FollowsPolicy]
    policy_actions = {"GET": "public.read"}
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    def get_exception_handler(self):
        return handle_api_exception


# Response shapes, for the schema.


class CountsSerializer(serializers.Serializer):
    code = serializers.CharField()
    assessed = serializers.IntegerField(help_text="Factories assessed in the year where it applied.")
    noncompliant = serializers.IntegerField(help_text="Of those, factories non-compliant on it.")
    rate = serializers.FloatField(allow_null=True, help_text="noncompliant / assessed; null when none assessed.")


class QuestionCountsSerializer(CountsSerializer):
    cluster = serializers.CharField()


class NoncomplianceSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    factories_assessed = serializers.IntegerField()
    clusters = CountsSerializer(many=True)
    questions = QuestionCountsSerializer(many=True)


class YearsSerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())


class EmploymentRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    factories = serializers.IntegerField()
    workers_total = serializers.IntegerField()
    workers_female = serializers.IntegerField()
    women_share = serializers.FloatField(allow_null=True)


class EmploymentSerializer(serializers.Serializer):
    years = EmploymentRowSerializer(many=True)


class PublicFactorySerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")
    last_visit = serializers.DateField(allow_null=True, read_only=True)
    public_noncompliant = serializers.IntegerField(
        allow_null=True, read_only=True, help_text="Public issues found non-compliant at the last published visit."
    )

    class Meta:
        model = Factory
        fields = ["ref", "name_en", "name_km", "name_zh", "sector", "province", "last_visit", "public_noncompliant"]


class PublicIssueSerializer(serializers.Serializer):
    code = serializers.CharField()
    cluster = serializers.CharField()
    answer = serializers.CharField(allow_null=True)


class FactorySummarySerializer(serializers.Serializer):
    ref = serializers.CharField()
    name_en = serializers.CharField()
    visit_end = serializers.DateField(allow_null=True)
    workers_total = serializers.IntegerField(allow_null=True)
    workers_female = serializers.IntegerField(allow_null=True)
    public_noncompliant = serializers.IntegerField(allow_null=True)
    public_issues = PublicIssueSerializer(many=True)


def _year(request):
    year = whole_number(request.query_params.get("year", ""))
    if year is None or year < 1:
        raise Invalid(_("Give the year as four digits, e.g. ?year=2019."), year=[_("required, a whole number")])
    return year


class NoncomplianceView(PublicView):
    @extend_schema(
        tags=TAG,
        summary="Non-compliance per cluster and question in a year",
        operation_id="public_noncompliance",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=True)],
        responses={200: NoncomplianceSerializer, **errors(400)},
    )
    def get(self, request):
        statistics = services.industry_statistics(_year(request))
        return Response({
            "year": statistics["year"],
            "factories_assessed": statistics["factories_assessed"],
            "clusters": [{key: row[key] for key in ("code", "assessed", "noncompliant", "rate")}
                         for row in statistics["clusters"]],
            "questions": [{key: row[key] for key in ("code", "cluster", "assessed", "noncompliant", "rate")}
                          for row in statistics["questions"]],
        })  # fmt: skip


class YearsView(PublicView):
    @extend_schema(
        tags=TAG,
        summary="Years with published statistics",
        operation_id="public_years",
        responses={200: YearsSerializer},
    )
    def get(self, request):
        return Response({"years": services.available_years()})


class EmploymentView(PublicView):
    @extend_schema(
        tags=TAG,
        summary="Workers and share of women per year",
        operation_id="public_employment",
        responses={200: EmploymentSerializer},
    )
    def get(self, request):
        return Response({"years": services.employment()})


def _latest_visit(field):
    latest = VisitResult.objects.filter(factory=OuterRef("pk")).order_by("-visit_end", "-pk")
    return Subquery(latest.values(field)[:1])


def public_factories():
    return (
        Factory.objects.select_related("province")
        .annotate(last_visit=_latest_visit("visit_end"), public_noncompliant=_latest_visit("public_noncompliant"))
        .order_by("name_en", "pk")
    )


class FactoryListView(PublicView):
    serializer_class = PublicFactorySerializer
    pagination_class = Pages

    @extend_schema(
        tags=TAG,
        summary="Public factory directory",
        operation_id="public_factory_list",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Part of a name, or a reference or licence number."),
            OpenApiParameter("province", OpenApiTypes.STR, description="Province code, e.g. KH-12."),
            OpenApiParameter("sector", OpenApiTypes.STR),
        ],
    )
    def get(self, request):
        factories = public_factories().search(request.query_params.get("q"))
        for name, lookup in (("province", "province__code"), ("sector", "sector")):
            if request.query_params.get(name):
                factories = factories.filter(**{lookup: request.query_params[name]})
        page = self.paginate_queryset(factories)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FactoryView(PublicView):
    @extend_schema(
        tags=TAG,
        summary="A factory's public summary",
        operation_id="public_factory",
        responses={200: FactorySummarySerializer, **errors(404)},
    )
    def get(self, request, ref):
        factory = get_object_or_404(Factory, ref=ref)
        summary = services.factory_public_summary(factory) or {}
        return Response({
            "ref": factory.ref,
            "name_en": factory.name_en,
            "visit_end": summary.get("visit_end"),
            "workers_total": summary.get("workers_total"),
            "workers_female": summary.get("workers_female"),
            "public_noncompliant": summary.get("public_noncompliant"),
            "public_issues": summary.get("public_issues", []),
        })  # fmt: skip


# Open data downloads: each dataset is a header and a generator of rows. Codes come with their names in the three
# languages (from the newest checklist version that has the code), booleans as true/false; the columns are
# described on the data dictionary page (analytics/open_data.html).

LANGUAGE_SUFFIXES = ("en", "km", "zh_hans")  # the translated fields' names


def _checklist_names():
    """{code: (English, Khmer, Chinese)} for every cluster, compliance point and question, newest version first."""
    names = {}
    versions = ChecklistVersion.objects.order_by("-created_at", "-pk")
    sources = (
        (Cluster, "version", "name"),
        (CompliancePoint, "cluster__version", "name"),
        (Question, "version", "text"),
    )
    for model, version_path, field in sources:
        columns = [f"{field}_{suffix}" for suffix in LANGUAGE_SUFFIXES]
        for version in versions:
            for code, *texts in model.objects.filter(**{version_path: version}).values_list("code", *columns):
                names.setdefault(code, tuple(text or "" for text in texts))
    return names


def plain(value):
    """A boolean in a CSV as spreadsheets and scripts read it: true or false, not Python's True or False."""
    return ("true" if value else "false") if isinstance(value, bool) else value


def _statistics_rows():
    names = _checklist_names()
    rows = IndustryAggregate.objects.order_by("year", "level", "order").values_list(
        "year", "level", "code", "cluster", "point", "publicly_reported", "assessed", "noncompliant"
    )
    for year, level, code, cluster, point, public, assessed, noncompliant in rows.iterator(chunk_size=CHUNK):
        yield [year, level, code, *names.get(code, ("", "", "")), cluster, point, public, assessed,
               noncompliant, round(noncompliant / assessed, 4) if assessed else None]  # fmt: skip


def _factory_rows():
    provinces = {
        code: names for code, *names in Province.objects.values_list("code", "name_en", "name_km", "name_zh_hans")
    }
    with translation.override("en"):  # open data is in English, beside the names in three scripts
        sectors = {value: str(label) for value, label in Sector.choices}
    rows = public_factories().values_list(
        "ref", "name_en", "name_km", "name_zh", "sector", "province__code", "last_visit", "public_noncompliant"
    )
    for ref, name_en, name_km, name_zh, sector, province, last_visit, public_noncompliant in rows.iterator(
        chunk_size=CHUNK
    ):
        yield [ref, name_en, name_km, name_zh, sectors.get(sector, sector), *provinces.get(province, ("", "", "")),
               last_visit.isoformat() if last_visit else None, public_noncompliant]  # fmt: skip


def _public_issue_rows():
    names = _checklist_names()
    rows = VisitResult.objects.order_by("factory__ref", "visit_end", "pk").values_list(
        "factory__ref", "factory__name_en", "assessment__ref", "visit_end", "public_issues"
    )
    for factory_ref, factory_name, assessment_ref, visit_end, issues in rows.iterator(chunk_size=VISIT_CHUNK):
        for question, answer in sorted(issues.items()):
            yield [factory_ref, factory_name, assessment_ref, visit_end.isoformat(), question,
                   *names.get(question, ("", "", "")), answer == "non_compliant"]  # fmt: skip


def _time_to_fix_rows():
    for row in time_to_fix():
        yield [row.year, row.question, row.remediated, row.median_days]


NAMES = ("name_en", "name_km", "name_zh")
DATASETS = {
    "statistics": (
        ("year", "level", "code", *NAMES, "cluster", "point", "publicly_reported", "assessed", "noncompliant", "rate"),
        _statistics_rows,
    ),
    "factories": (
        ("ref", "name_en", "name_km", "name_zh", "sector", "province_en", "province_km", "province_zh", "last_visit",
         "public_noncompliant"),
        _factory_rows,
    ),
    "public-issues": (
        ("factory_ref", "factory_name", "assessment_ref", "visit_end", "question", "question_en", "question_km",
         "question_zh", "noncompliant"),
        _public_issue_rows,
    ),
    "time-to-fix": (("year", "question", "remediated", "median_days"), _time_to_fix_rows),
}  # fmt: skip

# Excel reads a CSV without a byte-order mark in the computer's legacy code page and garbles Khmer and Chinese.
BYTE_ORDER_MARK = "\ufeff"


def _csv_stream(header, rows):
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer)
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow(csv_row(plain(value) for value in row))
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_stream(header, rows):
    yield "["
    separator = ""
    for row in rows:
        yield separator + json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False)
        separator = ",\n"
    yield "]\n"


class DownloadView(PublicView):
    @extend_schema(
        tags=TAG,
        summary="Open data download (streamed CSV or JSON)", operation_id="public_download",
        description="Datasets: `statistics` (every year, level and code), `factories` (the public directory with "
        "the last published visit), `public-issues` (every published visit's publicly reported issues), "
        "`time-to-fix` (per year and public issue, the median days from a finding to its verified remediation).",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
                   (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT), **errors(404)},
    )  # fmt: skip
    def get(self, request, dataset, fmt):
        if dataset not in DATASETS or fmt not in ("csv", "json"):
            raise Http404(dataset)
        header, rows = DATASETS[dataset]
        stream = _csv_stream if fmt == "csv" else _json_stream
        response = StreamingHttpResponse(
            stream(header, rows()),
            content_type="text/csv; charset=utf-8" if fmt == "csv" else "application/json",
        )
        response["Content-Disposition"] = f'attachment; filename="ims-{dataset}.{fmt}"'
        return response
