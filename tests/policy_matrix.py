"""The generated authorization tests: every URL pattern x every persona x every object state.

For each URL pattern, SPECS says which action of the policy table each HTTP method takes (the test
checks the view declares the same), how to name an object in each state, and what to send. The
expected outcome is computed here from the declared table and from the world's own account of who
holds which role and tie (tests/policy_world.py), never by asking ims.policy. Every request runs in
a transaction rolled back afterwards; its SQL is watched:

- allowed: the request gets through (2xx, or a redirect that is not to the sign-in page), and a
  write really writes;
- refused: 401, 403, 404, 409 or a redirect to sign in, and not one row written;
- a 5xx is a failure wherever it appears.
"""

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from ims.capture.package import checklist_edition
from ims.policy import rules
from ims.policy.guards import StepFromField
from ims.policy.table import TABLE
from ims.site.admin_site import AdminSite
from tests.factories import PASSWORD
from tests.policy_world import FRESH, NONCOMPLIANT, PERSONAS, PUBLISHED_STATES, STATES, UPLOAD_BYTES, photo

ALLOWED_STATUSES = {200, 201, 204, 302, 304}
REFUSED_STATUSES = {401, 403, 404, 409}
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
NOT_DOMAIN_TABLES = {"django_session"}
KEPT_SUBMISSIONS = frozenset(
    {"capture_submissionreceipt", "capture_syncconflict", "capture_externalsubmission", "audit_auditevent"}
)

# --- what each URL pattern takes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """POSTed as a form (multipart when it holds files)."""

    data: dict


@dataclass(frozen=True)
class Json:
    data: object


@dataclass(frozen=True)
class Raw:
    body: bytes
    content_type: str
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Spec:
    """actions: {method: action, or a function of the state naming it}; args(world, state) -> URL kwargs;
    bodies: {method: function(world, state) -> Form | Json | Raw}; states(world) -> the object states."""

    actions: dict
    args: object = None
    bodies: dict = field(default_factory=dict)
    states: object = None
    writes: frozenset = frozenset()  # methods that must write when allowed
    json: bool = False  # the client asks for JSON (the page's own scripts, or the API)
    query: object = None  # function(world) -> query string parameters
    # Tables a submission from the team's tablet may still be written to when the state refuses it:
    # it is kept as a conflict for the monitor to decide, never applied to the findings.
    keeps_refused: frozenset = frozenset()
    allowed_statuses: frozenset = frozenset(ALLOWED_STATUSES)

    def object_states(self, world):
        return self.states(world) if self.states else [None]


def every_state(_world):
    return list(STATES)


def answered_states(_world):
    return [state for state in STATES if state != "planned"]


def published_states(_world):
    return list(PUBLISHED_STATES)


def evidence_states(world):
    return list(world.evidence)


# The workflow step each state offers (the team's or the head's); the review page offers the head's only.
STEP = {"planned": "start", "in_progress": "submit", "submitted": "return", "returned": "submit",
        "approved": "reopen", "correcting": "approve"}  # fmt: skip
HEAD_STEP = {**STEP, "planned": "approve", "in_progress": "approve", "returned": "approve"}


def step(state):
    return f"assessment.{STEP[state]}"


def head_step(state):
    return f"assessment.{HEAD_STEP[state]}"


def ref(world, state):
    return {"ref": world.assessments[state].ref}


def alpha(world, _state):
    return {"ref": world.factory.ref}


def finding_of(world, state, code=FRESH):
    return world.assessments[state].findings.get(question__code=code)


def row_version(world, state, code):
    return finding_of(world, state, code).row_version


def fresh(instance):
    """The object as stored now (its row_version moves when the world is built)."""
    return type(instance).objects.get(pk=instance.pk)


def today_plus(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def plan_form(world, _state):
    monitor = world.users["monitor_on_team"]
    return Form({"factory": world.factory.ref, "version": world.version.pk, "type": "assessment",
                 "visit_start": "2026-11-30", "visit_end": "2026-11-30", "lead": monitor.pk})  # fmt: skip


def factories_csv(_world, _state):
    csv = (
        "factory_ref,name_en,name_km,name_zh,registration_no,province,district,sector,head_office_country,"
        "workers_total,workers_female,email,preferred_language,has_email\n"
        "MATRIX-1,Matrix Apparel,,,,Phnom Penh,,garment,KH,100,80,hr@matrix.example,km,true\n"
    )
    return Form({"file": SimpleUploadedFile("factories.csv", csv.encode(), content_type="text/csv")})


def odk_json(world, state):
    instance = uuid.uuid5(uuid.NAMESPACE_URL, f"matrix/{state}")
    # The answer stored already: the import goes through and records the submission, changing no finding.
    return {"__id": f"uuid:{instance}", "assessment_ref": world.assessments[state].ref, "q_CL_1_2": "compliant"}


def submission(world, state):
    return {"client_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"matrix-sync/{state}")), "question": "CL.1.2",
            "answer": "not_assessed", "base_version": row_version(world, state, "CL.1.2")}  # fmt: skip


def _photo_file():
    return SimpleUploadedFile("photo.jpg", photo("yellow"), content_type="image/jpeg")


def rapidpro_payload():
    return {"contact": {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "matrix/contact")), "urn": "tel:+85512000000",
                        "name": "Worker"},
            "flow": {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "matrix/flow")), "name": "Survey"},
            "results": {"overtime_paid": {"value": "No", "category": "No", "input": "no"}}}  # fmt: skip


