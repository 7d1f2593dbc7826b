"""The API's OpenAPI schema and its browsable documentation, open to everyone."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ims.api.errors import handle_api_exception
from ims.policy.guards import FollowsPolicy


class SchemaView(SpectacularAPIView):
    permission_classes = [FollowsPolicy]
    policy_actions = {"GET": "public.read"}

    def get_exception_handler(self):
        return handle_api_exception


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its settings as a script of its own: the Content Security Policy allows no inline script."""

    permission_classes = [FollowsPolicy]
    policy_actions = {"GET": "public.read"}
