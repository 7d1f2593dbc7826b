"""The open data's data dictionary: what each downloadable dataset holds and what each column means, in the
reader's language. A test checks it names exactly the columns the downloads write (ims.analytics.api.DATASETS)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str | Promise  # translated when shown
    description: str | Promise
    columns: tuple  # (name, meaning)


NAME_EN = _("The name in English.")
NAME_KM = _("The name in Khmer.")
NAME_ZH = _("The name in Simplified Chinese.")

DATASETS = (
    Dataset(
        "statistics",
        _("Statistics"),
        _(
            "Per year, for every cluster, compliance point and question: how many factories were assessed on it and "
            "how many were non-compliant."
        ),
        (
            ("year", _("The year of the published assessments counted.")),
            ("level", _("cluster, point (compliance point) or question.")),
            ("code", _("The checklist code, such as OS, OS.8 or OS.8.7.")),
            ("name_en", NAME_EN),
            ("name_km", NAME_KM),
            ("name_zh", NAME_ZH),
            ("cluster", _("The code of the cluster it belongs to.")),
            ("point", _("The code of the compliance point it belongs to (empty for a cluster).")),
            (
                "publicly_reported",
                _("true if the issue is one of those reported publicly, naming the factory; else false."),
            ),
            ("assessed", _("Factories assessed on it that year where it applied.")),
            ("noncompliant", _("Of those, factories found non-compliant.")),
            ("rate", _("noncompliant divided by assessed, from 0 to 1; empty when none was assessed.")),
        ),
    ),
    Dataset(
        "factories",
        _("Factories"),
        _("The public directory: every factory with its last published assessment."),
        (
            ("ref", _("The factory's reference in IMS.")),
            ("name_en", NAME_EN),
            ("name_km", NAME_KM),
            ("name_zh", NAME_ZH),
            ("sector", _("Garment, Footwear, or Travel goods and bags.")),
            ("province_en", _("The province, in English.")),
            ("province_km", _("The province, in Khmer.")),
            ("province_zh", _("The province, in Simplified Chinese.")),
            ("last_visit", _("The last day of its last published assessment (YYYY-MM-DD); empty if none.")),
            ("public_noncompliant", _("Publicly reported issues found non-compliant at that assessment.")),
        ),
    ),
    Dataset(
        "public-issues",
        _("Public issues per visit"),
        _(
            "For every published assessment, each publicly reported issue and whether the factory was "
            "non-compliant on it."
        ),
        (
            ("factory_ref", _("The factory's reference in IMS.")),
            ("factory_name", _("The factory's name in English.")),
            ("assessment_ref", _("The assessment's reference.")),
            ("visit_end", _("The last day of the visit (YYYY-MM-DD).")),
            ("question", _("The checklist code of the question.")),
            ("question_en", _("The question in English.")),
            ("question_km", _("The question in Khmer.")),
            ("question_zh", _("The question in Simplified Chinese.")),
            ("noncompliant", _("true if the factory was non-compliant on it at that visit; else false.")),
        ),
    ),
    Dataset(
        "time-to-fix",
        _("Time to fix per public issue"),
        _(
            "For each publicly reported issue and year, how long factories took to fix it: the days from the "
            "last day of the visit that found it to the last day of the later visit that found it remediated."
        ),
        (
            ("year", _("The year the remediation was verified.")),
            ("question", _("The checklist code of the question.")),
            ("remediated", _("How many findings on it were verified remediated that year.")),
            ("median_days", _("The median number of days from finding to verified remediation.")),
        ),
    ),
)