def one_reading():
    return json.dumps({"readings": [{"at": timezone.now().isoformat(), "noise_dba": 80.5}]}).encode()


def _session(world):
    return world.other["session"]


# fmt: off
PAGES = {
    # public
    "core:home": Spec({"GET": "public.read"}),
    "set_language": Spec({"POST": "public.read"}, bodies={"POST": lambda w, s: Form({"language": "km", "next": "/"})}),
    "accounts:login": Spec(
        {"GET": "public.read", "POST": "public.read"},
        bodies={"POST": lambda w, s: Form({"username": "nobody@world.example", "password": "wrong"})},
    ),
    "accounts:logout": Spec({"POST": "public.read"}, bodies={"POST": lambda w, s: Form({})}),
    "accounts:password_reset": Spec(
        {"GET": "public.read", "POST": "public.read"},
        bodies={"POST": lambda w, s: Form({"email": "head@world.example"})},
    ),
    "accounts:password_reset_sent": Spec({"GET": "public.read"}),
    "accounts:password_reset_confirm": Spec(
        {"GET": "public.read", "POST": "public.read"}, args=lambda w, s: {"uidb64": "MQ", "token": "no-such-token"},
        bodies={"POST": lambda w, s: Form({"new_password1": "x", "new_password2": "x"})},
    ),
    "accounts:second_factor": Spec(
        {"GET": "public.read", "POST": "public.read"}, bodies={"POST": lambda w, s: Form({"code": "000000"})}
    ),
    "accounts:second_factor_setup": Spec(
        {"GET": "public.read", "POST": "public.read"}, bodies={"POST": lambda w, s: Form({"code": "000000"})}
    ),
    "accounts:invitations": Spec(
        {"GET": "invitations.open", "POST": "invitations.open"}, allowed_statuses=frozenset(ALLOWED_STATUSES | {400}),
        bodies={"POST": lambda w, s: Form({"full_name": "New Colleague", "email": "new@alpha.example",
                                           "organisation": w.factory.organisation.pk, "role": "factory_manager",
                                           "language": "km"})},
    ),
    "accounts:accept_invitation": Spec(
        {"GET": "public.read", "POST": "public.read"}, args=lambda w, s: {"token": w.other["invitation_token"]},
        writes={"POST"},
        bodies={"POST": lambda w, s: Form({"new_password1": "a long new passphrase 9",
                                           "new_password2": "a long new passphrase 9"})},
    ),
    "accounts:access_requests": Spec(
        {"GET": "access_requests.open", "POST": "access.request"}, allowed_statuses=frozenset(ALLOWED_STATUSES | {400}),
        bodies={"POST": lambda w, s: Form({"factory": w.factory.ref, "message": "Please"})},
    ),
    "accounts:decide_access_request": Spec(
        {"POST": "access_request.decide"}, args=lambda w, s: {"request_id": w.other["access_request"].pk},
        writes={"POST"}, bodies={"POST": lambda w, s: Form({"decision": "decline"})},
    ),
    # one's own account
    "accounts:start": Spec({"GET": "account.own"}),
    "accounts:profile": Spec(
        {"GET": "account.own", "POST": "account.own"}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"full_name": "Renamed", "email": "renamed@world.example",
                                           "preferred_language": "km", "notice_delivery": "daily"})},
    ),
    "accounts:password_change": Spec(
        {"GET": "account.own", "POST": "account.own"}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"old_password": PASSWORD, "new_password1": "a new long passphrase 7",
                                           "new_password2": "a new long passphrase 7"})},
    ),
    "accounts:tokens": Spec({"GET": "account.own", "POST": "account.own"}, writes={"POST"},
                            bodies={"POST": lambda w, s: Form({})}),
    "notifications:notices": Spec({"GET": "account.own"}),
    "notifications:open": Spec({"GET": "notice.open"}, args=lambda w, s: {"notice_id": w.other["notice"].pk}),
    "notifications:mark_all_read": Spec({"POST": "account.own"}, bodies={"POST": lambda w, s: Form({})}),
    "accounts:revoke_token": Spec(
        {"POST": "token.revoke"}, args=lambda w, s: {"token_id": w.other["token"].pk}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({})},
    ),
    "factories:directory": Spec({"GET": "public.read"}),
    "factories:detail": Spec({"GET": "public.read"}, args=alpha),
    "factories:import": Spec(
        {"GET": "factories.import", "POST": "factories.import"}, bodies={"POST": factories_csv}, writes={"POST"}
    ),
    "checklists:index": Spec({"GET": "public.read"}),
    "checklists:version": Spec({"GET": "public.read"}, args=lambda w, s: {"code": w.version.code}),
    "checklists:question": Spec(
        {"GET": "public.read"}, args=lambda w, s: {"code": w.version.code, "question": w.version.questions.first().code}
    ),
    "checklists:import": Spec(
        {"GET": "checklists.import", "POST": "checklists.import"},
        bodies={"POST": lambda w, s: Form({"file": SimpleUploadedFile("checklist.json", b'{"version": "x"}')})},
    ),
    "goodpractice:index": Spec({"GET": "public.read"}),
    "goodpractice:detail": Spec({"GET": "public.read"}, args=lambda w, s: {"slug": w.other["sheet"].slug}),
    # the assessment workspace
    "assessments:mine": Spec({"GET": "workspace.open"}),
    "assessments:plan": Spec(
        {"GET": "assessment.plan", "POST": "assessment.plan"}, bodies={"POST": plan_form}, writes={"POST"}
    ),
    "assessments:detail": Spec({"GET": "workspace.read"}, args=ref, states=every_state),
    "assessments:update_details": Spec(
        {"POST": "finding.edit"}, args=ref, states=every_state, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"interviews_workers": 12, "interviews_managers": 2, "interviews_union": 1,
                                           "workers_total": "", "workers_female": "",
                                           "row_version": fresh(w.assessments[s]).row_version})},
    ),
    "assessments:transition": Spec(
        {"POST": step}, args=ref, states=every_state, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"action": STEP[s], "comment": "Because"})},
    ),
    "assessments:capture": Spec(
        {"GET": "workspace.read", "POST": "finding.edit"}, args=lambda w, s: {**ref(w, s), "cluster_code": "CL"},
        states=every_state, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"question": "CL.1.3", "answer": "not_assessed", "note": "",
                                           "row_version": row_version(w, s, "CL.1.3") if s != "planned" else ""})},
    ),
    "assessments:upload_evidence": Spec(
        {"POST": "finding.edit"}, args=ref, states=every_state, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"question": NONCOMPLIANT, "photo": _photo_file()})},
    ),
    "assessments:evidence": Spec(
        {"GET": "evidence.read"}, states=evidence_states,
        args=lambda w, s: {"ref": w.evidence[s].finding.assessment.ref, "pk": w.evidence[s].pk},
    ),
    "assessments:review": Spec({"GET": "workspace.read"}, args=ref, states=every_state),
    # reports
    "reports:index": Spec({"GET": "reports.open"}),
    "reports:objections": Spec(
        {"GET": "objections.queue", "POST": "objection.rule"}, states=published_states, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"objection": w.objections[s].pk, "decision": "upheld",
                                           "ruling": "The finding stands."})},
    ),
    "reports:verify": Spec(
        {"GET": "public.read", "POST": "public.read"}, bodies={"POST": lambda w, s: Form({"code": "0" * 64})}
    ),
    "reports:translate_note": Spec(
        {"GET": "note.translate", "POST": "note.translate"}, states=answered_states, writes={"POST"},
        args=lambda w, s: {"finding_id": w.findings[s].pk},
        bodies={"POST": lambda w, s: Form({"language": "km", "text": "ការបកប្រែ"})},
    ),
    "reports:review": Spec(
        {"GET": "review.open", "POST": head_step}, args=ref, states=every_state, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"action": HEAD_STEP[s], "comment": "Because"})},
    ),
    "reports:revision": Spec({"GET": "report.read"}, args=lambda w, s: {**ref(w, s), "number": 1}, states=every_state),
    "reports:summary": Spec({"GET": "summary.read"}, args=lambda w, s: {**ref(w, s), "number": 1}, states=every_state),
    "reports:detailed_pdf": Spec(
        {"GET": "report.read"}, args=lambda w, s: {**ref(w, s), "number": 1, "language": "en"}, states=every_state
    ),
    "reports:summary_pdf": Spec(
        {"GET": "summary.read"}, args=lambda w, s: {**ref(w, s), "number": 1, "language": "en"}, states=every_state
    ),
    # the factory's response
    "responses:object": Spec(
        {"GET": "objection.file", "POST": "objection.file"}, states=answered_states, writes={"POST"},
        args=lambda w, s: {"finding_id": finding_of(w, s).pk},
        bodies={"POST": lambda w, s: Form({"text": "We object.", "language": "en"})},
    ),
    "responses:add_action": Spec(
        {"GET": "action.add", "POST": "action.add"}, states=answered_states, writes={"POST"},
        args=lambda w, s: {"finding_id": finding_of(w, s).pk},
        bodies={"POST": lambda w, s: Form({"action": "Fix it", "owner": "HR", "due_date": today_plus(30)})},
    ),
    "responses:update_action": Spec(
        {"GET": "action.update", "POST": "action.update"}, states=published_states, writes={"POST"},
        args=lambda w, s: {"item_id": w.actions[s].pk},
        bodies={"POST": lambda w, s: Form({"status": "in_progress", "note": "Half done",
                                           "row_version": fresh(w.actions[s]).row_version})},
    ),
    # buyer access
    "grants:grants": Spec(
        {"GET": "grants.open", "POST": "grant.manage"}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"factory": w.factory.ref, "buyer": w.other["buyer_org_never"].pk,
                                           "expires_on": ""})},
    ),
    "grants:revoke": Spec(
        {"POST": "grant.manage"}, args=lambda w, s: {"grant_id": w.grant.pk}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({})},
    ),
    # programme operations
    "notifications:paper_queue": Spec({"GET": "paper.handle"}),
    "notifications:paper_batch": Spec({"GET": "paper.handle"}),
    "notifications:paper_posted": Spec(
        {"POST": "paper.handle"}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"notification": [w.other["letter"].pk]})},
    ),
    "audit:log": Spec({"GET": "audit.read"}),
    # offline capture
    "capture:index": Spec({"GET": "capture.open"}),
    "capture:manifest": Spec({"GET": "public.read"}),
    "capture:app": Spec({"GET": "capture.take"}, args=ref, states=every_state),
    "capture:import": Spec({"GET": "capture.take"}, args=ref, states=every_state),
    "capture:import_submit": Spec(
        {"POST": "finding.edit"}, args=ref, states=answered_states, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"submissions": SimpleUploadedFile(
            "submission.json", json.dumps(odk_json(w, s)).encode(), content_type="application/json")})},
    ),
    # statistics and dashboards
    "analytics:statistics": Spec({"GET": "public.read"}),
    "analytics:low_compliance": Spec({"GET": "public.read"}),
    "analytics:high_performing": Spec({"GET": "public.read"}),
    "analytics:synthesis": Spec({"GET": "public.read"}),
    "analytics:open_data": Spec({"GET": "public.read"}),
    "analytics:synthesis_pdf": Spec({"GET": "public.read"}, args=lambda w, s: {"language": "en"}),
    "analytics:dashboards": Spec({"GET": "dashboards.open"}),
    "analytics:factory_dashboard": Spec({"GET": "dashboard.factory"}, args=alpha),
    "analytics:buyer_dashboard": Spec({"GET": "dashboard.buyer"}),
    "analytics:programme_dashboard": Spec({"GET": "dashboard.programme"}),
    # training
    "training:catalogue": Spec({"GET": "public.read"}),
    "training:programme": Spec({"GET": "public.read"}, args=lambda w, s: {"code": w.other["module"].programme.code}),
    "training:sessions": Spec(
        {"GET": "training.sessions", "POST": "training.manage"}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"module": w.other["module"].pk, "start_date": today_plus(10),
                                           "end_date": today_plus(10), "venue": "Hall", "languages": ["km"],
                                           "trainer": w.users["trainer"].pk, "capacity": 5, "fee": "0"})},
    ),
    "training:session": Spec({"GET": "public.read"}, args=lambda w, s: {"pk": _session(w).pk}),
    "training:enrol": Spec(
        {"POST": "training.manage"}, args=lambda w, s: {"pk": _session(w).pk}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"factory": w.other_factory.ref, "people-TOTAL_FORMS": "1",
                                           "people-INITIAL_FORMS": "0", "people-0-name": "Dara",
                                           "people-0-role": "union", "people-0-gender": "male"})},
    ),
    "training:attendance": Spec(
        {"GET": "training.run", "POST": "training.run"}, writes={"POST"},
        args=lambda w, s: {"pk": _session(w).pk, "day": w.other["day"].isoformat()},
        bodies={"POST": lambda w, s: Form({"present": [w.other["enrolment"].participants.get().pk]})},
    ),
    "training:complete": Spec(
        {"POST": "training.run"}, args=lambda w, s: {"pk": _session(w).pk}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({})},
    ),
    "training:enrolment": Spec(
        {"GET": "training.record", "POST": "training.plan_edit"}, args=lambda w, s: {"pk": w.other["enrolment"].pk},
        writes={"POST"}, bodies={"POST": lambda w, s: Form({"action": "A", "owner": "B", "due_date": today_plus(5)})},
    ),
    "training:withdraw": Spec(
        {"POST": "training.manage"}, args=lambda w, s: {"pk": w.other["enrolment"].pk}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({})},
    ),
    "training:item_status": Spec(
        {"POST": "training.plan_edit"}, args=lambda w, s: {"pk": w.other["plan_item"].pk}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"status": "done"})},
    ),
    "training:mine": Spec({"GET": "training.records_open"}),
    "training:factory": Spec({"GET": "training.record"}, args=alpha),
    "training:export": Spec({"GET": "training.records_open"}),
    "training:impact": Spec({"GET": "training.impact"}),
    "training:impact_csv": Spec({"GET": "training.impact"}),
    "training:impact_programme": Spec(
        {"GET": "training.impact"}, args=lambda w, s: {"code": w.other["module"].programme.code}
    ),
    "training:impact_programme_csv": Spec(
        {"GET": "training.impact"}, args=lambda w, s: {"code": w.other["module"].programme.code}
    ),
    # advisory
    "advisory:index": Spec({"GET": "advisory.open"}),
    "advisory:factory": Spec({"GET": "advisory.read"}, args=alpha),
    "advisory:start_cycle": Spec(
        {"GET": "advisory.record", "POST": "advisory.record"}, args=alpha,
        bodies={"POST": lambda w, s: Form({"start": "2026-08-01", "advisor": w.users["advisor"].pk})},
        # The factory's open cycle must be closed first: the service's answer to an allowed request.
        allowed_statuses=frozenset({*ALLOWED_STATUSES, 409}),
    ),
    "advisory:form_committee": Spec(
        {"GET": "advisory.record", "POST": "advisory.record"}, args=alpha, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"formed_on": "2026-05-01"})},
    ),
    "advisory:close_cycle": Spec(
        {"GET": "advisory.record", "POST": "advisory.record"}, args=lambda w, s: {"pk": w.other["cycle"].pk},
        writes={"POST"}, bodies={"POST": lambda w, s: Form({"end": "2026-06-01"})},
    ),
    "advisory:record_visit": Spec(
        {"GET": "advisory.record", "POST": "advisory.record"}, args=lambda w, s: {"pk": w.other["cycle"].pk},
        writes={"POST"}, bodies={"POST": lambda w, s: Form({"date": "2026-02-03", "advisor": w.users["advisor"].pk,
                                                            "notes": "Visited", "note_language": "en"})},
    ),
    "advisory:add_roadmap_item": Spec(
        {"GET": "advisory.record", "POST": "advisory.record"}, args=lambda w, s: {"pk": w.other["cycle"].pk},
        writes={"POST"}, bodies={"POST": lambda w, s: Form({"title": "Fans", "language": "en", "owner": "Dara",
                                                            "due": "2026-09-30"})},
    ),
    "advisory:roadmap_status": Spec(
        {"POST": "advisory.record"}, args=lambda w, s: {"pk": w.other["roadmap_item"].pk}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"status": "done"})},
    ),
    "advisory:add_member": Spec(
        {"GET": "advisory.record", "POST": "advisory.record"}, args=lambda w, s: {"pk": w.other["committee"].pk},
        writes={"POST"}, bodies={"POST": lambda w, s: Form({"name": "Sok", "role": "worker_representative",
                                                            "gender": "male", "elected_on": "2026-02-01"})},
    ),
    "advisory:record_meeting": Spec(
        {"GET": "advisory.record", "POST": "advisory.record"}, args=lambda w, s: {"pk": w.other["committee"].pk},
        writes={"POST"}, bodies={"POST": lambda w, s: Form({"date": "2026-02-10", "attendees": 9,
                                                            "minutes_summary": "Water", "decisions": "",
                                                            "language": "en"})},
    ),
    "advisory:member_active": Spec(
        {"POST": "advisory.record"}, args=lambda w, s: {"pk": w.other["member"].pk}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"is_active": "false"})},
    ),
    # remediation
    "remediation:index": Spec({"GET": "remediation.open"}),
    "remediation:overdue": Spec({"GET": "remediation.overdue"}),
    "remediation:factory": Spec({"GET": "remediation.read"}, args=alpha),
    # worker voice, readings and visit planning
    "voice:index": Spec(
        {"GET": "voice.open", "POST": "voice.manage"}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"factory": w.factory.ref, "starts_on": today_plus(0),
                                           "ends_on": today_plus(30)})},
    ),
    "voice:campaign": Spec({"GET": "voice.results"}, args=lambda w, s: {"code": w.other["campaign"].code}),
    "voice:cards": Spec(
        {"POST": "voice.manage"}, args=lambda w, s: {"code": w.other["campaign"].code}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"count": 2})},
    ),
    "voice:alerts": Spec(
        {"GET": "voice.alerts", "POST": "voice.alerts"}, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"alert": w.other["alert"].pk})},
    ),
    "voice_survey:answer": Spec(
        {"GET": "voice.answer", "POST": "voice.answer"}, writes={"POST"},
        args=lambda w, s: {"code": w.other["campaign"].code, "token": w.other["card"]},
        bodies={"POST": lambda w, s: Form({"overtime_paid": "no", "exits_open": "yes"})},
    ),
    "readings:factory": Spec({"GET": "readings.read"}, args=alpha),
    "planning:visits": Spec({"GET": "planning.risk"}),
    "planning:cases": Spec(
        {"GET": "lowcompliance.read", "POST": "lowcompliance.manage"},
        bodies={"POST": lambda w, s: Form({"factory": w.factory.ref})},
    ),
    "planning:case": Spec(
        {"GET": "lowcompliance.read", "POST": "lowcompliance.manage"}, args=lambda w, s: {"pk": w.other["case"].pk},
        writes={"POST"},
        bodies={"POST": lambda w, s: Form({"step": "joint_visit", "visited_on": today_plus(0),
                                           "officials": "MoLVT, GMAC"})},
    ),
}

