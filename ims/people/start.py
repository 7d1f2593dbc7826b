"""The start page after sign-in: for each role the person holds, what needs them now, counted.

Which sections a person gets is the policy's answer (an action only that role may take); each count is a
query over what the person may see, and links to the page where the work is done.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ims import policy
from ims.advisory.models import AdvisoryVisit
from ims.assessments.models import Assessment, Status
from ims.factories.models import Factory
from ims.notifications.models import Notice
from ims.people import invitations
from ims.people.models import AccessRequest
from ims.policy.subjects import grants_ending
from ims.remediation.services import overdue_items
from ims.responses.models import ActionPlanItem, Objection
from ims.training.models import TrainingSession

# Actions coming due within this many days count as "due" on the factory's start page.
ACTIONS_DUE_WITHIN = timedelta(days=14)
# Access ending within this many days is shown to the buyer.
ACCESS_ENDING_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class Count:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class Section:
    title: str
    counts: list

    @property
    def total(self):
        return sum(count.count for count in self.counts)


def _head(user, today):
    return Section(_("Programme head"), [
        Count(_("Drafts awaiting your review"), Assessment.objects.filter(status=Status.SUBMITTED).count(),
              reverse("reports:index")),
        Count(_("Objections awaiting a ruling"), Objection.objects.filter(status=Objection.Status.OPEN).count(),
              reverse("reports:objections")),
        Count(_("Returned drafts waiting on monitors"), Assessment.objects.filter(status=Status.RETURNED).count(),
              reverse("assessments:mine")),
        Count(_("Overdue follow-ups"), overdue_items(today).count(), reverse("remediation:overdue")),
    ])  # fmt: skip


def _monitor(user, today):
    mine = Assessment.objects.filter(team__user=user)
    url = reverse("assessments:mine")
    return Section(_("Monitor"), [
        Count(_("Your planned assessments"), mine.filter(status=Status.PLANNED).count(), url),
        Count(_("Your assessments in progress"), mine.filter(status=Status.IN_PROGRESS).count(), url),
        Count(_("Your assessments returned with comments"), mine.filter(status=Status.RETURNED).count(), url),
    ])  # fmt: skip


def _unread(user, event):
    return Notice.objects.filter(recipient=user, event=event, read_at__isnull=True)


def _factory(user, today):
    # The ids first: nested in the count, the scope's subqueries let PostgreSQL plan a scan of every finding.
    factory_ids = list(policy.scope(user, "factory.act_for", Factory.objects).values_list("pk", flat=True))
    open_actions = ActionPlanItem.objects.filter(finding__assessment__factory_id__in=factory_ids).exclude(
        status=ActionPlanItem.Status.DONE
    )
    notices = reverse("notifications:notices")
    return Section(_("Factory"), [
        Count(_("New reports"), _unread(user, "published").count(), notices),
        Count(_("Actions due within two weeks or overdue"),
              open_actions.filter(due_date__lte=today + ACTIONS_DUE_WITHIN).count(), reverse("remediation:index")),
        Count(_("New rulings on your objections"), _unread(user, "ruling").count(), notices),
        Count(_("Access requests from buyers waiting for your answer"),
              policy.scope(user, "access_request.decide", AccessRequest.objects)
              .filter(decision=AccessRequest.Decision.PENDING).count(), reverse("accounts:access_requests")),
    ])  # fmt: skip


def _buyer(user, today):
    ending = grants_ending(timezone.now() + ACCESS_ENDING_WITHIN).filter(buyer__in=policy.buyer_organisations(user))
    suppliers = _unread(user, "published").values("factory").distinct()
    return Section(_("Buyer"), [
        Count(_("Suppliers with new reports"), suppliers.count(), reverse("notifications:notices")),
        Count(_("Access ending within 30 days"), ending.count(), reverse("reports:index")),
    ])  # fmt: skip


def _trainer(user, today):
    upcoming = TrainingSession.objects.filter(trainer=user, end_date__gte=today)
    return Section(_("Trainer"), [Count(_("Your upcoming sessions"), upcoming.count(), reverse("training:sessions"))])


def _advisor(user, today):
    upcoming = AdvisoryVisit.objects.filter(advisor=user, date__gte=today)
    return Section(_("Advisor"), [Count(_("Your upcoming visits"), upcoming.count(), reverse("advisory:index"))])


def _administrator(user, today):
    waiting = invitations.pending().count()
    return Section(_("Programme administrator"), [
        Count(_("Invitations waiting to be accepted"), waiting, reverse("accounts:invitations")),
    ])  # fmt: skip


# Each section, for whoever may take the action only that role takes.
SECTIONS = (
    ("assessment.return", _head),
    ("assessment.join_team", _monitor),
    ("grants.open", _factory),
    ("dashboard.buyer", _buyer),
    ("training.be_trainer", _trainer),
    ("advisory.be_advisor", _advisor),
    ("invitations.any", _administrator),
)


def sections_for(user):
    today = timezone.localdate()
    return [build(user, today) for action, build in SECTIONS if policy.may_ever(user, action)]


def total_of(sections):
    return sum(section.total for section in sections)


def waiting_count(user):
    """Everything counted on the person's start page, for the menu."""
    return total_of(sections_for(user))
