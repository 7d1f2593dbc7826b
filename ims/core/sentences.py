"""Sentences that carry names: "Golden Garment Co., Ltd." ends in a full stop of its own, and a message that puts
it before the sentence's full stop would read "Ltd.."."""

import re

DOUBLED_FULL_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")  # two full stops, not an ellipsis


def one_full_stop(text):
    """The text with a name's full stop and the sentence's written once."""
    return DOUBLED_FULL_STOP.sub(".", text)
