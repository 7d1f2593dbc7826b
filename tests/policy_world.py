"""The world the generated authorization tests run in: one person per role and tie, and every object.

A factory (Alpha) with an assessment in each state, each with findings, photos and, once published,
an objection and a corrective action; buyers with a grant in force, revoked, expired or never made;
a training session, an advisory cycle, capture uploads and conflicts, a paper letter. Built once per
test module; each request then runs in a transaction that is rolled back.

Who holds which role and tie is written down here, by hand, for the tests to compute what the policy
table allows: PERSONAS is this module's own account of the people, not read from the code under test.
"""

import hashlib
import io
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from ims.accounts.models import Membership, Organisation, Role, User
from ims.advisory import services as advisory
from ims.analytics.aggregates import rebuild_all
from ims.api.models import ApiToken
from ims.assessments.evidence import attach_photo
from ims.assessments.models import Answer, Assessment, AssessmentMonitor, Finding
from ims.assessments.workflow import plan_assessment, transition
from ims.capture import uploads
from ims.capture.sync import Submission, apply_submission
from ims.checklists.models import ChecklistVersion
from ims.factories.models import Contact, Factory, Province
from ims.goodpractice.models import GoodPracticeSheet
from ims.grants.models import AccessGrant
from ims.notifications.models import Notice, Notification
from ims.people import invitations
from ims.people.models import AccessRequest, Invitation
from ims.planning.models import LowComplianceCase
from ims.readings.services import register_device
from ims.reports.models import Kind
from ims.reports.rendering import verified_document
from ims.responses.grants import grant_access, revoke_access
from ims.responses.services import add_action, object_to_finding
from ims.training import services as training
from ims.training.catalogue import load_catalogue
from ims.training.models import TrainingModule
from ims.voice import services as voice
from tests.factories import PASSWORD, ensure_content

STATES = ("planned", "in_progress", "submitted", "returned", "approved", "correcting")
PUBLISHED_STATES = ("approved", "correcting")
NONCOMPLIANT = "OS.8.7"  # with a note, photos, an objection and an action once published
FRESH = "CL.1.1"  # non-compliant too, with nothing yet: a factory may object to it or plan an action
PUBLISHED_NOTE = "Rear exit padlocked at 18:30"
DRAFT_NOTE = "CORRECTION IN PROGRESS: two exits padlocked"
RETURN_COMMENT = "HEAD-ONLY: check the second floor again"
REOPEN_COMMENT = "HEAD-ONLY: the wage finding needs another look"
OBJECTION_TEXT = "The exit is locked only after the night shift leaves."
ACTION_TEXT = "Remove every padlock from the emergency exits."


@dataclass(frozen=True)
class Persona:
    """Someone the tests sign in as: the roles they hold and their ties to the world's objects.

    ties: "team" (on every assessment's team), "reporter" (sent the sync conflict and started the photo
    uploads from a tablet; the person an object names, also the owner of an API token),
    "factory" (manages Alpha), "grant" (a buyer Alpha grants access now), "session" (runs the training
    session), "admin site" (Django staff).
    """

    roles: frozenset = frozenset()
    ties: frozenset = frozenset()
    signed_in: bool = True


def _persona(*roles, ties=(), signed_in=True):
    return Persona(frozenset(roles), frozenset(ties), signed_in)


PERSONAS = {
    "anonymous": _persona(signed_in=False),
    "no_role": _persona(),
    "head": _persona(Role.HEAD),
    "admin": _persona(Role.PROGRAMME_ADMIN),
    "monitor_on_team": _persona(Role.MONITOR, ties=("team", "reporter")),
    "monitor_off_team": _persona(Role.MONITOR),
    "translator": _persona(Role.TRANSLATOR),
    "trainer": _persona(Role.TRAINER, ties=("session",)),
    "advisor": _persona(Role.ADVISOR),
    "manager": _persona(Role.FACTORY_MANAGER, ties=("factory",)),
    "other_manager": _persona(Role.FACTORY_MANAGER),
    "buyer_granted": _persona(Role.BUYER_VIEWER, ties=("grant",)),
    "buyer_never": _persona(Role.BUYER_VIEWER),
    "buyer_revoked": _persona(Role.BUYER_VIEWER),
    "buyer_expired": _persona(Role.BUYER_VIEWER),
    "partner": _persona(Role.PARTNER_ANALYST),
    # A Django superuser holds the programme's oversight roles and enters the administration site.
    "superuser": _persona(Role.HEAD, Role.PROGRAMME_ADMIN, ties=("admin site",)),
}


