"""The declared policy: for each action, who may take it (a role or a tie to the object) and in which state.

This table is the whole of who may see and do what in IMS. Pages, the API, file downloads, menus,
queryset scopes and services ask it through ims.policy; tests are generated from it; docs/policy.md
is printed from it (`manage.py policy_table`).
"""

from ims.accounts.models import Role
from ims.policy.rules import (
    NOTHING,
    Allow,
    Anyone,
    DjangoStaff,
    GrantedBuyer,
    GrantHolder,
    HasRole,
    IsThePerson,
    Kind,
    ManagesFactory,
    OnTeam,
    Rule,
    RunsSession,
    SignedIn,
)
from ims.policy.states import (
    APPROVED,
    ASSESSMENT_STATES,
    CORRECTING,
    EDITABLE,
    IN_PROGRESS,
    IN_PUBLISHED_REVISION,
    IN_WORKING_COPY,
    PLANNED,
    PUBLISHED,
    RETURNED,
    SUBMITTED,
)
from ims.policy.subjects import PROGRAMME_ROLES

# --- kinds of objects ---------------------------------------------------------------------------------------

ASSESSMENT = Kind("assessment", states=ASSESSMENT_STATES, state="status", factory="factory", team="team__user")
EVIDENCE = Kind(
    "evidence photo",
    states=(IN_PUBLISHED_REVISION, IN_WORKING_COPY),
    factory="finding__assessment__factory",
    team="finding__assessment__team__user",
)
FACTORY = Kind("factory", factory="pk")
GRANT = Kind("access grant", factory="factory")
SYNC_CONFLICT = Kind("sync conflict", factory="assessment__factory", team="assessment__team__user")
PHOTO_UPLOAD = Kind(
    "photo upload",
    states=ASSESSMENT_STATES,
    state="assessment__status",
    factory="assessment__factory",
    team="assessment__team__user",
)
TRAINING_SESSION = Kind("training session", trainer="trainer")
CAMPAIGN = Kind("worker voice campaign", factory="factory")
API_TOKEN = Kind("API token")
ACCESS_REQUEST = Kind("access request", factory="factory")
NOTICE = Kind("notification to a user")

# --- who ----------------------------------------------------------------------------------------------------

ANYONE = Anyone()
SIGNED_IN = SignedIn()
HEAD = HasRole(frozenset({Role.HEAD}))
ADMIN = HasRole(frozenset({Role.PROGRAMME_ADMIN}))
HEAD_OR_ADMIN = HasRole(frozenset({Role.HEAD, Role.PROGRAMME_ADMIN}))
ASSESSMENT_STAFF = HasRole(frozenset({Role.MONITOR, Role.HEAD, Role.PROGRAMME_ADMIN}))
PROGRAMME_STAFF = HasRole(PROGRAMME_ROLES)
FACTORY_FACING_STAFF = HasRole(frozenset({Role.MONITOR, Role.HEAD, Role.PROGRAMME_ADMIN, Role.TRAINER, Role.ADVISOR}))
NOTE_TRANSLATORS = HasRole(frozenset({Role.HEAD, Role.MONITOR, Role.TRANSLATOR, Role.PROGRAMME_ADMIN}))
TRAINING_MANAGERS = HasRole(frozenset({Role.TRAINER, Role.PROGRAMME_ADMIN}))
ADVISORY_RECORDERS = HasRole(frozenset({Role.ADVISOR, Role.HEAD, Role.PROGRAMME_ADMIN}))
CAPTURERS = HasRole(frozenset({Role.MONITOR, Role.HEAD}))
MONITOR = HasRole(frozenset({Role.MONITOR}))
TRAINER = HasRole(frozenset({Role.TRAINER}))
ADVISOR = HasRole(frozenset({Role.ADVISOR}))
ANY_FACTORY_MANAGER = HasRole(frozenset({Role.FACTORY_MANAGER}))
ANY_BUYER = HasRole(frozenset({Role.BUYER_VIEWER}))
PARTNER = HasRole(frozenset({Role.PARTNER_ANALYST}))
ANY_ROLE = HasRole(frozenset(Role.values))
REPORT_READING_ROLES = HasRole(frozenset({*PROGRAMME_ROLES, Role.FACTORY_MANAGER, Role.BUYER_VIEWER}))
ON_TEAM = OnTeam()
OWN_FACTORY = ManagesFactory()
GRANTED_BUYER = GrantedBuyer()
GRANT_HOLDER = GrantHolder()
SESSION_TRAINER = RunsSession()
CONFLICT_REPORTER = IsThePerson("reported_by", "the monitor whose tablet sent it")
UPLOAD_STARTER = IsThePerson("created_by", "the person who started the upload")
TOKEN_OWNER = IsThePerson("user", "the person the token was issued to")
NOTICE_RECIPIENT = IsThePerson("recipient", "the person it is addressed to")
ADMIN_SITE_USER = DjangoStaff()


