"""Participation as CSV and Excel: one row per participant, limited to the enrolments the user may read."""

import csv
import io

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ims import policy
from ims.core.spreadsheets import csv_cell, text_cells_as_text
from ims.training.models import Enrolment, Participant

COLUMNS = (
    "programme", "module", "session_start", "session_end", "venue", "trainer", "factory_ref", "factory_name",
    "enrolment_status", "participant", "position", "role", "gender", "days_present", "session_days", "completed",
)  # fmt: skip


def participation_rows(user, programme=None):
    """Plain values (codes, not labels) so the files read the same in every interface language."""
    enrolments = policy.scope(user, "training.record", Enrolment.objects, via="factory").exclude(
        status=Enrolment.Status.WITHDRAWN
    )
    if programme is not None:
        enrolments = enrolments.filter(session__module__programme=programme)
    participants = (
        Participant.objects.filter(enrolment__in=enrolments)
        .select_related("enrolment__factory", "enrolment__session__module__programme", "enrolment__session__trainer")
        .annotate(days_present=Count("attendance", filter=Q(attendance__present=True)))
        .order_by("enrolment__session__start_date", "enrolment__session_id", "enrolment__factory__ref", "pk")
    )
    for participant in participants:
        enrolment = participant.enrolment
        session = enrolment.session
        yield {
            "programme": session.module.programme.code,
            "module": session.module.name_en,
            "session_start": session.start_date.isoformat(),
            "session_end": session.end_date.isoformat(),
            "venue": session.venue,
            "trainer": session.trainer.full_name,
            "factory_ref": enrolment.factory.ref,
            "factory_name": enrolment.factory.name_en,
            "enrolment_status": enrolment.status,
            "participant": participant.name,
            "position": participant.position,
            "role": participant.role,
            "gender": participant.gender,
            "days_present": participant.days_present,
            "session_days": len(session.days),
            "completed": "" if participant.completed is None else ("yes" if participant.completed else "no"),
        }


def as_csv(rows):
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({column: csv_cell(value) for column, value in row.items()} for row in rows)
    return output.getvalue()


def as_xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participation")[:31]
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    text_cells_as_text(sheet)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