@dataclass
class World:
    users: dict
    factory: Factory
    other_factory: Factory
    version: ChecklistVersion
    year: int  # of the published visits
    assessments: dict = field(default_factory=dict)  # state -> Assessment
    findings: dict = field(default_factory=dict)  # state -> the non-compliant Finding
    evidence: dict = field(default_factory=dict)  # (state, "in a published revision" | ...) -> Evidence
    objections: dict = field(default_factory=dict)  # state -> Objection
    actions: dict = field(default_factory=dict)  # state -> ActionPlanItem
    uploads: dict = field(default_factory=dict)  # state -> UploadSession started while capturing
    grant: AccessGrant = None
    other: dict = field(default_factory=dict)  # everything else, by name


def photo(colour="red"):
    output = io.BytesIO()
    Image.new("RGB", (24, 24), colour).save(output, format="JPEG")
    return output.getvalue()


UPLOAD_BYTES = photo("green")


def _users(programme, alpha_org, beta_org, buyers, partner_org):
    organisation_of = {
        Role.HEAD: programme, Role.PROGRAMME_ADMIN: programme, Role.MONITOR: programme,
        Role.TRANSLATOR: programme, Role.TRAINER: programme, Role.ADVISOR: programme,
        Role.PARTNER_ANALYST: partner_org,
    }  # fmt: skip
    users = {"anonymous": None}
    for name, persona in PERSONAS.items():
        if not persona.signed_in:
            continue
        superuser = name == "superuser"
        user = User.objects.create_user(
            f"{name}@world.example", PASSWORD, full_name=f"Person {name}", is_staff=superuser, is_superuser=superuser
        )
        users[name] = user
        if superuser:
            continue
        for role in persona.roles:
            if role == Role.FACTORY_MANAGER:
                organisation = alpha_org if name == "manager" else beta_org
            elif role == Role.BUYER_VIEWER:
                organisation = buyers[name]
            else:
                organisation = organisation_of[role]
            Membership.objects.create(user=user, organisation=organisation, role=role)
    return users


def _answer_everything(assessment, user, note=PUBLISHED_NOTE):
    """Every question answered (compliant, or not applicable where conditional), OS.8.7 non-compliant."""
    rows = []
    for question in assessment.checklist_version.questions.all():
        if question.code in (NONCOMPLIANT, FRESH):
            answer = Answer.NON_COMPLIANT
        else:
            answer = Answer.NOT_APPLICABLE if question.applies_if_id else Answer.COMPLIANT
        rows.append(
            Finding(assessment=assessment, question=question, answer=answer, updated_by=user,
                    note=note if question.code == NONCOMPLIANT else "", note_language="en")
        )  # fmt: skip
    Finding.objects.bulk_create(rows)
    return assessment.findings.get(question__code=NONCOMPLIANT)


def _assessments(world, users):
    monitor, head, manager = users["monitor_on_team"], users["head"], users["manager"]
    for number, state in enumerate(STATES):
        day = date(2026, 3, 2) + timedelta(days=7 * number)
        assessment = plan_assessment(factory=world.factory, version=world.version, actor=head, visit_start=day,
                                     visit_end=day, monitors=[monitor])  # fmt: skip
        world.assessments[state] = assessment
        if state == "planned":
            continue
        transition(assessment, "start", monitor)
        finding = _answer_everything(assessment, monitor)
        world.findings[state] = finding
        first = attach_photo(finding, photo("red"), monitor)
        world.uploads[state] = _upload(assessment, monitor)
        if state == "in_progress":
            world.evidence[(state, "in the working copy only")] = first
            continue
        transition(assessment, "submit", monitor)
        if state == "submitted":
            world.evidence[(state, "in the working copy only")] = first
            continue
        if state == "returned":
            transition(assessment, "return", head, comment=RETURN_COMMENT)
            world.evidence[(state, "in the working copy only")] = first
            continue
        transition(assessment, "approve", head)
        world.evidence[(state, "in a published revision")] = first
        finding = Finding.objects.get(pk=finding.pk)
        world.findings[state] = finding
        world.objections[state] = object_to_finding(finding, manager, OBJECTION_TEXT, "en")
        world.actions[state] = add_action(finding, manager, ACTION_TEXT, "Mr Chan", date(2026, 12, 1))
        for kind in (Kind.DETAILED, Kind.SUMMARY):
            verified_document(assessment.current_revision(), kind, "en")
        if state == "correcting":
            transition(assessment, "reopen", head, comment=REOPEN_COMMENT)
            Finding.objects.filter(pk=finding.pk).update(note=DRAFT_NOTE)
            world.evidence[(state, "in the working copy only")] = attach_photo(finding, photo("blue"), monitor)


