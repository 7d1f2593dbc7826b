from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    name = "ims.capture"
    verbose_name = _("Offline capture")

    def ready(self):
        from ims.capture import signals

        signals.connect()