def _rule(action, kind, *allow, summary, notes=()):
    return Rule(action, kind, tuple(allow), summary, tuple(notes))


def _every(*relations, states=None):
    return [Allow(relation, frozenset(states) if states is not None else None) for relation in relations]


# fmt: off
RULES = [
    # Public pages and open data
    _rule("public.read", NOTHING, *_every(ANYONE),
          summary="Public pages: home, checklist, good practice, directory, statistics, training catalogue, "
                  "open data, report verification, sign-in."),
    _rule("summary.read", ASSESSMENT, *_every(ANYONE, states=PUBLISHED),
          summary="A published report's public summary (page and PDF); never notes or anything unpublished."),
    # The assessment workspace: everything unpublished, and the programme's internal comments
    _rule("workspace.open", NOTHING, *_every(ASSESSMENT_STAFF), summary="The list of assessments to work on."),
    _rule("assessment.plan", NOTHING, *_every(ASSESSMENT_STAFF), summary="Plan an assessment."),
    _rule("assessment.join_team", NOTHING, *_every(MONITOR), summary="Be named on an assessment's team."),
    _rule("assessments.import", NOTHING, *_every(HEAD_OR_ADMIN),
          summary="Import historical assessments (published as they were)."),
    _rule("workspace.read", ASSESSMENT, *_every(ON_TEAM, HEAD_OR_ADMIN),
          summary="An assessment's working copy: findings, notes, photos, interviews, the head's comments.",
          notes=("Includes a published assessment's workspace: the review history is internal.",)),
    _rule("finding.edit", ASSESSMENT, *_every(ON_TEAM, states=EDITABLE), *_every(HEAD, states={CORRECTING}),
          summary="Answer a question, write its note, add a photo, record interviews and workforce.",
          notes=("A monitor given some clusters only edits those clusters.",)),
    _rule("assessment.start", ASSESSMENT, *_every(ON_TEAM, states={PLANNED}), summary="Start capturing."),
    _rule("assessment.submit", ASSESSMENT, *_every(ON_TEAM, states={IN_PROGRESS, RETURNED}),
          summary="Submit the draft to the head."),
    _rule("assessment.return", ASSESSMENT, *_every(HEAD, states={SUBMITTED}), summary="Return with comments."),
    _rule("assessment.approve", ASSESSMENT, *_every(HEAD, states={SUBMITTED, CORRECTING}),
          summary="Approve: publish a report revision."),
    _rule("assessment.reopen", ASSESSMENT, *_every(HEAD, states={APPROVED}), summary="Reopen for correction."),
    _rule("review.open", ASSESSMENT, *_every(HEAD_OR_ADMIN), summary="The head's review page of an assessment."),
    _rule("capture.open", NOTHING, *_every(CAPTURERS), summary="The offline capture app's list."),
    _rule("capture.take", ASSESSMENT, *_every(ON_TEAM, HEAD),
          summary="Take an assessment onto a tablet, import ODK/Kobo submissions into it."),
    _rule("conflict.resolve", SYNC_CONFLICT, *_every(CONFLICT_REPORTER),
          summary="Keep the stored answer rather than the one a tablet sent."),
    _rule("upload.continue", PHOTO_UPLOAD, *_every(UPLOAD_STARTER, states=EDITABLE),
          summary="Send the next piece of a photo, while the findings may change."),
    _rule("capture.forms", NOTHING, *_every(PROGRAMME_STAFF), summary="Download a checklist as an XLSForm."),
    # Published reports
    _rule("assessment.read", ASSESSMENT, *_every(ON_TEAM, HEAD_OR_ADMIN),
          *_every(PROGRAMME_STAFF, OWN_FACTORY, GRANTED_BUYER, states=PUBLISHED),
          summary="An assessment's header (factory, dates, team, status): its workspace, or its published report's "
                  "readers."),
    _rule("reports.open", NOTHING, *_every(REPORT_READING_ROLES), summary="The reports page of one's role."),
    _rule("reports.programme", NOTHING, *_every(PROGRAMME_STAFF),
          summary="The programme's side of the reports and advisory pages: every factory, the queues."),
    _rule("report.read", ASSESSMENT, *_every(PROGRAMME_STAFF, OWN_FACTORY, GRANTED_BUYER, states=PUBLISHED),
          summary="A published revision: the detailed report and its PDFs. Never a working copy.",
          notes=("Monitors read any factory's published reports to prepare a visit.",)),
    _rule("findings.read", ASSESSMENT, *_every(ON_TEAM, HEAD_OR_ADMIN),
          *_every(PROGRAMME_STAFF, OWN_FACTORY, GRANTED_BUYER, states={APPROVED}),
          summary="Findings as rows (API): the workspace any time; report readers while nothing is being "
                  "corrected."),
    _rule("evidence.read", EVIDENCE, *_every(ON_TEAM, HEAD_OR_ADMIN),
          *_every(PROGRAMME_STAFF, OWN_FACTORY, GRANTED_BUYER, states={IN_PUBLISHED_REVISION}),
          summary="An evidence photo."),
    _rule("note.translate", ASSESSMENT, *_every(NOTE_TRANSLATORS, states={APPROVED}),
          summary="Translate a monitor's note in a published report.",
          notes=("Not while a correction is under way: the note may still change.",)),
    # The factory's response
    _rule("objection.read", ASSESSMENT, *_every(PROGRAMME_STAFF, OWN_FACTORY, GRANTED_BUYER, states=PUBLISHED),
          summary="Objections to published findings and their rulings.",
          notes=("Buyers read them as the factory's and the programme's, without the people's names.",)),
    _rule("objection.read_names", ASSESSMENT, *_every(PROGRAMME_STAFF, OWN_FACTORY),
          summary="Who objected, who ruled, who wrote a progress note."),
    _rule("objection.file", ASSESSMENT, *_every(OWN_FACTORY, states={APPROVED}),
          summary="Object to a finding of the published report.",
          notes=("Not while a correction is under way: the factory answers the revision it can read.",)),
    _rule("objections.queue", NOTHING, *_every(HEAD_OR_ADMIN), summary="The queue of objections."),
    _rule("objection.rule", ASSESSMENT, *_every(HEAD, states={APPROVED}),
          summary="Uphold or revise an objected finding (revising publishes a revision)."),
    _rule("action.read", ASSESSMENT, *_every(PROGRAMME_STAFF, OWN_FACTORY, GRANTED_BUYER, states=PUBLISHED),
          summary="The corrective action plan of a published report."),
    _rule("action.add", ASSESSMENT, *_every(OWN_FACTORY, states={APPROVED}),
          summary="Add a corrective action to a non-compliant finding."),
    _rule("action.update", ASSESSMENT, *_every(OWN_FACTORY, states={APPROVED}),
          summary="Change an action's status, add a progress note.",
          notes=("Not while a correction is under way, like objections.",)),
    # Buyer access
    _rule("grants.open", NOTHING, *_every(ANY_FACTORY_MANAGER), summary="The factory's buyer-access page."),
    _rule("grant.read", GRANT, *_every(PROGRAMME_STAFF, OWN_FACTORY, GRANT_HOLDER), summary="An access grant."),
    _rule("grant.manage", FACTORY, *_every(OWN_FACTORY), summary="Grant a buyer access, change expiry, revoke."),
    _rule("factory.act_for", FACTORY, *_every(OWN_FACTORY),
          summary="Act for a factory: its pages show the factory's own reports, plans and records as its own."),
    _rule("factory.granted", FACTORY, *_every(GRANTED_BUYER),
          summary="The factories that grant one's buyer organisation access now."),
    # Factories
    _rule("factories.import", NOTHING, *_every(ADMIN), summary="Import factories from CSV."),
    _rule("checklists.import", NOTHING, *_every(ADMIN),
          summary="Import a new checklist version from a JSON document, after seeing what it changes."),
    _rule("factory.contacts", FACTORY, *_every(FACTORY_FACING_STAFF, OWN_FACTORY),
          summary="A factory's contacts (names, addresses)."),
    # Programme operations
    _rule("paper.handle", NOTHING, *_every(PROGRAMME_STAFF), summary="Print and post paper copies of reports."),
    _rule("audit.read", NOTHING, *_every(HEAD_OR_ADMIN), summary="The audit log."),
    _rule("admin.site", NOTHING, *_every(ADMIN_SITE_USER),
          summary="Django's administration site (its own model permissions apply inside)."),
    # Dashboards
    _rule("dashboards.open", NOTHING, *_every(ANY_ROLE), summary="The list of dashboards one may open."),
    _rule("dashboard.factory", FACTORY, *_every(PROGRAMME_STAFF, OWN_FACTORY, GRANTED_BUYER),
          summary="A factory's scores against the industry."),
    _rule("dashboard.buyer", NOTHING, *_every(ANY_BUYER), summary="A buyer's granted factories."),
    _rule("dashboard.programme", NOTHING, *_every(PROGRAMME_STAFF, PARTNER),
          summary="The programme overview: industry-level figures."),
    _rule("dashboard.factory_detail", NOTHING, *_every(PROGRAMME_STAFF),
          summary="Factory-level figures across the industry (lowest scores and the like)."),
    # Remediation
    _rule("remediation.open", NOTHING, *_every(PROGRAMME_STAFF, ANY_FACTORY_MANAGER, ANY_BUYER),
          summary="The remediation page of one's role."),
    _rule("remediation.read", FACTORY, *_every(PROGRAMME_STAFF, OWN_FACTORY, GRANTED_BUYER),
          summary="A factory's remediation tracker."),
    _rule("remediation.overdue", NOTHING, *_every(PROGRAMME_STAFF), summary="Overdue actions across factories."),
    # Training
    _rule("training.sessions", NOTHING, *_every(FACTORY_FACING_STAFF), summary="Every session with its enrolments."),
    _rule("training.manage", NOTHING, *_every(TRAINING_MANAGERS),
          summary="Plan sessions, enrol and withdraw factories."),
    _rule("training.catalogue", NOTHING, *_every(ADMIN),
          summary="Edit the training catalogue (programmes, modules) in the administration site."),
    _rule("training.be_trainer", NOTHING, *_every(TRAINER), summary="Be named a session's trainer."),
    _rule("training.run", TRAINING_SESSION, *_every(SESSION_TRAINER, ADMIN),
          summary="Record attendance and completion of a session."),
    _rule("training.record", FACTORY, *_every(FACTORY_FACING_STAFF, OWN_FACTORY),
          summary="A factory's enrolments, participants, attendance and improvement plans."),
    _rule("training.records_open", NOTHING, *_every(FACTORY_FACING_STAFF, ANY_FACTORY_MANAGER),
          summary="One's training records and their export."),
    _rule("training.plan_edit", FACTORY, *_every(TRAINING_MANAGERS, OWN_FACTORY),
          summary="Edit a factory's improvement plan after training."),
    _rule("training.impact", NOTHING, *_every(FACTORY_FACING_STAFF),
          summary="Training impact: factories' compliance before and after."),
    # Advisory
    _rule("advisory.open", NOTHING, *_every(PROGRAMME_STAFF, ANY_FACTORY_MANAGER), summary="The advisory page."),
    _rule("advisory.read", FACTORY, *_every(PROGRAMME_STAFF, OWN_FACTORY),
          summary="A factory's advisory cycles, visits, committees and roadmap."),
    _rule("advisory.record", FACTORY, *_every(ADVISORY_RECORDERS),
          summary="Record advisory work: cycles, visits, roadmap, committees."),
    _rule("advisory.be_advisor", NOTHING, *_every(ADVISOR), summary="Be named a cycle's advisor."),
    # Worker voice, remote readings and risk-based planning
    _rule("voice.answer", NOTHING, *_every(ANYONE),
          summary="Answer a worker survey: RapidPro's webhook (the campaign's secret) or the web survey (a one-time "
                  "answer card)."),
    _rule("voice.open", NOTHING, *_every(PROGRAMME_STAFF, ANY_FACTORY_MANAGER), summary="The worker voice page."),
    _rule("voice.manage", NOTHING, *_every(HEAD_OR_ADMIN), summary="Run worker voice campaigns, print answer cards."),
    _rule("voice.results", CAMPAIGN, *_every(PROGRAMME_STAFF, OWN_FACTORY),
          summary="A campaign's aggregate results (shown only from the minimum number of workers).",
          notes=("Nobody reads single answers: they are never shown.",)),
    _rule("voice.alerts", NOTHING, *_every(HEAD),
          summary="Grievance alerts from workers' messages (never the factory)."),
    _rule("readings.submit", NOTHING, *_every(ANYONE),
          summary="Send a batch of readings (the device's token authenticates it)."),
    _rule("readings.read", FACTORY, *_every(PROGRAMME_STAFF, OWN_FACTORY),
          summary="A factory's readings: hourly figures and threshold breaches."),
    _rule("planning.risk", NOTHING, *_every(HEAD_OR_ADMIN),
          summary="Visit planning: factories ranked by risk, with the reasons."),
    _rule("lowcompliance.read", NOTHING, *_every(PROGRAMME_STAFF), summary="The low-compliance cases."),
    _rule("lowcompliance.manage", NOTHING, *_every(HEAD),
          summary="Open a low-compliance case, record the joint visit and the outcome."),
    # One's own account
    _rule("account.use", NOTHING, *_every(SIGNED_IN),
          summary="Lists scoped to what one may read (the API's lists of assessments, findings, grants)."),
    _rule("account.own", NOTHING, *_every(SIGNED_IN),
          summary="One's own account: profile, language, password, API tokens, notifications."),
    _rule("invitations.open", NOTHING, *_every(ADMIN, ANY_FACTORY_MANAGER),
          summary="Invite people: administrators anyone, factory managers colleagues of their factory."),
    _rule("invitations.any", NOTHING, *_every(ADMIN),
          summary="Invite anyone, with any organisation and role (staff, factory managers, buyers, partners)."),
    _rule("access_requests.open", NOTHING, *_every(ANY_BUYER, ANY_FACTORY_MANAGER),
          summary="Access requests: a buyer's to factories, a factory's from buyers."),
    _rule("access.request", NOTHING, *_every(ANY_BUYER), summary="Ask a factory for access to its reports."),
    _rule("access_request.decide", ACCESS_REQUEST, *_every(OWN_FACTORY),
          summary="Grant or decline a buyer's request for access (granting makes an access grant)."),
    _rule("notice.open", NOTICE, *_every(NOTICE_RECIPIENT), summary="Open one of one's notifications (marks it read)."),
    _rule("token.revoke", API_TOKEN, *_every(TOKEN_OWNER), summary="Revoke one of one's API tokens.",
          notes=("Administrators revoke anyone's in the administration site.",)),
]
# fmt: on

TABLE = {rule.action: rule for rule in RULES}
assert len(TABLE) == len(RULES), "an action is declared twice"