def _grants(world, users, buyers):
    manager = users["manager"]
    world.grant = grant_access(world.factory, buyers["buyer_granted"], manager)
    revoke_access(grant_access(world.factory, buyers["buyer_revoked"], manager), manager)
    expired = grant_access(world.factory, buyers["buyer_expired"], manager)
    AccessGrant.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))


def _training(world, users):
    load_catalogue()
    today = timezone.localdate()
    module = TrainingModule.objects.filter(programme__code="seminars").order_by("order").first()
    session = training.plan_session(users["admin"], module=module, start_date=today - timedelta(days=2),
                                    end_date=today - timedelta(days=1), venue="VBNK Centre", languages=["en", "km"],
                                    trainer=users["trainer"], capacity=20)  # fmt: skip
    people = [{"name": "Sokha", "role": "management", "gender": "female"}]
    enrolment = training.enrol_factory(users["admin"], session, world.factory, people)
    participants = [participant.pk for participant in enrolment.participants.all()]
    for day in session.days:
        training.record_attendance(users["trainer"], session, day, participants)
    item = training.add_plan_item(users["manager"], enrolment, action="Gender committee", owner="Sokha",
                                  due_date=today + timedelta(days=30))  # fmt: skip
    world.other.update(session=session, module=module, enrolment=enrolment, plan_item=item, day=session.start_date)


def _advisory(world, users):
    advisor = users["advisor"]
    cycle = advisory.start_cycle(world.factory, advisor, start=date(2026, 1, 5), advisor=advisor)
    item = advisory.add_roadmap_item(cycle, advisor, title="Water filter", language="en", owner="Mr Dara",
                                     due=date(2026, 6, 30))  # fmt: skip
    committee = advisory.form_committee(world.factory, advisor, formed_on=date(2026, 1, 20))
    member = advisory.add_member(committee, advisor, name="Srey Mom", role="worker_representative", gender="female",
                                 elected_on=date(2026, 1, 20))  # fmt: skip
    world.other.update(cycle=cycle, roadmap_item=item, committee=committee, member=member)


def _upload(assessment, monitor):
    """A photo upload the team's monitor starts while capturing (its pieces may follow later)."""
    data = UPLOAD_BYTES
    session, _created = uploads.open_session(
        Assessment.objects.get(pk=assessment.pk), client_uuid=uuid.uuid4(), question_code=NONCOMPLIANT,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), actor=monitor,
    )  # fmt: skip
    return session


def _capture(world, users):
    assessment = Assessment.objects.get(pk=world.assessments["in_progress"].pk)
    monitor = users["monitor_on_team"]
    stale = Submission(client_uuid=uuid.uuid4(), question="CL.1.1", answer=Answer.NOT_ASSESSED, base_version=99)
    conflict = apply_submission(assessment, stale, monitor).conflict
    assert conflict is not None, "the world needs a sync conflict to resolve"
    world.other.update(conflict=conflict)


def _letters(world):
    contact = Contact.objects.create(factory=world.factory, name="Chan Dara", preferred_language="km",
                                     has_email=False, has_internet=False)  # fmt: skip
    revision = world.assessments["approved"].current_revision()
    letter = Notification.objects.create(revision=revision, contact=contact, channel="paper", language="km")
    world.other.update(letter=letter)


