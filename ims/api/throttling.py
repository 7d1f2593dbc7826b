"""The configured DRF rates, read on every request.

DRF's own throttles copy DEFAULT_THROTTLE_RATES when first imported, so a changed setting (a test
proving the 429, a reloaded configuration) would be ignored; these read the live setting.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class LiveRates:
    @property
    def THROTTLE_RATES(self):
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonRateThrottle(LiveRates, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(LiveRates, throttling.UserRateThrottle):
    pass
