"""The API's OpenAPI schema and its browsable documentation, open to everyone."""

from django.conf import settings
from django.utils.csp import CSP
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ims.api.errors import handle_api_exception
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
