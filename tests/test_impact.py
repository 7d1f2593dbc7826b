"""The impact comparison against an independent calculation on generated data.

The data is generated in memory first (factories, workforce snapshots, assessments with answers, who
attended which session), written with bulk_create, and the expected figures are computed here from the
in-memory data with plain loops, following the definitions in ims.training.impact's docstring.
"""

import csv
import io
import random
from datetime import date, timedelta
from statistics import fmean

import pytest

from ims.accounts.models import Role
from ims.assessments.models import Assessment, Finding
from ims.factories.models import Factory, WorkforceSnapshot
from ims.training import impact, services
from ims.training.catalogue import load_catalogue
from ims.training.models import TrainingModule, TrainingProgramme

COUNTED_STATUSES = {"approved", "correcting"}
SESSIONS = [  # (module order, first day, last day)
    (1, date(2024, 3, 4), date(2024, 3, 5)),
    (2, date(2024, 6, 10), date(2024, 6, 10)),
    (1, date(2025, 2, 3), date(2025, 2, 4)),
]


def generate(seed, questions):
    """Factories with snapshots and assessments, and the sessions each trained factory attended."""
    draw = random.Random(seed)
    months = [date(2022 + n // 12, n % 12 + 1, 1) for n in range(12 * 5)]  # 2022-01 .. 2026-12
    factories = {}
    for n in range(36):
        ref = f"IMP-{n:02d}"
        snapshots = []
        if draw.random() > 0.1:  # a few factories have no head count at all
            for as_of in sorted(draw.sample(months[:40], draw.randint(1, 3))):
                snapshots.append(
                    (as_of + timedelta(days=draw.randint(0, 20)), draw.choice([300, 800, 1200, 2000, 6000]))
                )
        assessments = []
        for index, month in enumerate(sorted(draw.sample(months, draw.randint(3, 7)))):
            start = month + timedelta(days=draw.randint(0, 20))
            end = start + timedelta(days=draw.randint(0, 2))
            noncompliance = draw.uniform(0.02, 0.3)
            answers = {}
            for code in questions:
                roll = draw.random()
                answers[code] = ("not_applicable" if roll < 0.1 else "not_assessed" if roll < 0.13
                                 else "non_compliant" if draw.random() < noncompliance else "compliant")  # fmt: skip
            assessments.append({
                "ref": f"{ref}-A{index}", "start": start, "end": end, "answers": answers,
                "type": draw.choices(["assessment", "follow_up", "low_compliance_joint"], [8, 1, 1])[0],
                "status": draw.choices(["approved", "correcting", "submitted"], [8, 1, 1])[0],
            })  # fmt: skip
        factories[ref] = {"sector": draw.choice(["garment", "footwear"]), "snapshots": snapshots,
                          "assessments": assessments}  # fmt: skip
    refs = sorted(factories)
    attended = {}  # ref -> indexes of the sessions where someone of the factory was present
    for ref in refs[:14]:
        attended[ref] = sorted(draw.sample(range(len(SESSIONS)), draw.randint(1, 2)))
    for ref in refs[:4]:  # visits touching the programme's first and last day count neither before nor after
        first = min(SESSIONS[i][1] for i in attended[ref])
        last = max(SESSIONS[i][2] for i in attended[ref])
        template = factories[ref]["assessments"][0]
        for suffix, start, end in (("B", first - timedelta(days=1), first), ("E", last, last + timedelta(days=1))):
            factories[ref]["assessments"].append({**template, "ref": f"{ref}-{suffix}", "start": start, "end": end,
                                                  "type": "assessment", "status": "approved"})  # fmt: skip
    no_show = refs[14]  # enrolled, nobody came: neither trained nor a comparison
    withdrawn = refs[15]  # enrolled then withdrawn: may serve as a comparison
    return factories, attended, no_show, withdrawn


def write(factories, questions, version, user, phnom_penh):
    Factory.objects.bulk_create(
        Factory(ref=ref, name_en=ref, sector=data["sector"], province=phnom_penh) for ref, data in factories.items()
    )
    ids = dict(Factory.objects.filter(ref__in=factories).values_list("ref", "pk"))
    WorkforceSnapshot.objects.bulk_create(
        WorkforceSnapshot(factory_id=ids[ref], as_of=as_of, workers_total=workers, workers_female=workers // 2)
        for ref, data in factories.items() for as_of, workers in data["snapshots"]
    )  # fmt: skip
    Assessment.objects.bulk_create(
        Assessment(ref=a["ref"], factory_id=ids[ref], checklist_version=version, type=a["type"], status=a["status"],
                   visit_start=a["start"], visit_end=a["end"], created_by=user)
        for ref, data in factories.items() for a in data["assessments"]
    )  # fmt: skip
    assessment_ids = dict(Assessment.objects.filter(factory_id__in=ids.values()).values_list("ref", "pk"))
    Finding.objects.bulk_create(
        Finding(assessment_id=assessment_ids[a["ref"]], question_id=questions[code].pk, answer=answer, updated_by=user)
        for data in factories.values() for a in data["assessments"] for code, answer in a["answers"].items()
    )  # fmt: skip


def enrol_and_attend(factories, attended, no_show, withdrawn, trainer):
    programme = TrainingProgramme.objects.get(code="seminars")
    sessions = [
        services.plan_session(trainer, module=TrainingModule.objects.get(programme=programme, order=order),
                              start_date=first, end_date=last, venue="VBNK", languages=["km"], trainer=trainer,
                              capacity=60)
        for order, first, last in SESSIONS
    ]  # fmt: skip
    person = [{"name": "A", "role": "management", "gender": "female"},
              {"name": "B", "role": "union", "gender": "male"}]  # fmt: skip
    by_ref = {factory.ref: factory for factory in Factory.objects.filter(ref__in=factories)}
    present = {index: [] for index in range(len(sessions))}
    for ref, indexes in attended.items():
        for index in indexes:
            enrolment = services.enrol_factory(trainer, sessions[index], by_ref[ref], person)
            present[index].append(enrolment.participants.first().pk)  # one of two attends, on the first day only
    services.enrol_factory(trainer, sessions[0], by_ref[no_show], person)
    services.withdraw(trainer, services.enrol_factory(trainer, sessions[1], by_ref[withdrawn], person))
    for index, session in enumerate(sessions):
        services.record_attendance(trainer, session, session.start_date, present[index])
    return programme


# The independent calculation: plain loops over the generated data.


def rate(assessment, point_of):
    answers = {}
    for code, answer in assessment["answers"].items():
        answers.setdefault(point_of[code], set()).add(answer)
    applicable = [point for point, seen in answers.items() if seen & {"compliant", "non_compliant"}]
    noncompliant = [point for point in applicable if "non_compliant" in answers[point]]
    return (len(noncompliant), len(applicable)) if applicable else None


def counted(data):
    return [a for a in data["assessments"] if a["status"] in COUNTED_STATUSES and a["type"] != "follow_up"]


def band(data, day):
    earlier = [workers for as_of, workers in data["snapshots"] if as_of <= day]
    if not earlier:
        return "unknown"
    workers = earlier[-1]
    return "under_500" if workers < 500 else "500_1499" if workers < 1500 else "1500_4999" if workers < 5000 else (
        "5000_plus")  # fmt: skip


def before_after(data, start, end, point_of):
    before = [a for a in counted(data) if a["end"] < start]
    after = [a for a in counted(data) if a["start"] > end]
    before = max(before, key=lambda a: a["end"]) if before else None
    after = min(after, key=lambda a: a["start"]) if after else None
    return (rate(before, point_of) if before else None, rate(after, point_of) if after else None)


def expected(factories, attended, no_show, point_of):
    enrolled = set(attended) | {no_show}
    per_factory = {}
    for ref, indexes in attended.items():
        start = min(SESSIONS[i][1] for i in indexes)
        end = max(SESSIONS[i][2] for i in indexes)
        data = factories[ref]
        before, after = before_after(data, start, end, point_of)
        comparisons = {}
        if before and after:
            for other, other_data in factories.items():
                if other in enrolled or other_data["sector"] != data["sector"]:
                    continue
                if band(other_data, start) != band(data, start):
                    continue
                their_before, their_after = before_after(other_data, start, end, point_of)
                if their_before and their_after:
                    comparisons[other] = (their_before, their_after)
        per_factory[ref] = {"band": band(data, start), "start": start, "end": end, "before": before, "after": after,
                            "comparisons": comparisons}  # fmt: skip
    return per_factory


def ratio(pair):
    return pair[0] / pair[1]


@pytest.fixture
def world(content, make_user, programme, phnom_penh):
    load_catalogue()
    trainer = make_user("trainer@impact.example", Role.TRAINER, programme)
    questions = {q.code: q for q in content.questions.select_related("compliance_point").order_by("code")[::6]}
    point_of = {code: question.compliance_point.code for code, question in questions.items()}
    factories, attended, no_show, withdrawn = generate(2026, questions)
    write(factories, questions, content, trainer, phnom_penh)
    programme_row = enrol_and_attend(factories, attended, no_show, withdrawn, trainer)
    return programme_row, expected(factories, attended, no_show, point_of), withdrawn


def test_impact_matches_an_independent_calculation(world):
    programme, expect, _withdrawn = world
    result = impact.programme_impact(programme)
    assert {t.factory.ref for t in result.factories} == set(expect)
    matched = []
    for trained in result.factories:
        mine = expect[trained.factory.ref]
        assert (trained.start, trained.end, trained.band) == (mine["start"], mine["end"], mine["band"])
        assert (trained.before.noncompliant, trained.before.applicable) == mine["before"] if mine["before"] else (
            trained.before is None)  # fmt: skip
        assert (trained.after.noncompliant, trained.after.applicable) == mine["after"] if mine["after"] else (
            trained.after is None)  # fmt: skip
        assert {c.factory_ref for c in trained.comparisons} == set(mine["comparisons"])
        for comparison in trained.comparisons:
            their_before, their_after = mine["comparisons"][comparison.factory_ref]
            assert (comparison.before.noncompliant, comparison.before.applicable) == their_before
            assert (comparison.after.noncompliant, comparison.after.applicable) == their_after
        if mine["comparisons"]:
            matched.append(mine)
    # The generated data must exercise every branch, or the comparison proves little.
    assert len(matched) >= 4
    assert any(not m["before"] or not m["after"] for m in expect.values())

    summary = result.summary()
    changes = [ratio(m["after"]) - ratio(m["before"]) for m in matched]
    comparison_changes = [fmean(ratio(a) - ratio(b) for b, a in m["comparisons"].values()) for m in matched]
    assert summary["trained"] == len(expect)
    assert summary["with_before_and_after"] == sum(1 for m in expect.values() if m["before"] and m["after"])
    assert summary["matched"] == len(matched)
    assert summary["comparison_factories"] == len({ref for m in matched for ref in m["comparisons"]})
    assert summary["comparison_pairs"] == sum(len(m["comparisons"]) for m in matched)
    assert summary["trained_before_rate"] == pytest.approx(fmean(ratio(m["before"]) for m in matched))
    assert summary["trained_after_rate"] == pytest.approx(fmean(ratio(m["after"]) for m in matched))
    assert summary["trained_change"] == pytest.approx(fmean(changes))
    assert summary["comparison_change"] == pytest.approx(fmean(comparison_changes))
    assert summary["comparison_before_rate"] == pytest.approx(
        fmean(fmean(ratio(b) for b, _a in m["comparisons"].values()) for m in matched)
    )
    assert summary["difference"] == pytest.approx(
        fmean(c - k for c, k in zip(changes, comparison_changes, strict=True))
    )
    assert summary["trained_before_noncompliant"] == sum(m["before"][0] for m in matched)
    assert summary["comparison_after_applicable"] == sum(a[1] for m in matched for _b, a in m["comparisons"].values())


def test_the_withdrawn_factory_may_be_compared_and_the_no_show_may_not(world):
    programme, expect, withdrawn = world
    result = impact.programme_impact(programme)
    compared = {c.factory_ref for t in result.factories for c in t.comparisons}
    no_show = "IMP-14"
    assert no_show not in compared and no_show not in {t.factory.ref for t in result.factories}
    eligible = {ref for m in expect.values() for ref in m["comparisons"]}
    assert (withdrawn in compared) == (withdrawn in eligible)


def test_impact_csvs_carry_the_same_figures(world):
    programme, expect, _withdrawn = world
    result = impact.programme_impact(programme)
    rows = list(csv.DictReader(io.StringIO(impact.factories_csv(result))))
    assert [row["factory_ref"] for row in rows] == sorted(expect)
    for row in rows:
        mine = expect[row["factory_ref"]]
        if mine["before"]:
            assert float(row["before_rate"]) == pytest.approx(ratio(mine["before"]), abs=5e-5)
            assert int(row["before_noncompliant"]) == mine["before"][0]
        else:
            assert row["before_rate"] == "" and row["status"] == "no_before"
        assert int(row["comparison_factories"]) == len(mine["comparisons"])
    summary = list(csv.DictReader(io.StringIO(impact.summary_csv(TrainingProgramme.objects.filter(pk=programme.pk)))))
    assert len(summary) == 1 and summary[0]["programme"] == "seminars"
    assert float(summary[0]["difference"]) == pytest.approx(result.summary()["difference"], abs=5e-5)
    assert int(summary[0]["matched"]) == result.summary()["matched"]


@pytest.mark.parametrize(
    "workers, band", [(None, "unknown"), (0, "under_500"), (499, "under_500"), (500, "500_1499"),
                      (1500, "1500_4999"), (4999, "1500_4999"), (5000, "5000_plus")]
)  # fmt: skip
def test_size_bands(workers, band):
    assert impact.size_band(workers) == band