API = {
    "api:schema": Spec({"GET": "public.read"}, json=True),
    "api:docs": Spec({"GET": "public.read"}),
    "api:token": Spec(
        {"POST": "public.read"}, json=True, writes={"POST"},
        # an account without a second factor (the head's asks for a code: tests/test_two_factor.py)
        bodies={"POST": lambda w, s: Json({"email": w.users["monitor_on_team"].email, "password": PASSWORD})},
    ),
    "api:assessments": Spec(
        {"GET": "account.use", "POST": "assessment.plan"}, json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Json({"factory": w.factory.ref, "checklist_version": w.version.code,
                                           "visit_start": "2026-11-30", "visit_end": "2026-11-30",
                                           "monitors": [w.users["monitor_on_team"].email]})},
    ),
    "api:assessment": Spec({"GET": "assessment.read"}, args=ref, states=every_state, json=True),
    "api:transitions": Spec(
        {"POST": step}, args=ref, states=every_state, json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Json({"action": STEP[s], "comment": "Because"})},
    ),
    "api:revisions": Spec({"GET": "report.read"}, args=ref, states=every_state, json=True),
    "api:revision": Spec({"GET": "report.read"}, args=lambda w, s: {**ref(w, s), "number": 1}, states=every_state,
                         json=True),
    "api:findings": Spec({"GET": "findings.read"}, args=ref, states=every_state, json=True),
    "api:finding": Spec(
        {"PUT": "finding.edit"}, args=lambda w, s: {**ref(w, s), "question_code": "CL.1.3"}, states=every_state,
        json=True, writes={"PUT"},
        bodies={"PUT": lambda w, s: Json({"answer": "not_assessed",
                                          "row_version": row_version(w, s, "CL.1.3") if s != "planned" else None})},
    ),
    "api:evidence": Spec(
        {"POST": "finding.edit"}, args=lambda w, s: {**ref(w, s), "question_code": NONCOMPLIANT},
        states=answered_states, json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Form({"photo": _photo_file()})},
    ),
    "api:finding-objections": Spec(
        {"POST": "objection.file"}, args=lambda w, s: {"finding_id": finding_of(w, s).pk}, states=answered_states,
        json=True, writes={"POST"}, bodies={"POST": lambda w, s: Json({"text": "We object.", "language": "en"})},
    ),
    "api:finding-actions": Spec(
        {"POST": "action.add"}, args=lambda w, s: {"finding_id": finding_of(w, s).pk}, states=answered_states,
        json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Json({"action": "Fix it", "owner": "HR", "due_date": today_plus(30)})},
    ),
    "api:objections": Spec({"GET": "account.use"}, json=True),
    "api:objection": Spec(
        {"GET": "objection.read"}, args=lambda w, s: {"pk": w.objections[s].pk}, states=published_states, json=True
    ),
    "api:ruling": Spec(
        {"POST": "objection.rule"}, args=lambda w, s: {"pk": w.objections[s].pk}, states=published_states,
        json=True, writes={"POST"}, bodies={"POST": lambda w, s: Json({"decision": "upheld", "ruling": "Stands."})},
    ),
    "api:actions": Spec({"GET": "account.use"}, json=True),
    "api:action": Spec(
        {"GET": "action.read", "PATCH": "action.update"}, args=lambda w, s: {"pk": w.actions[s].pk},
        states=published_states, json=True, writes={"PATCH"},
        bodies={"PATCH": lambda w, s: Json({"status": "in_progress", "row_version": fresh(w.actions[s]).row_version})},
    ),
    "api:access-grants": Spec(
        {"GET": "account.use", "POST": "grant.manage"}, json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Json({"buyer": str(w.other["buyer_org_never"].pk), "factory": w.factory.ref})},
    ),
    "api:access-grant": Spec({"GET": "grant.read"}, args=lambda w, s: {"pk": w.grant.pk}, json=True),
    "api:access-grant-revoke": Spec(
        {"POST": "grant.manage"}, args=lambda w, s: {"pk": w.grant.pk}, json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Json({})},
    ),
    # capture
    "capture_api:service_worker": Spec({"GET": "public.read"}),
    "capture_api:package": Spec({"GET": "capture.take"}, args=ref, states=every_state, json=True),
    "capture_api:findings": Spec(
        {"POST": "finding.edit"}, args=ref, states=answered_states, json=True, writes={"POST"},
        keeps_refused=KEPT_SUBMISSIONS,
        bodies={"POST": lambda w, s: Json({"findings": [submission(w, s)]})},
    ),
    "capture_api:finding": Spec(
        {"PUT": "finding.edit"}, states=answered_states, json=True, writes={"PUT"},
        keeps_refused=KEPT_SUBMISSIONS,
        args=lambda w, s: {**ref(w, s), "client_uuid": submission(w, s)["client_uuid"]},
        bodies={"PUT": lambda w, s: Json(submission(w, s))},
    ),
    "capture_api:uploads": Spec(
        {"POST": "finding.edit"}, args=ref, states=answered_states, json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Json({"client_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"upload/{s}")),
                                           "question": NONCOMPLIANT, "size": 10, "sha256": "a" * 64})},
    ),
    "capture_api:upload": Spec(
        {"GET": "capture.take", "PUT": "upload.continue"}, json=True, writes={"PUT"}, states=answered_states,
        args=lambda w, s: {"client_uuid": w.uploads[s].client_uuid},
        bodies={"PUT": lambda w, s: Raw(UPLOAD_BYTES, "application/octet-stream", {"HTTP_UPLOAD_OFFSET": "0"})},
    ),
    "capture_api:sync_check": Spec(
        {"POST": "capture.take"}, args=ref, states=every_state, json=True,
        bodies={"POST": lambda w, s: Json({"findings": [str(uuid.uuid4())], "photos": []})},
    ),
    "capture_api:odk_submissions": Spec(
        {"POST": "finding.edit"}, args=ref, states=answered_states, json=True, writes={"POST"},
        keeps_refused=KEPT_SUBMISSIONS,
        bodies={"POST": lambda w, s: Json(odk_json(w, s))},
    ),
    "capture_api:resolve_conflict": Spec(
        {"POST": "conflict.resolve"}, args=lambda w, s: {"pk": w.other["conflict"].pk}, json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Json({"resolution": "theirs"})},
    ),
    "capture_api:xlsform": Spec({"GET": "capture.forms"}, args=lambda w, s: {"code": w.version.code}),
    "capture_api:checklist": Spec(
        {"GET": "public.read"}, json=True,
        args=lambda w, s: {"code": w.version.code, "edition": checklist_edition(w.version)},
    ),
    # open data
    "analytics_api:noncompliance": Spec({"GET": "public.read"}, json=True, query=lambda w: {"year": w.year}),
    "analytics_api:years": Spec({"GET": "public.read"}, json=True),
    "checklists_api:version": Spec({"GET": "public.read"}, args=lambda w, s: {"version": w.version.code}, json=True),
    "analytics_api:employment": Spec({"GET": "public.read"}, json=True),
    "analytics_api:factories": Spec({"GET": "public.read"}, json=True),
    "analytics_api:factory": Spec({"GET": "public.read"}, args=alpha, json=True),
    "analytics_api:download": Spec(
        {"GET": "public.read"}, args=lambda w, s: {"dataset": "statistics", "fmt": "csv"}
    ),
    # worker voice's webhook and the readings devices: the secret or token in a header authenticates them
    "voice_api:rapidpro": Spec(
        {"POST": "voice.answer"}, args=lambda w, s: {"code": w.other["campaign"].code}, json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Raw(json.dumps(rapidpro_payload()).encode(), "application/json",
                                         {"HTTP_X_IMS_SECRET": w.other["webhook_secret"]})},
    ),
    "readings_api:ingest": Spec(
        {"POST": "readings.submit"}, json=True, writes={"POST"},
        bodies={"POST": lambda w, s: Raw(one_reading(), "application/json",
                                         {"HTTP_AUTHORIZATION": f"Device {w.other['device_token']}"})},
    ),
    # any other /api/v1/ address: a JSON 404 for everyone
    "api:None": Spec(
        dict.fromkeys(("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"), "public.read"), json=True,
        bodies={method: lambda w, s: Json({}) for method in ("POST", "PUT", "PATCH")},
        allowed_statuses=frozenset({404}),
    ),
}

