"""Demo advisory work at the demo factory: a closed and an open engagement cycle with visits and a roadmap,
and a worker-management committee with members and meetings. Idempotent: skipped once the factory has any."""

from datetime import date

from ims.accounts.models import User
from ims.advisory import services
from ims.factories.models import Factory

FACTORY_REF = "KH-0001"
ADVISOR = "trainer@ims.demo"  # holds the trainer and advisor roles in seed_demo

MEMBERS = [
    ("Srey Mom", "worker_representative", "female"),
    ("Chantha Kim", "worker_representative", "female"),
    ("Sokha Phan", "worker_representative", "male"),
    ("Li Na", "management", "female"),
    ("Wei Chen", "management", "male"),
    ("Vannak Chea", "union", "female"),
]


def seed(stdout):
    factory = Factory.objects.get(ref=FACTORY_REF)
    if factory.engagement_cycles.exists():
        return
    advisor = User.objects.get(email=ADVISOR)
    first = services.start_cycle(factory, advisor, start=date(2025, 1, 6), advisor=advisor)
    services.record_visit(
        first, advisor, date=date(2025, 2, 11), advisor=advisor, note_language="km",
        notes="បានពិនិត្យការគ្រប់គ្រងម៉ោងបន្ថែម និងបានណែនាំគណៈកម្មាធិការអំពីការកត់ត្រាម៉ោងធ្វើការ។",
    )  # fmt: skip
    services.add_roadmap_item(
        first, advisor, title="Record overtime hours electronically", language="en", owner="HR manager",
        due=date(2025, 6, 30),
    )  # fmt: skip
    services.close_cycle(first, advisor, end=date(2025, 12, 19))
    current = services.start_cycle(factory, advisor, start=date(2026, 1, 12), advisor=advisor)
    services.record_visit(
        current, advisor, date=date(2026, 2, 17), advisor=advisor, note_language="en",
        notes="Walked the sewing floors with the committee; agreed to fix the drinking-water points first.",
    )  # fmt: skip
    services.record_visit(
        current, advisor, date=date(2026, 5, 20), advisor=advisor, note_language="zh-hans",
        notes="与管理层讨论了消防演习计划，委员会将监督每六个月一次的演习。",  # noqa: RUF001 (Chinese punctuation)
    )  # fmt: skip
    roadmap = [
        ("Clean drinking water on every floor", "en", "Facilities manager", date(2026, 3, 31), "done"),
        ("ធ្វើសមយុទ្ធភ្លើងឆេះរៀងរាល់ប្រាំមួយខែ", "km", "Safety officer", date(2026, 6, 30), "in_progress"),
        ("Train supervisors on respectful communication", "en", "HR manager", date(2026, 12, 15), "planned"),
    ]
    for title, language, owner, due, status in roadmap:
        item = services.add_roadmap_item(current, advisor, title=title, language=language, owner=owner, due=due)
        if status != item.status:
            services.set_roadmap_status(item, advisor, status=status)
    committee = services.form_committee(factory, advisor, formed_on=date(2025, 11, 20))
    for name, role, gender in MEMBERS:
        services.add_member(committee, advisor, name=name, role=role, gender=gender, elected_on=date(2025, 11, 20))
    services.record_meeting(
        committee, advisor, date=date(2026, 1, 28), attendees=6, language="en",
        minutes_summary="First meeting: members agreed on the committee's rules and a monthly meeting day.",
        decisions="Meet on the last Wednesday of each month.",
    )  # fmt: skip
    services.record_meeting(
        committee, advisor, date=date(2026, 2, 25), attendees=5, language="km",
        minutes_summary="គណៈកម្មាធិការបានពិភាក្សាអំពីទឹកផឹកស្អាតនៅគ្រប់ជាន់។",
        decisions="ដំឡើងម៉ាស៊ីនចម្រោះទឹកពីរ។",
    )  # fmt: skip
    stdout.write(f"Demo advisory: 2 engagement cycles, a committee of {len(MEMBERS)} at {FACTORY_REF}")
