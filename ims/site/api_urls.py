"""The API at /api/v1/: the plumbing's token and schema, then each domain's endpoints from its own app."""

from django.urls import path, re_path

from ims.api.auth import TokenView
from ims.api.errors import unknown_endpoint
from ims.api.schema import DocsView, SchemaView
from ims.assessments import api as assessments
from ims.assessments import finding_api as findings
from ims.responses import api as responses
from ims.responses import grant_api as grants

app_name = "api"
urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("assessments/", assessments.AssessmentListView.as_view(), name="assessments"),
    path("assessments/<str:ref>/", assessments.AssessmentView.as_view(), name="assessment"),
    path("assessments/<str:ref>/transitions/", assessments.TransitionView.as_view(), name="transitions"),
    path("assessments/<str:ref>/revisions/", assessments.RevisionListView.as_view(), name="revisions"),
    path("assessments/<str:ref>/revisions/<int:number>/", assessments.RevisionView.as_view(), name="revision"),
    path("assessments/<str:ref>/findings/", findings.FindingListView.as_view(), name="findings"),
    path("assessments/<str:ref>/findings/<str:question_code>/", findings.FindingView.as_view(), name="finding"),
    path(
        "assessments/<str:ref>/findings/<str:question_code>/evidence/",
        findings.EvidenceView.as_view(),
        name="evidence",
    ),
    path("findings/<int:finding_id>/objections/", responses.ObjectionCreateView.as_view(), name="finding-objections"),
    path("findings/<int:finding_id>/actions/", responses.ActionCreateView.as_view(), name="finding-actions"),
    path("objections/", responses.ObjectionListView.as_view(), name="objections"),
    path("objections/<int:pk>/", responses.ObjectionView.as_view(), name="objection"),
    path("objections/<int:pk>/ruling/", responses.RulingView.as_view(), name="ruling"),
    path("actions/", responses.ActionListView.as_view(), name="actions"),
    path("actions/<int:pk>/", responses.ActionView.as_view(), name="action"),
    path("access-grants/", grants.GrantListView.as_view(), name="access-grants"),
    path("access-grants/<int:pk>/", grants.GrantView.as_view(), name="access-grant"),
    path("access-grants/<int:pk>/revoke/", grants.RevokeView.as_view(), name="access-grant-revoke"),
    re_path(r"", unknown_endpoint),
]
