"""Typesetting processes die with the task worker that started them, even when it is killed with SIGKILL.

The pool's processes are children of a fork server, a child of the task worker. Neither notices the
worker's death by itself: the fork server waits for its children, and the children for more work.
This module is the fork server's first import: it asks the kernel to kill the fork server when its
parent dies (Linux's parent-death signal), and each pool process, forked from the fork server with
this module already loaded, does the same towards the fork server, so the whole tree goes with the
worker.

The kernel sends the signal when the *thread* that started the child ends, not the process: the
pool must be started from a thread that lives as long as the process (ims.reports.typesetting
starts it only from the main thread).
"""

import ctypes
import os
import signal
import sys

PARENT = "IMS_TYPESETTING_PARENT"  # the pid the fork server must be a child of, set only while it starts
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# This process's pid when it is the fork server; the pool processes it forks inherit the value.
fork_server_pid = None


def die_with_parent(expected_parent):
    """Be killed when the parent dies; exit now if it is already gone (reparented before the call)."""
    if sys.platform != "linux":
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != expected_parent:
        os._exit(1)


def die_with_fork_server():
    """In a pool process: be killed when the fork server that forked it dies."""
    if fork_server_pid is not None:
        die_with_parent(fork_server_pid)


if os.environ.get(PARENT):  # this process is the fork server, starting
    fork_server_pid = os.getpid()
    die_with_parent(int(os.environ.pop(PARENT)))
