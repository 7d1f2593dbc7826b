"""Queuing a task as part of the change that causes it.

With the database task backend the task is a row written in the same transaction as the change:
both commit, or neither does, so an approval can never be published without its emails and PDFs,
nor queue work for a change that rolled back. Other backends (the immediate one in tests, any
broker) cannot join the transaction; for them the task is queued once the change has committed.
"""

from django.db import transaction
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def enqueue_with_change(task, *args, **kwargs):
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def enqueue_once_with_change(task, *args):
    """The same, but a task still waiting with the same arguments is enough: it will see this change.

    The waiting task's row is locked until this transaction ends, so no worker starts it before the
    change is visible (on SQLite the write lock does the same). A burst of changes (an action plan of
    thirty items, a batch of committees) then costs one task, not thirty.
    """
    if not isinstance(task.get_backend(), DatabaseBackend):
        transaction.on_commit(lambda: task.enqueue(*args))
        return
    waiting = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
        status=TaskResultStatus.READY, task_path=task.module_path, backend_name=task.backend
    )
    with transaction.atomic():
        if not any(arguments["args"] == list(args) for arguments in waiting.values_list("args_kwargs", flat=True)):
            task.enqueue(*args)
