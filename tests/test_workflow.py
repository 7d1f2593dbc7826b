import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ims import policy
from ims.assessments.models import Answer, Assessment, ReportRevision, Status
from ims.assessments.workflow import plan_assessment, save_finding, transition
from ims.audit.models import AuditEvent
from ims.core.errors import Conflict, Invalid, NotAllowed
from ims.factories.models import WorkforceSnapshot
from ims.grants.models import AccessGrant
from ims.responses.grants import grant_access, revoke_access
from ims.responses.models import Objection
from ims.responses.services import add_action, object_to_finding, rule_on_objection, update_action
from tests.factories import answer_all, publish

NONCOMPLIANT = ("OS.8.7", "CO.1.1")


@pytest.mark.django_db
def test_planning_freezes_the_checklist_and_names_the_team(assessment, content, team):
    content.refresh_from_db()
    assert content.is_frozen
    assert assessment.status == Status.PLANNED
    assert assessment.ref == "TEAM-1-20261102"
    assert list(assessment.team.order_by("-is_lead").values_list("user__email", flat=True)) == [
        team.monitor.email,
        team.monitor2.email,
    ]


@pytest.mark.django_db
def test_only_monitors_can_be_on_a_team(team, content):
    with pytest.raises(Invalid):
        plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=date(2026, 1, 1),
                        visit_end=date(2026, 1, 1), monitors=[team.manager])  # fmt: skip
    with pytest.raises(NotAllowed):
        plan_assessment(factory=team.factory, version=content, actor=team.manager, visit_start=date(2026, 1, 1),
                        visit_end=date(2026, 1, 1), monitors=[team.monitor])  # fmt: skip