# fmt: on

SPECS = {**PAGES, **API}

# --- the URL patterns and what their views declare ------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # namespace:name, or namespace:None for an unnamed one
    route: str
    callback: object

    @property
    def namespace(self):
        return self.name.split(":", 1)[0] if ":" in self.name else ""


def url_patterns():
    """Every URL pattern of the site, from the resolver."""
    found = []

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                    pattern.namespace or namespace)  # fmt: skip
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                found.append(Pattern(name, prefix + str(pattern.pattern), pattern.callback))

    with translation.override("en"):
        walk(get_resolver().url_patterns, "", "")
    return found


def declared_actions(pattern):
    """What the view behind a URL pattern declares: {method: action or StepFromField}, or None."""
    if pattern.namespace == "admin":
        view_name = pattern.name.split(":", 1)[1]
        return AdminSite.open_views.get(view_name, {"GET": AdminSite.policy_action})
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None and hasattr(view_class, "policy_actions"):
        return view_class.policy_actions
    return getattr(callback, "policy_actions", None)


# --- expectations, computed from the table and the world's account of people --------------------------------


def holds(relation, persona):
    if isinstance(relation, rules.Anyone):
        return True
    if isinstance(relation, rules.SignedIn):
        return persona.signed_in
    if isinstance(relation, rules.HasRole):
        return bool(persona.roles & relation.roles)
    tie = {
        rules.OnTeam: "team", rules.ManagesFactory: "factory", rules.GrantedBuyer: "grant",
        rules.GrantHolder: "grant", rules.RunsSession: "session", rules.DjangoStaff: "admin site",
        rules.IsThePerson: "reporter",
    }[type(relation)]  # fmt: skip
    return tie in persona.ties


