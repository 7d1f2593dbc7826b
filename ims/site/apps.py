from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The delivery layer: pages and menus combining the domains below, the admin site, the API's URLs."""

    name = "ims.site"