@pytest.mark.django_db
def test_the_whole_state_machine_records_every_step(assessment, team):
    transition(assessment, "start", team.monitor)
    answer_all(assessment, team.monitor, noncompliant=("OS.8.7",))
    transition(assessment, "submit", team.monitor)
    transition(assessment, "return", team.head, comment="Check OS.8.7 again")
    transition(assessment, "submit", team.monitor2)
    approved = transition(assessment, "approve", team.head)
    assert approved.status == Status.APPROVED
    steps = list(approved.transitions.values_list("action", "from_status", "to_status", "actor__email", "comment"))
    assert steps == [
        ("start", "planned", "in_progress", team.monitor.email, ""),
        ("submit", "in_progress", "submitted", team.monitor.email, ""),
        ("return", "submitted", "returned", team.head.email, "Check OS.8.7 again"),
        ("submit", "returned", "submitted", team.monitor2.email, ""),
        ("approve", "submitted", "approved", team.head.email, ""),
    ]
    actions = set(AuditEvent.objects.filter(object_id=str(assessment.pk)).values_list("action", flat=True))
    assert {"assessment.planned", "assessment.submit", "assessment.return", "assessment.approve"} <= actions


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "action", "who"),
    [
        ("planned", "submit", "monitor"),
        ("planned", "approve", "head"),
        ("in_progress", "approve", "head"),
        ("in_progress", "return", "head"),
        ("submitted", "start", "monitor"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(assessment, team, status, action, who):
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    with pytest.raises(Conflict) as error:
        transition(assessment, action, getattr(team, who), comment="because")
    assert "cannot be" in error.value.message
    assert Assessment.objects.get(pk=assessment.pk).status == status
    assert not assessment.transitions.exists()


@pytest.mark.django_db
def test_roles_are_enforced_on_transitions(assessment, team):
    with pytest.raises(NotAllowed):
        transition(assessment, "start", team.head)  # not on the team
    transition(assessment, "start", team.monitor)
    answer_all(assessment, team.monitor)
    transition(assessment, "submit", team.monitor)
    with pytest.raises(NotAllowed):
        transition(assessment, "approve", team.monitor)
    with pytest.raises(Invalid):
        transition(assessment, "return", team.head, comment="  ")


@pytest.mark.django_db
def test_submission_needs_every_question_answered(assessment, team):
    transition(assessment, "start", team.monitor)
    save_finding(assessment, question_code="CL.1.1", answer=Answer.COMPLIANT, actor=team.monitor)
    with pytest.raises(Invalid) as error:
        transition(assessment, "submit", team.monitor)
    assert error.value.details["missing"] == assessment.checklist_version.questions.count() - 1


@pytest.mark.django_db
def test_a_concurrent_edit_of_one_finding_is_refused_not_lost(assessment, team):
    transition(assessment, "start", team.monitor)
    first = save_finding(assessment, question_code="OS.3.1", answer=Answer.COMPLIANT, actor=team.monitor)
    seen_by_both = first.row_version
    save_finding(assessment, question_code="OS.3.1", answer=Answer.NON_COMPLIANT, note="Needle guards missing",
                 actor=team.monitor, expected_version=seen_by_both)  # fmt: skip
    with pytest.raises(Conflict) as error:
        save_finding(assessment, question_code="OS.3.1", answer=Answer.COMPLIANT, note="All fine",
                     actor=team.monitor2, expected_version=seen_by_both)  # fmt: skip
    assert error.value.details["current"]["note"] == "Needle guards missing"
    stored = assessment.findings.get(question__code="OS.3.1")
    assert (stored.answer, stored.note, stored.row_version) == (Answer.NON_COMPLIANT, "Needle guards missing", 2)


@pytest.mark.django_db
def test_resending_identical_content_changes_nothing(assessment, team):
    transition(assessment, "start", team.monitor)
    first = save_finding(assessment, question_code="OS.3.1", answer=Answer.COMPLIANT, actor=team.monitor)
    again = save_finding(assessment, question_code="OS.3.1", answer=Answer.COMPLIANT, actor=team.monitor)
    assert again.row_version == first.row_version == 1


@pytest.mark.django_db
def test_bad_finding_input_is_refused_and_changes_nothing(assessment, team):
    transition(assessment, "start", team.monitor)
    for kwargs in (
        {"question_code": "XX.9.9", "answer": Answer.COMPLIANT},
        {"question_code": "CL.1.1", "answer": "maybe"},
        {"question_code": "CL.1.1", "answer": Answer.COMPLIANT, "note_language": "fr"},
    ):
        with pytest.raises(Invalid):
            save_finding(assessment, actor=team.monitor, **kwargs)
    with pytest.raises(NotAllowed):
        save_finding(assessment, question_code="CL.1.1", answer=Answer.COMPLIANT, actor=team.manager)
    assert not assessment.findings.exists()


@pytest.mark.django_db
def test_monitors_limited_to_their_clusters(assessment, team):
    assessment.team.filter(user=team.monitor2).update(clusters=["OS"])
    transition(assessment, "start", team.monitor)
    save_finding(assessment, question_code="OS.1.1", answer=Answer.COMPLIANT, actor=team.monitor2)
    with pytest.raises(NotAllowed):
        save_finding(assessment, question_code="CL.1.1", answer=Answer.COMPLIANT, actor=team.monitor2)


@pytest.mark.django_db
def test_approval_publishes_an_immutable_snapshot_and_a_workforce_figure(assessment, team):
    Assessment.objects.filter(pk=assessment.pk).update(workers_total=1000, workers_female=850)
    approved = publish(assessment, team, NONCOMPLIANT)
    revision = approved.current_revision()
    assert revision.number == 1
    snapshot = revision.snapshot
    assert snapshot["factory"]["ref"] == "TEAM-1"
    assert snapshot["compliance_points"]["OS.8"] == "non_compliant"
    assert snapshot["compliance_points"]["CL.1"] == "compliant"
    assert len(snapshot["findings"]) == approved.checklist_version.questions.count()
    with pytest.raises(ValueError):
        revision.save()
    with pytest.raises(ValueError):
        revision.delete()
    assert WorkforceSnapshot.objects.get(factory=team.factory, as_of=date(2026, 11, 3)).workers_female == 850
    with pytest.raises(Conflict):
        save_finding(approved, question_code="OS.8.7", answer=Answer.COMPLIANT, actor=team.monitor)


@pytest.mark.django_db
def test_a_correction_is_a_new_revision_and_the_old_one_stays(assessment, team):
    approved = publish(assessment, team, NONCOMPLIANT)
    with pytest.raises(Invalid):
        transition(approved, "reopen", team.head)
    transition(approved, "reopen", team.head, comment="Wrong answer on exits")
    finding = approved.findings.get(question__code="OS.8.7")
    save_finding(approved, question_code="OS.8.7", answer=Answer.COMPLIANT, actor=team.head,
                 expected_version=finding.row_version)  # fmt: skip
    transition(approved, "approve", team.head)
    first, second = ReportRevision.objects.filter(assessment=approved).order_by("number")
    assert second.reason == "Wrong answer on exits"
    assert first.snapshot["compliance_points"]["OS.8"] == "non_compliant"
    assert second.snapshot["compliance_points"]["OS.8"] == "compliant"


@pytest.mark.django_db
def test_visibility_follows_role_factory_and_grant(assessment, team):
    def visible(user):
        return set(policy.scope(user, "assessment.read", Assessment.objects).values_list("ref", flat=True))

    assert visible(team.monitor) == visible(team.head) == {assessment.ref}
    assert visible(team.manager) == set()  # not published yet
    publish(assessment, team, NONCOMPLIANT)
    assert visible(team.manager) == {assessment.ref}
    assert visible(team.other_manager) == set()
    assert visible(team.buyer) == set()
    grant = grant_access(team.factory, team.buyer_org, team.manager)
    assert visible(team.buyer) == {assessment.ref}
    assert visible(team.other_buyer) == visible(team.partner) == set()
    revoke_access(grant, team.manager)
    assert visible(team.buyer) == set()
    expired = grant_access(team.factory, team.buyer_org, team.manager, expires_at=timezone.now() + timedelta(hours=1))
    assert visible(team.buyer) == {assessment.ref}
    AccessGrant.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert visible(team.buyer) == set()


@pytest.mark.django_db
def test_only_the_factory_grants_and_revokes(team):
    with pytest.raises(NotAllowed):
        grant_access(team.factory, team.buyer_org, team.other_manager)
    with pytest.raises(NotAllowed):
        grant_access(team.factory, team.buyer_org, team.buyer)
    grant = grant_access(team.factory, team.buyer_org, team.manager)
    with pytest.raises(NotAllowed):
        revoke_access(grant, team.head)
    revoke_access(grant, team.manager)
    with pytest.raises(Conflict):
        revoke_access(grant, team.manager)
    assert AuditEvent.objects.filter(action__in=["access.granted", "access.revoked"]).count() == 2


@pytest.mark.django_db
def test_objection_upheld_or_revised_both_recorded(assessment, team):
    approved = publish(assessment, team, NONCOMPLIANT)
    finding = approved.findings.get(question__code="CO.1.1")
    with pytest.raises(NotAllowed):
        object_to_finding(finding, team.other_manager, "Not us", "en")
    objection = object_to_finding(finding, team.manager, "工资已按最低工资支付", "zh-hans")
    with pytest.raises(Conflict):
        object_to_finding(finding, team.manager, "Again", "en")
    with pytest.raises(NotAllowed):
        rule_on_objection(objection, team.monitor, "upheld", "No")
    upheld = rule_on_objection(objection, team.head, "upheld", "Payroll shows 180 USD")
    assert (upheld.status, upheld.ruled_by) == (Objection.Status.UPHELD, team.head)
    assert approved.revisions.count() == 1

    second = object_to_finding(finding, team.manager, "New payroll evidence", "en")
    revised = rule_on_objection(second, team.head, "revised", "Evidence accepted", answer=Answer.COMPLIANT)
    assert revised.status == Objection.Status.REVISED
    assert approved.revisions.count() == 2
    latest = approved.current_revision()
    assert "Evidence accepted" in latest.reason
    assert next(f for f in latest.snapshot["findings"] if f["question"] == "CO.1.1")["answer"] == "compliant"
    assert AuditEvent.objects.filter(action__startswith="objection.").count() == 4


@pytest.mark.django_db
def test_action_plan_for_a_non_compliance_with_progress(assessment, team):
    approved = publish(assessment, team, NONCOMPLIANT)
    noncompliant = approved.findings.get(question__code="OS.8.7")
    compliant = approved.findings.get(question__code="CL.1.1")
    with pytest.raises(Invalid):
        add_action(compliant, team.manager, "Nothing", "HR", date(2026, 12, 1))
    item = add_action(noncompliant, team.manager, "Unlock exits during overtime", "Mr Chan", date(2026, 12, 1))
    updated = update_action(item, team.manager, expected_version=1, status="in_progress", note="Keys removed")
    assert (updated.status, updated.row_version, updated.notes.get().text) == ("in_progress", 2, "Keys removed")
    with pytest.raises(Conflict):
        update_action(item, team.manager, expected_version=1, status="done")
    with pytest.raises(NotAllowed):
        update_action(updated, team.buyer, expected_version=2, status="done")
    assert AuditEvent.objects.filter(action__startswith="plan.").count() == 2


@pytest.mark.django_db
def test_a_resent_plan_gives_the_first_answer_and_a_client_uuid_used_for_another_plan_is_a_conflict(team, content):
    client_uuid = uuid.uuid4()

    def plan(day):
        return plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=day,
                               visit_end=day, monitors=[team.monitor], client_uuid=client_uuid)  # fmt: skip

    first = plan(date(2026, 6, 3))
    assert plan(date(2026, 6, 3)) == first
    with pytest.raises(Conflict):
        plan(date(2026, 6, 4))
    assert Assessment.objects.filter(client_uuid=client_uuid).count() == 1
