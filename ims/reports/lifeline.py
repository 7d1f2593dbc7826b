"""Typesetting processes die with the task worker that started them, even when it is killed with SIGKILL.

The pool's processes are children of a fork server, a child of the task worker. Neither notices the
worker's death by itself: the fork server waits for its children, and the children for more work.
This module is the fork server's first import: it asks the kernel to kill the fork server when its
parent dies (Linux's parent-death signal), and each pool process does the same towards the fork
server, so the whole tree goes with the worker.
"""

import ctypes
import os
import signal
import sys

PARENT = "IMS_TYPESETTING_PARENT"  # the pid the fork server must be a child of
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(expected_parent):
    """Be killed when the parent dies; exit now if it is already gone (reparented before the call)."""
    if sys.platform != "linux":
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != expected_parent:
        os._exit(1)


if os.environ.get(PARENT):
    die_with_parent(int(os.environ[PARENT]))