def rule_state(rule, state):
    """The state the rule reads: an assessment's, a photo's; none for other kinds."""
    if rule.kind.name == "evidence photo":
        return state[1]
    if rule.kind.name in ("assessment", "photo upload"):
        return state
    return None


def allowed_in_another_state(action, persona):
    rule = TABLE[action]
    return any(holds(allow.relation, persona) for allow in rule.allow)


def expected_allowed(action, persona, state):
    rule = TABLE[action]
    current = rule_state(rule, state)
    return any(
        holds(allow.relation, persona) and (allow.states is None or current in allow.states) for allow in rule.allow
    )


# --- requests -----------------------------------------------------------------------------------------------


def client_for(world, persona):
    client = Client()
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    return client


def url_of(name, kwargs):
    if name == "api:None":
        return "/api/v1/no-such-endpoint/"
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def send(client, method, url, body, as_json):
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    if body is None:
        return client.generic(method, url, **headers)
    if isinstance(body, Form):
        if method != "POST":
            raise ValueError("forms are posted")
        return client.post(url, body.data, **headers)
    if isinstance(body, Json):
        return client.generic(method, url, json.dumps(body.data), content_type="application/json", **headers)
    return client.generic(method, url, body.body, content_type=body.content_type, **headers, **body.headers)


def written_tables(queries):
    tables = set()
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2) not in NOT_DOMAIN_TABLES:
            tables.add(match.group(2))
    return tables


