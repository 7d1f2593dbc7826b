"""Realistic synthetic history: factories, workforce figures and assessments in the import formats.

Non-compliance per question is drawn around the rates the programme's 2019 annual report published
(e.g. 55% of factories non-compliant on chemical labelling, 42% on protective
equipment, 36% on breast-feeding breaks, 26% on fire detection, 22% on unauthorised deductions,
3% on the minimum wage, a handful of child or forced labour cases), scaled per factory (most
factories near the mean, a few low performers far above it), with an industry-wide improvement
year on year and remediation between a factory's visits (a finding persists less often than it
first appears). Rows come out as the factories CSV and assessment JSON Lines, so the
generator exercises exactly the import that real history goes through.
"""

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

from ims.assessments.models import Answer
from ims.checklists.models import ChecklistVersion, Question
from ims.factories.importing import REQUIRED_COLUMNS
from ims.factories.models import Province

# Share of factories non-compliant per question in 2019 (annual report), by question code.
REPORTED_RATES = {
    "OS.2.4": 0.55, "OS.2.5": 0.55,  # chemical labels in the local language
    "OS.3.4": 0.42, "OS.3.5": 0.42,  # protective clothing and equipment
    "OS.6.8": 0.36, "DI.1.8": 0.36,  # breast-feeding breaks
    "OS.8.1": 0.26,  # fire detection and alarm
    "CO.5.4": 0.22,  # unauthorised deductions
    "CO.4.5": 0.32, "CO.5.2": 0.32,  # one payroll
    "OS.6.5": 0.32,  # soap and hand washing
    "CO.1.1": 0.03,  # minimum wage for ordinary hours
    "DI.4.1": 0.045, "DI.2.1": 0.045,  # discrimination in hiring: 18 of 404
    "FA.1.1": 0.03,  # forming and joining unions: 13 issues
    "FL.1.1": 0.007,  # coercion: 3 cases
    "CL.1.2": 0.005,  # child labour: 2 cases
}  # fmt: skip
CLUSTER_RATES = {"CL": 0.002, "DI": 0.006, "FL": 0.003, "FA": 0.012, "CO": 0.06, "CT": 0.08, "OS": 0.10, "WT": 0.12}
YEARLY_IMPROVEMENT = 0.96  # the industry's rates shrink by this factor each year
PERSISTENCE = 0.45  # chance that a non-compliance found at the previous visit is found again
LOW_PERFORMER_SHARE = 0.03
COMMITTEE_SHARE = 0.5
NOTES = ("Observed during the walk-through.", "Confirmed in worker interviews.", "Records reviewed on site.")
CONDITION_SHARE = 0.7  # chance that a conditional question applies to a factory
VISITS_PER_YEAR = 2  # an assessment and a follow-up


class NoContent(Exception):
    """The database holds no checklist to generate answers for."""


@dataclass
class GeneratedFactory:
    ref: str
    name: str
    province: str
    sector: str
    workers: int
    women_share: float
    quality: float  # multiplies the industry rates
    conditions: frozenset = frozenset()
    has_committee: bool = False


