"""Demo training: the catalogue, two finished sessions with attendance, completion and improvement plans,
and one coming session open for enrolment. Idempotent: sessions are created only when there are none."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ims.accounts.models import User
from ims.factories.models import Factory
from ims.training import services
from ims.training.models import Participant, TrainingModule, TrainingSession

VBNK = "VBNK Training Centre, #28, Street 80, Phnom Penh"
M, W, U = Participant.Role.MANAGEMENT, Participant.Role.WORKER_REPRESENTATIVE, Participant.Role.UNION
F, MALE = Participant.Gender.FEMALE, Participant.Gender.MALE
PEOPLE = {
    "KH-0001": [("Chen Hui", "HR manager", M, F), ("Sok Dara", "Production manager", M, MALE),
                ("Chan Sreymom", "Shop steward", W, F), ("Keo Sophal", "Union representative", U, F)],
    "KH-0003": [("Lim Vuthy", "Factory manager", M, MALE), ("Heng Srey Leak", "Worker representative", W, F)],
    "KH-0004": [("Wong Mei", "Compliance officer", M, F), ("Touch Bopha", "Union leader", U, F),
                ("Mao Sina", "Worker representative", W, F)],
}  # fmt: skip


def _people(ref):
    return [{"name": name, "position": position, "role": role, "gender": gender}
            for name, position, role, gender in PEOPLE[ref]]  # fmt: skip


@transaction.atomic
def seed(stdout):
    if TrainingSession.objects.exists():
        return
    admin = User.objects.get(email="admin@ims.demo")
    trainer = User.objects.get(email="trainer@ims.demo")
    today = timezone.localdate()
    factories = {ref: Factory.objects.get(ref=ref) for ref in PEOPLE}

    gender = TrainingModule.objects.get(programme__code="seminars", order=1)
    seminar = services.plan_session(
        admin, module=gender, start_date=today - timedelta(days=60), end_date=today - timedelta(days=60), venue=VBNK,
        languages=["km", "en"], trainer=trainer, capacity=28, seats_per_factory=4, fee=0,
    )  # fmt: skip
    global_context = TrainingModule.objects.get(programme__code="modular", order=1)
    modular = services.plan_session(
        admin, module=global_context, start_date=today - timedelta(days=31), end_date=today - timedelta(days=30),
        venue=VBNK, languages=["en", "km", "zh-hans"], trainer=trainer, capacity=28, seats_per_factory=4, fee=2500,
    )  # fmt: skip
    for session in (seminar, modular):
        enrolments = [services.enrol_factory(trainer, session, factories[ref], _people(ref)) for ref in PEOPLE]
        absent = enrolments[1].participants.first().pk  # one person missed every day of each session
        for day in session.days:
            present = [p.pk for e in enrolments for p in e.participants.all() if p.pk != absent]
            services.record_attendance(trainer, session, day, present)
        for enrolment in enrolments[:2]:
            services.add_plan_item(
                trainer, enrolment, action="Form a committee of managers and worker representatives on the topic",
                owner=enrolment.participants.first().name, due_date=session.end_date + timedelta(days=45),
            )  # fmt: skip
        services.mark_completion(trainer, session)

    supervisory = TrainingModule.objects.get(programme__code="supervisory-skills", order=1)
    coming = services.plan_session(
        admin, module=supervisory, start_date=today + timedelta(days=14), end_date=today + timedelta(days=17),
        venue=VBNK, languages=["km", "zh-hans"], trainer=trainer, capacity=24, seats_per_factory=6, fee=150,
    )  # fmt: skip
    services.enrol_factory(trainer, coming, factories["KH-0001"], _people("KH-0001")[:2])
    stdout.write(f"Demo training: 3 sessions, {len(PEOPLE)} factories enrolled, completion marked on 2.")
