"""Steps run inside a deployment of tests/deployment.py, in a process of its own with the deployment's
settings: `python -m tests.deployment_scenario STEP [ARGUMENTS]`. Each prints one line of JSON.

- seed: the people, the factory and its email contacts of a small programme.
- publish: an assessment of the seeded factory planned, captured, submitted and approved in the services.
- state: the background work as the database records it (tasks, emails, PDFs).
- enqueue_refresh / task ID: queue a statistics refresh, and read a task's status and the workers that took it.
- heartbeats: the heartbeat of every worker and scheduler, with its age in seconds.
- full_disk_rerender REF: on a media folder that is a small filesystem of its own, fill it up during a
  re-rendering, then download the PDF through the app (see tests/test_deployment_faults.py).
"""

import hashlib
import json
import os
import sys
from datetime import date

PASSWORD = "a-long-deployment-password-42"
CONTACTS = {"en": "owner@factory.example", "km": "hr@factory.example", "zh-hans": "gm@factory.example"}
FACTORY = "DEP-1"


def seed():
    from ims.accounts.models import Membership, Organisation, Role, User
    from ims.checklists.models import ChecklistVersion
    from ims.factories.models import Contact, Factory, Province

    programme = Organisation.objects.create(name="Programme", kind=Organisation.Kind.PROGRAMME)
    factory = Factory.objects.create(ref=FACTORY, name_en="Deployment Garments", sector="garment",
                                     province=Province.objects.get(code="KH-12"))  # fmt: skip
    factory_org = Organisation.objects.create(name="Deployment Garments", kind=Organisation.Kind.FACTORY,
                                              factory=factory)  # fmt: skip
    people = {
        "head": ("head@programme.example", Role.HEAD, programme),
        "monitor": ("monitor@programme.example", Role.MONITOR, programme),
        "monitor2": ("monitor2@programme.example", Role.MONITOR, programme),
        "manager": ("manager@factory.example", Role.FACTORY_MANAGER, factory_org),
    }
    for email, role, organisation in people.values():
        user = User.objects.create_user(email, PASSWORD, full_name=email.split("@")[0])
        Membership.objects.create(user=user, organisation=organisation, role=role)
    for language, email in CONTACTS.items():
        Contact.objects.create(factory=factory, name=email.split("@")[0], email=email, preferred_language=language)
    return {
        "factory": FACTORY,
        "version": ChecklistVersion.objects.get().code,
        "contacts": CONTACTS,
        **{name: email for name, (email, _role, _organisation) in people.items()},
    }


def recovery_code(email):
    """A new recovery code of the account's, enrolling it in two-factor authentication first if need be."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ims.accounts.models import User

    user = User.objects.get(email=email)
    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test app"})
    device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": "recovery codes"})
    return device.token_set.create(token=StaticToken.random_token()).token


def publish():
    from ims.accounts.models import User
    from ims.assessments.workflow import plan_assessment, transition
    from ims.checklists.models import ChecklistVersion
    from ims.factories.models import Factory
    from tests.factories import answer_all

    head, monitor = (
        User.objects.get(email="head@programme.example"),
        User.objects.get(email="monitor@programme.example"),
    )
    visit = plan_assessment(factory=Factory.objects.get(ref=FACTORY), version=ChecklistVersion.objects.get(),
                            actor=head, visit_start=date(2026, 11, 2), visit_end=date(2026, 11, 3),
                            monitors=[monitor])  # fmt: skip
    transition(visit, "start", monitor)
    answer_all(visit, monitor, noncompliant=("OS.8.7",))
    transition(visit, "submit", monitor)
    transition(visit, "approve", head)
    return {"ref": visit.ref}


def state():
    from django_tasks_db.models import DBTaskResult

    from ims.notifications.models import Notification
    from ims.reports.models import RenderedReport

    return {
        "tasks": [
            {
                "id": str(task.pk),
                "task": task.task_path.rsplit(".", 1)[-1],
                "status": task.status,
                "attempts": len(task.worker_ids),
            }
            for task in DBTaskResult.objects.order_by("enqueued_at")
        ],
        "notifications": {
            notification.contact.email: notification.status
            for notification in Notification.objects.select_related("contact")
        },
        "pdfs": [
            {"name": rendered.file.name, "sha256": rendered.sha256}
            for rendered in RenderedReport.objects.order_by("kind", "language")
        ],
    }


def enqueue_refresh():
    from ims.analytics.tasks import refresh_standings

    return {"id": refresh_standings.enqueue().id}


def task(task_id):
    from django_tasks_db.models import DBTaskResult

    result = DBTaskResult.objects.get(pk=task_id)
    return {"status": result.status, "worker_ids": result.worker_ids}


def heartbeats():
    from django.utils import timezone

    from ims.operations.models import Heartbeat

    now = timezone.now()
    return [
        {"role": beat.role, "process_id": beat.process_id, "pid": beat.pid, "age": (now - beat.seen_at).total_seconds()}
        for beat in Heartbeat.objects.all()
    ]


def full_disk_rerender(ref):
    """Render the summary, fill the media filesystem, change the report and render again; then serve it."""
    from django.conf import settings
    from django.test import Client

    from ims.accounts.models import User
    from ims.assessments.models import Assessment, Finding
    from ims.reports.rendering import render_document
    from ims.responses.services import add_action

    media = settings.MEDIA_ROOT
    revision = Assessment.objects.get(ref=ref).current_revision()
    before = render_document(revision, "summary", "en")
    old = {"name": before.file.name, "sha256": before.sha256}
    # Fill the filesystem to the last byte: the next PDF cannot be written.
    with open(media / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
    manager = User.objects.get(email="manager@factory.example")
    exits = Finding.objects.get(assessment__ref=ref, question__code="OS.8.7")
    add_action(exits, manager, "Unlock and sign the rear exit", "Mr Dara", date(2026, 12, 1))
    try:
        render_document(revision, "summary", "en")
        error = None
    except OSError as failure:
        error = f"{type(failure).__name__}: errno {failure.errno}"
    before.refresh_from_db()
    old_file_after_failure = hashlib.sha256((media / old["name"]).read_bytes()).hexdigest()
    url = f"/en/reports/{ref}/revisions/{revision.number}/pdf/summary/en/"
    served = Client(HTTP_HOST="localhost").get(url)
    leftovers = sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.name.startswith("."))
    os.unlink(media / "filler")
    after = render_document(revision, "summary", "en")
    served_after = Client(HTTP_HOST="localhost").get(url)
    return {
        "old": old,
        "render_error": error,
        "row_after_failure": {"name": before.file.name, "sha256": before.sha256},
        "served_status": served.status_code,
        "served_sha256": hashlib.sha256(_body(served)).hexdigest(),
        "partial_files": leftovers,
        "new_sha256": after.sha256,
        "served_after_sha256": hashlib.sha256(_body(served_after)).hexdigest(),
        "old_file_after_failure_sha256": old_file_after_failure,
    }


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


STEPS = {
    "seed": seed,
    "recovery_code": recovery_code,
    "publish": publish,
    "state": state,
    "enqueue_refresh": enqueue_refresh,
    "task": task,
    "heartbeats": heartbeats,
    "full_disk_rerender": full_disk_rerender,
}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims.settings")
    import django

    django.setup()
    step, arguments = sys.argv[1], sys.argv[2:]
    print(json.dumps(STEPS[step](*arguments), default=str))