@dataclass
class Outcome:
    status: int
    location: str
    writes: set

    @property
    def to_sign_in(self):
        return self.status == 302 and ("/accounts/login/" in self.location or "/admin/login/" in self.location)


def attempt(client, method, url, body, as_json):
    """The request's outcome; whatever it wrote is rolled back."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = send(client, method, url, body, as_json)
        if response.streaming:
            b"".join(response.streaming_content)  # a failure while streaming shows here
        transaction.set_rollback(True)
    return Outcome(response.status_code, response.get("Location", ""), written_tables(queries.captured_queries))


def judge(spec, method, action, persona_name, outcome, state):
    """None if the outcome is what the table says, else a line saying what went wrong."""
    persona = PERSONAS[persona_name]
    allowed = expected_allowed(action, persona, state)
    where = f"{method} as {persona_name} in state {state}: {action} {'allowed' if allowed else 'refused'}"
    if outcome.status >= 500:
        return f"{where}, but the server failed ({outcome.status})"
    if allowed:
        if outcome.to_sign_in or outcome.status not in spec.allowed_statuses:
            return f"{where}, but answered {outcome.status} {outcome.location}"
        if method in spec.writes and not outcome.writes and outcome.status not in (404, 409):
            return f"{where}, but nothing was written"
        return None
    if spec.keeps_refused and allowed_in_another_state(action, persona):
        kept = outcome.writes - spec.keeps_refused
        return f"{where}, but it wrote to {sorted(kept)}" if kept else None
    if not (outcome.status in REFUSED_STATUSES or outcome.to_sign_in):
        return f"{where}, but answered {outcome.status} {outcome.location}"
    if outcome.writes:
        return f"{where}, but it wrote to {sorted(outcome.writes)}"
    return None


def resolve_action(declared, spec_action, method, state, body):
    """(the action the spec expects, the action the view declares) for this request."""
    expected = spec_action(state) if callable(spec_action) else spec_action
    action = declared.get(method)
    if isinstance(action, StepFromField):
        data = body.data if isinstance(body, Form | Json) else {}
        action = action.resolve(data)
    return expected, action


def check_pattern(world, clients, name):
    """Every method x state x persona of one URL pattern; returns the lines that went wrong."""
    spec = SPECS[name]
    declared = declared_actions(next(pattern for pattern in url_patterns() if pattern.name == name))
    problems = []
    if set(declared) != set(spec.actions):
        problems.append(f"declares methods {sorted(declared)}, the table of tests expects {sorted(spec.actions)}")
    for method, spec_action in spec.actions.items():
        for state in spec.object_states(world):
            url = url_of(name, spec.args(world, state) if spec.args else {})
            if spec.query:
                url = f"{url}?{urlencode(spec.query(world))}"
            for persona_name in PERSONAS:
                body = spec.bodies[method](world, state) if method in spec.bodies else None
                expected, action = resolve_action(declared, spec_action, method, state, body)
                if expected != action:
                    problems.append(f"{method} in state {state}: declares {action}, expected {expected}")
                    continue
                outcome = attempt(clients[persona_name], method, url, body, spec.json)
                problem = judge(spec, method, action, persona_name, outcome, state)
                if problem:
                    problems.append(f"{url} {problem}")
    return problems