class Generator:
    """Every draw comes from one seeded stream, in an order fixed by the data (never by a set's or a
    dictionary's hash order), so a seed gives the same files whatever PYTHONHASHSEED is."""

    def __init__(self, factories, years, end_year, seed=2019, ref_prefix="GEN"):
        self.random = random.Random(seed)
        self.years = list(range(end_year - years + 1, end_year + 1))
        self.today = date.today()
        version = ChecklistVersion.objects.order_by("-created_at", "-pk").first()
        if version is None:
            raise NoContent("The database holds no checklist: load the content first (manage.py load_content).")
        self.version = version.code
        self.questions = list(
            Question.objects.filter(version=version)
            .order_by("compliance_point__cluster__order", "compliance_point__order", "order")
            .values_list("code", "compliance_point__cluster__code", "applies_if__code")
        )
        provinces = list(Province.objects.order_by("code").values_list("code", flat=True))
        conditions = sorted({condition for _code, _cluster, condition in self.questions if condition})
        self.factories = [
            self._factory(number, ref_prefix, provinces, conditions) for number in range(1, factories + 1)
        ]

    def _factory(self, number, prefix, provinces, conditions):
        draw = self.random
        low = draw.random() < LOW_PERFORMER_SHARE
        return GeneratedFactory(
            ref=f"{prefix}-{number:04d}",
            name=f"Generated Garment {number:04d} Co., Ltd.",
            province=draw.choice(provinces),
            sector=draw.choices(["garment", "footwear", "travel_goods_bags"], weights=[85, 10, 5])[0],
            workers=int(draw.lognormvariate(7.0, 0.8)) + 50,
            women_share=min(0.95, max(0.5, draw.gauss(0.8, 0.07))),
            quality=draw.uniform(3.0, 4.5) if low else draw.lognormvariate(-0.1, 0.45),
            conditions=frozenset(condition for condition in conditions if draw.random() < CONDITION_SHARE),
            has_committee=draw.random() < COMMITTEE_SHARE,
        )

    def factories_csv(self):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(REQUIRED_COLUMNS)
        for factory in self.factories:
            women = int(factory.workers * factory.women_share)
            writer.writerow([factory.ref, factory.name, "", "", f"REG-{factory.ref}", factory.province, "",
                             factory.sector, "KH", factory.workers, women, "", "km", "false"])  # fmt: skip
        return out.getvalue()

    def _rate(self, code, cluster, year_index, factory):
        base = REPORTED_RATES.get(code, CLUSTER_RATES[cluster])
        # 2019-like levels in the middle of the span, higher before, lower after
        trend = YEARLY_IMPROVEMENT ** (year_index - len(self.years) / 2)
        return min(0.95, base * factory.quality * trend)

    def _visit_days(self, year):
        """Two visits a year (an assessment and a follow-up) on different days, never after today; a day
        drawn twice is drawn again. Only a year with fewer days left than visits plans fewer visits."""
        last = min(date(year, 12, 31), self.today - timedelta(days=2))
        first = date(year, 1, 5)
        if last < first:
            return []
        span = (last - first).days
        days = []
        while len(days) < min(VISITS_PER_YEAR, span + 1):
            day = first + timedelta(days=self.random.randint(0, span))
            if day not in days:
                days.append(day)
        return sorted(days)

    def assessments(self):
        """JSON-ready assessment records, factory by factory, visits in order."""
        for factory in self.factories:
            previous = set()
            workers = factory.workers
            for year_index, year in enumerate(self.years):
                for visit_number, day in enumerate(self._visit_days(year)):
                    workers = max(50, int(workers * self.random.uniform(0.93, 1.08)))
                    record, previous = self._assessment(factory, year_index, day, visit_number, workers, previous)
                    yield record

    def _assessment(self, factory, year_index, day, visit_number, workers, previous):
        draw = self.random.random
        findings, noncompliant = [], set()
        for code, cluster, condition in self.questions:
            if condition and condition not in factory.conditions:
                findings.append({"question": code, "answer": Answer.NOT_APPLICABLE.value})
                continue
            if draw() < 0.002:
                findings.append({"question": code, "answer": Answer.NOT_ASSESSED.value})
                continue
            rate = self._rate(code, cluster, year_index, factory)
            if code in previous:
                rate = max(rate, PERSISTENCE)
            if draw() < rate:
                noncompliant.add(code)
                findings.append({"question": code, "answer": Answer.NON_COMPLIANT.value,
                                 "note": self.random.choice(NOTES), "note_lang": "en"})  # fmt: skip
            else:
                findings.append({"question": code, "answer": Answer.COMPLIANT.value})
        record = {
            "assessment_ref": f"{factory.ref}-{day:%Y%m%d}",
            "factory_ref": factory.ref,
            "checklist_version": self.version,
            "visit_start": (day - timedelta(days=1)).isoformat(),
            "visit_end": day.isoformat(),
            "type": "assessment" if visit_number == 0 else "follow_up",
            "workers_total": workers,
            "workers_female": int(workers * factory.women_share),
            "status": "approved",
            "findings": findings,
        }
        return record, noncompliant

    def write_jsonl(self, out):
        count = 0
        for record in self.assessments():
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
            count += 1
        return count
