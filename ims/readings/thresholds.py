"""The limits readings are held against, each tied to the OSH checklist questions it informs.

Noise: a daily exposure LEX,8h of 85 dB(A) or more (the checklist's OS.4.3 and the Prakas on noise):
the energy average of the day's loudest eight consecutive hours, an hour without readings counting
as no exposure (so a missing hour never raises the figure).

Heat: ISO 7243 judges heat stress by the wet-bulb globe temperature (WBGT). Without a globe
thermometer, WBGT indoors is estimated from the air temperature and relative humidity with the
formula the Australian Bureau of Meteorology publishes (shade, light wind):
    WBGT = 0.567 Ta + 0.393 e + 3.94,  e = RH/100 x 6.105 x exp(17.27 Ta / (237.7 + Ta))  (hPa)
and compared with ISO 7243's reference value for moderate work by acclimatised workers, 28 °C.
"""

import math

NOISE_LIMIT_DBA = 85.0
NOISE_WINDOW_HOURS = 8
HEAT_LIMIT_WBGT = 28.0
NOISE_QUESTIONS = ("OS.4.3", "OS.4.4")
HEAT_QUESTIONS = ("OS.4.1", "OS.4.2")
# A reading outside these is a broken sensor or a typing error, refused with the batch.
RANGES = {"noise_dba": (20.0, 140.0), "temperature_c": (-10.0, 60.0), "humidity_pct": (0.0, 100.0)}


def wbgt_estimate(temperature_c, humidity_pct):
    if temperature_c is None or humidity_pct is None:
        return None
    vapour_pressure = humidity_pct / 100 * 6.105 * math.exp(17.27 * temperature_c / (237.7 + temperature_c))
    return 0.567 * temperature_c + 0.393 * vapour_pressure + 3.94


def energy_average(levels):
    """The equivalent continuous level (Leq) of equal-length periods at these levels, in dB."""
    levels = [level for level in levels if level is not None]
    if not levels:
        return None
    return 10 * math.log10(sum(10 ** (level / 10) for level in levels) / len(levels))


def daily_exposure(hourly_leq):
    """LEX,8h from {hour index 0-23: Leq}: the loudest window of eight consecutive hours, normalised to 8 h."""
    if not hourly_leq:
        return None, 0
    best, best_hours = None, 0
    for start in range(0, 24 - NOISE_WINDOW_HOURS + 1):
        window = [hourly_leq[hour] for hour in range(start, start + NOISE_WINDOW_HOURS) if hour in hourly_leq]
        if not window:
            continue
        energy = sum(10 ** (level / 10) for level in window) / NOISE_WINDOW_HOURS
        if best is None or energy > best:
            best, best_hours = energy, len(window)
    return 10 * math.log10(best), best_hours