def _voice_and_readings(world, users):
    """A worker voice campaign at Alpha with an unused answer card and an alert, a device, a low-compliance case."""
    today = timezone.localdate()
    campaign, secret = voice.create_campaign(users["head"], factory=world.factory, starts_on=today - timedelta(days=3),
                                             ends_on=today + timedelta(days=30))  # fmt: skip
    (card,) = voice.issue_cards(users["head"], campaign, 1)
    alert = voice.raise_alert(campaign, ["locked_exits"])
    device, device_token = register_device(world.factory, "Sewing floor")
    case = LowComplianceCase.objects.create(factory=world.factory, opened_on=today, opened_by=users["head"])
    world.other.update(campaign=campaign, webhook_secret=secret, card=card, alert=alert, device=device,
                       device_token=device_token, case=case)  # fmt: skip


def build_world():
    ensure_content()  # a transactional test before this one may have emptied the database
    version = ChecklistVersion.objects.get()
    province = Province.objects.get(code="KH-12")
    alpha = Factory.objects.create(ref="ALPHA", name_en="Alpha Garments", name_km="អាល់ហ្វា", name_zh="阿尔法制衣",
                                   sector="garment", province=province)  # fmt: skip
    beta = Factory.objects.create(ref="BETA", name_en="Beta Shoes", sector="footwear", province=province)
    programme = Organisation.objects.create(name="Programme", kind=Organisation.Kind.PROGRAMME)
    alpha_org = Organisation.objects.create(name="Alpha org", kind=Organisation.Kind.FACTORY, factory=alpha)
    beta_org = Organisation.objects.create(name="Beta org", kind=Organisation.Kind.FACTORY, factory=beta)
    buyers = {
        name: Organisation.objects.create(name=f"Brand {name}", kind=Organisation.Kind.BUYER)
        for name in ("buyer_granted", "buyer_never", "buyer_revoked", "buyer_expired")
    }
    partner = Organisation.objects.create(
        name="Union", kind=Organisation.Kind.PARTNER, partner_type=Organisation.PartnerType.UNION
    )
    users = _users(programme, alpha_org, beta_org, buyers, partner)
    world = World(users=users, factory=alpha, other_factory=beta, version=version, year=2026)
    _assessments(world, users)
    # transition() hands back the assessment as stored: the dict keeps each one as it ended up.
    world.assessments = {state: Assessment.objects.get(pk=item.pk) for state, item in world.assessments.items()}
    _grants(world, users, buyers)
    _training(world, users)
    _advisory(world, users)
    _capture(world, users)
    _letters(world)
    _voice_and_readings(world, users)
    ApiToken.objects.issue(users["head"])
    world.other["token"], _key = ApiToken.objects.issue(users["monitor_on_team"])
    invitation = Invitation.objects.create(email="invited@world.example", full_name="Invited", language="km",
                                           organisation=alpha.organisation, role=Role.FACTORY_MANAGER,
                                           invited_by=users["admin"])  # fmt: skip
    world.other["invitation_token"] = invitations.link_token(invitation)
    world.other["access_request"] = AccessRequest.objects.create(
        factory=alpha, buyer=buyers["buyer_never"], requested_by=users["buyer_never"]
    )
    world.other["notice"] = Notice.objects.create(
        recipient=users["monitor_on_team"],
        event="returned",
        event_key="world",
        factory=alpha,
        params={"ref": world.assessments["returned"].ref},
        link_name="assessments:detail",
        link_kwargs={"ref": world.assessments["returned"].ref},
    )
    rebuild_all()
    world.other.update(
        buyer_org_never=buyers["buyer_never"],
        sheet=GoodPracticeSheet.objects.order_by("pk").first(),
        team_member=AssessmentMonitor.objects.filter(assessment=world.assessments["planned"]).get(),
    )
    assert Assessment.objects.filter(factory=alpha).count() == len(STATES)
    return world


@contextmanager
def world_in_a_transaction(media_root):
    """The world, its files under media_root, undone when the block ends."""
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as every test's users have
    with override_settings(MEDIA_ROOT=media_root, PASSWORD_HASHERS=fast_hashing), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
