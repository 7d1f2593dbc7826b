from django.conf import settings
from django.urls import path, re_path
from django.utils.csp import CSP
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ims.api import access, assessments, findings, responses
from ims.api.auth import TokenView
from ims.api.errors import handle_api_exception, unknown_endpoint
from ims.policy.guards import FollowsPolicy


class SchemaView(SpectacularAPIView):
    permission_classes = [FollowsPolicy]
    policy_actions = {"GET": "public.read"}

    def get_exception_handler(self):
        return handle_api_exception


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its script as a file of its own (no inline script); the page's small <style> block and
    the styles Swagger UI sets are the one place inline styles are allowed."""

    permission_classes = [FollowsPolicy]
    policy_actions = {"GET": "public.read"}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response._csp_config = {
            **settings.SECURE_CSP,
            "style-src": [*settings.SECURE_CSP["style-src"], CSP.UNSAFE_INLINE],
        }
        return response


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
    path("access-grants/", access.GrantListView.as_view(), name="access-grants"),
    path("access-grants/<int:pk>/", access.GrantView.as_view(), name="access-grant"),
    path("access-grants/<int:pk>/revoke/", access.RevokeView.as_view(), name="access-grant-revoke"),
    re_path(r"", unknown_endpoint),
]
