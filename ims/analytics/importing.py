"""Historical assessments from JSON Lines (format in docs/domain.md): validated whole, written all-or-nothing.

The file is read twice: the first pass checks every line and keeps only what sequencing needs, the
second writes in batches, so a file of 40,000 assessments and 10 million findings never sits in memory.

Each line becomes what approval would have produced: an approved assessment, its findings, a
published ReportRevision whose snapshot is built by ims.assessments.snapshot as approval's is (so reports,
summaries and industry positions read imported visits like any other), its ClusterResults, the
workforce snapshot of the visit and its VisitResult. Publishing one visit at a time would cost a
query per finding and a signal per visit, so the import writes the same rows in bulk: findings with
COPY on PostgreSQL and executemany on SQLite, everything else with bulk_create. It sends no
`report_published` signal: historical reports are not emailed nor typeset again; the industry
figures of the years touched are refreshed once at the end.

Re-importing a line already imported with the same content is a no-op; a changed line is refused
(corrections go through the review workflow, which keeps the published revision history).
"""

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import User
from ims.analytics import aggregates, indicators
from ims.analytics.models import ImportedAssessment, VisitResult
from ims.assessments import snapshot
from ims.assessments.models import Answer, Assessment, ClusterResult, Finding, ReportRevision, Status
from ims.assessments.publishing import cluster_scores
from ims.audit.models import AuditEvent
from ims.checklists.models import ChecklistVersion, Question
from ims.core.errors import Invalid
from ims.core.input_checks import load_json
from ims.factories.importing import RowError
from ims.factories.models import Factory, WorkforceSnapshot

FIELDS = ("assessment_ref", "factory_ref", "checklist_version", "visit_start", "visit_end", "type",
          "workers_total", "workers_female", "status", "findings")  # fmt: skip
FINDING_FIELDS = ("question", "answer", "note", "note_lang")
REQUIRED_FINDING_FIELDS = ("question", "answer")
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
BATCH = 100  # assessments written per round trip: about 27,000 findings
REF_QUERY_BATCH = 5000
IMPORT_REASON = "Imported from historical records."


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    findings: int = 0
    years: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


class _Rejected(Exception):
    """Raised inside the transaction so that a file with errors writes nothing."""


@dataclass
class _Version:
    version: ChecklistVersion
    questions: dict  # code -> (id, cluster, point, publicly_reported, order)


class _Lookups:
    def __init__(self):
        self.factories = {
            factory.ref: factory
            for factory in Factory.objects.select_related("province", "district").only(
                "pk", "ref", "name_en", "name_km", "name_zh", "sector", "province__code", "district__code"
            )
        }
        self.versions = {}
        for version in ChecklistVersion.objects.all():
            rows = Question.objects.filter(version=version).values_list(
                "code", "pk", "compliance_point__cluster__code", "compliance_point__code", "publicly_reported",
                "compliance_point__cluster__order", "compliance_point__order", "order",
            )  # fmt: skip
            self.versions[version.code] = _Version(
                version,
                {code: (pk, cluster, point, public, (c_order, p_order, order))
                 for code, pk, cluster, point, public, c_order, p_order, order in rows},
            )  # fmt: skip
        self.imported = dict(
            ImportedAssessment.objects.values_list("assessment__ref", "sha256")
        )  # small: one hash per imported assessment
        self.types = set(Assessment.Type.values)
        self.answers = set(Answer.values)
        self.languages = {code for code, _name in settings.LANGUAGES}


def _digest(record):
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _parse_lines(lines):
    """(line number, record or None, error message) for each non-blank line."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = load_json(text)
        except Invalid as error:
            yield number, None, error.message
            continue
        if not isinstance(record, dict):
            yield number, None, _("each line must be one JSON object.")
            continue
        yield number, record, None


def _count(record, name, errors, line):
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        errors.append(RowError(line, name, _("must be a whole number, not negative, or null.")))
        return None
    return value


def _check(line, record, lookups, today, errors):
    """Validate one record; return (ref, factory, version, visit_end, public non-compliant) or None."""
    before = len(errors)
    missing = [name for name in FIELDS if name not in record]
    unknown = sorted(set(record) - set(FIELDS))
    if missing:
        errors.append(RowError(line, "", _("missing fields: %(fields)s") % {"fields": ", ".join(missing)}))
    if unknown:
        errors.append(RowError(line, "", _("unknown fields: %(fields)s") % {"fields": ", ".join(unknown)}))
    if missing:
        return None
    ref = record["assessment_ref"]
    if not isinstance(ref, str) or not REF_PATTERN.match(ref) or len(ref) > 60:
        errors.append(RowError(line, "assessment_ref", _("a reference of letters, digits, '.', '_', '/' or '-' "
                                                         "of at most 60 characters is required.")))  # fmt: skip
    factory = lookups.factories.get(record["factory_ref"]) if isinstance(record["factory_ref"], str) else None
    if factory is None:
        errors.append(RowError(line, "factory_ref", _("unknown factory '%(ref)s'; import the factories CSV first.")
                                % {"ref": record["factory_ref"]}))  # fmt: skip
    version = lookups.versions.get(record["checklist_version"])
    if version is None:
        errors.append(RowError(line, "checklist_version", _("unknown checklist version '%(code)s'.")
                                % {"code": record["checklist_version"]}))  # fmt: skip
    visit_start, visit_end = (parse_date(value) if isinstance(value, str) else None
                              for value in (record["visit_start"], record["visit_end"]))  # fmt: skip
    for name, day in (("visit_start", visit_start), ("visit_end", visit_end)):
        if day is None:
            errors.append(RowError(line, name, _("use the form YYYY-MM-DD.")))
    if visit_start and visit_end and visit_end < visit_start:
        errors.append(RowError(line, "visit_end", _("the last visit day cannot be before the first.")))
    if visit_end and visit_end > today:
        errors.append(RowError(line, "visit_end", _("a historical visit cannot end in the future.")))
    if record["type"] not in lookups.types:
        errors.append(RowError(line, "type", _("must be one of %(choices)s.") % {"choices": ", ".join(lookups.types)}))
    if record["status"] != Status.APPROVED:
        errors.append(RowError(line, "status", _("only approved assessments are imported.")))
    total, female = _count(record, "workers_total", errors, line), _count(record, "workers_female", errors, line)
    if total is not None and female is not None and female > total:
        errors.append(RowError(line, "workers_female", _("women workers cannot exceed the total.")))
    if (total is None) != (female is None):
        errors.append(RowError(line, "workers_female", _("give both worker counts, or neither.")))
    public_noncompliant = _check_findings(line, record["findings"], version, lookups, errors)
    if len(errors) > before:
        return None
    return ref, factory, version, visit_end, public_noncompliant


def _check_findings(line, findings, version, lookups, errors):
    if not isinstance(findings, list) or not findings:
        errors.append(RowError(line, "findings", _("a non-empty list of findings is required.")))
        return 0
    seen, public_noncompliant = set(), 0
    for position, finding in enumerate(findings, start=1):
        where = f"findings[{position}]"
        if not isinstance(finding, dict):
            errors.append(RowError(line, where, _("each finding must be a JSON object.")))
            continue
        missing = [name for name in REQUIRED_FINDING_FIELDS if name not in finding]
        unknown = sorted(set(finding) - set(FINDING_FIELDS))
        if missing or unknown:
            errors.append(
                RowError(
                    line,
                    where,
                    _("missing fields: %(missing)s; unknown fields: %(unknown)s")
                    % {"missing": ", ".join(missing) or "-", "unknown": ", ".join(unknown) or "-"},
                )
            )
            continue  # fmt: skip
        code = finding["question"]
        question = version.questions.get(code) if version and isinstance(code, str) else None
        if version and question is None:
            errors.append(RowError(line, where, _("question '%(code)s' is not in checklist %(version)s.")
                                    % {"code": code, "version": version.version.code}))  # fmt: skip
        elif code in seen:
            errors.append(RowError(line, where, _("question '%(code)s' is answered twice.") % {"code": code}))
        seen.add(code)
        if finding["answer"] not in lookups.answers:
            errors.append(RowError(line, where, _("answer must be one of %(choices)s.")
                                    % {"choices": ", ".join(Answer.values)}))  # fmt: skip
        if not isinstance(finding.get("note", ""), str):
            errors.append(RowError(line, where, _("note must be text.")))
        if finding.get("note_lang", "en") not in lookups.languages:
            errors.append(RowError(line, where, _("note_lang must be one of %(choices)s.")
                                    % {"choices": ", ".join(sorted(lookups.languages))}))  # fmt: skip
        if question and question[3] and finding["answer"] == Answer.NON_COMPLIANT:
            public_noncompliant += 1
    return public_noncompliant


def _validate(lines, lookups, today, result):
    """First pass: every error of the file, and a PlannedVisit for each line to write."""
    planned, seen = {}, {}
    for line, record, problem in _parse_lines(lines):
        if problem:
            result.errors.append(RowError(line, "", problem))
            continue
        checked = _check(line, record, lookups, today, result.errors)
        if checked is None:
            continue
        ref, factory, _version, visit_end, public_noncompliant = checked
        if ref in seen:
            result.errors.append(RowError(line, "assessment_ref", _("'%(ref)s' already appears on line %(line)d.")
                                           % {"ref": ref, "line": seen[ref]}))  # fmt: skip
            continue
        seen[ref] = line
        stored = lookups.imported.get(ref)
        if stored == _digest(record):
            result.unchanged += 1
        elif stored is not None:
            result.errors.append(
                RowError(
                    line,
                    "assessment_ref",
                    _("'%(ref)s' was imported before with other content; correct it through the review workflow.")
                    % {"ref": ref},
                )
            )
        else:  # fmt: skip
            planned[line] = aggregates.PlannedVisit(factory.pk, visit_end, public_noncompliant, line)
    if planned:
        refs, taken = list(seen), set()
        for start in range(0, len(refs), REF_QUERY_BATCH):  # SQLite limits the parameters of one query
            batch = refs[start : start + REF_QUERY_BATCH]
            taken |= set(Assessment.objects.filter(ref__in=batch).values_list("ref", flat=True))
        taken -= set(lookups.imported)
        for ref in sorted(taken, key=seen.get):
            result.errors.append(RowError(seen[ref], "assessment_ref",
                                           _("'%(ref)s' is an assessment recorded in IMS, not an import.")
                                           % {"ref": ref}))  # fmt: skip
    if not planned and not result.unchanged and not result.errors:
        result.errors.append(RowError(1, "", _("the file has no assessments.")))
    return planned


def import_assessments(
    open_lines: Callable[[], Iterable[str]], actor: User, today: date | None = None
) -> "ImportResult":
    """Import a JSON Lines file; `open_lines()` returns a fresh iterable of its lines (it is read twice)."""
    policy.require(
        actor, "assessments.import", message=_("Only the programme head and administrators import assessments.")
    )
    today = today or timezone.localdate()
    result = ImportResult()
    try:
        with transaction.atomic():
            lookups = _Lookups()
            planned = _validate(open_lines(), lookups, today, result)
            if result.errors:
                raise _Rejected
            if planned:
                factory_ids = {visit.factory_id for visit in planned.values()}
                years = aggregates.resequence(factory_ids, planned.values())
                _write(open_lines(), planned, lookups, actor, result)
                years |= {visit.year for visit in planned.values()}
                aggregates.refresh_years(years)
                result.years = sorted(years)
    except _Rejected:
        result.created = result.unchanged = result.findings = 0
        result.errors.sort(key=lambda error: error.line)
    except IntegrityError:
        result.created = result.unchanged = result.findings = 0
        message = _("Some of these assessments were recorded by someone else during the import; nothing was imported. "
                    "Import the file again.")  # fmt: skip
        result.errors.append(RowError(0, "", message))
    return result


def import_assessments_text(text, actor, today=None):
    return import_assessments(lambda: text.splitlines(), actor, today)


def import_assessments_file(path, actor, today=None):
    path = Path(path)

    def open_lines():
        with path.open(encoding="utf-8-sig") as lines:
            yield from lines

    return import_assessments(open_lines, actor, today)


def _write(lines, planned, lookups, actor, result):
    records = ((line, record) for line, record, _problem in _parse_lines(lines) if line in planned)
    used_versions = set()
    findings = _FindingWriter()
    while batch := list(islice(records, BATCH)):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        findings.reserve(sum(len(record["findings"]) for _line, record in batch))
        assessments = Assessment.objects.bulk_create(
            Assessment(
                ref=record["assessment_ref"],
                factory=lookups.factories[record["factory_ref"]],
                checklist_version=lookups.versions[record["checklist_version"]].version,
                type=record["type"],
                status=Status.APPROVED,
                visit_start=record["visit_start"],
                visit_end=record["visit_end"],
                workers_total=record["workers_total"],
                workers_female=record["workers_female"],
                created_by=actor,
            )
            for _line, record in batch
        )
        snapshots = []
        for (_line, record), assessment in zip(batch, assessments, strict=True):
            version = lookups.versions[record["checklist_version"]]
            used_versions.add(version.version)
            rows = findings.add(assessment.pk, record["findings"], version, actor.pk, now)
            snapshots.append(_snapshot(record, assessment.factory, rows))
        findings.flush()
        revisions = ReportRevision.objects.bulk_create(
            ReportRevision(assessment=assessment, number=1, reason=IMPORT_REASON, approved_by=actor, snapshot=built)
            for assessment, built in zip(assessments, snapshots, strict=True)
        )
        _write_derived(batch, assessments, revisions, planned, actor)
        result.created += len(batch)
    result.findings = findings.count
    for version in used_versions:
        version.freeze()


def _write_derived(batch, assessments, revisions, planned, actor):
    cluster_results, visits, workforce, imported, events = [], [], {}, [], []
    for (line, record), assessment, revision in zip(batch, assessments, revisions, strict=True):
        published = snapshot.of_revision(revision)
        cluster_results += [
            ClusterResult(revision=revision, factory_id=assessment.factory_id, visit_end=assessment.visit_end,
                          cluster=cluster, applicable=applicable, compliant=compliant)
            for cluster, (applicable, compliant) in cluster_scores(published["compliance_points"]).items()
        ]  # fmt: skip
        sequence = planned[line]
        visits.append(
            VisitResult(
                factory_id=assessment.factory_id, assessment=assessment, revision=revision,
                visit_end=sequence.visit_end, year=sequence.year, sequence=sequence.sequence,
                latest_in_year=sequence.latest_in_year, clean_streak=sequence.clean_streak,
                **indicators.visit_figures(published),
            )
        )  # fmt: skip
        if assessment.workers_total is not None:
            workforce[(assessment.factory_id, sequence.visit_end)] = WorkforceSnapshot(
                factory_id=assessment.factory_id, as_of=sequence.visit_end, workers_total=assessment.workers_total,
                workers_female=assessment.workers_female, source=WorkforceSnapshot.Source.ASSESSMENT,
            )  # fmt: skip
        imported.append(ImportedAssessment(assessment=assessment, sha256=_digest(record)))
        events.append(AuditEvent(actor=actor, action="assessment.imported", factory_id=assessment.factory_id,
                                 object_type="assessments.assessment", object_id=str(assessment.pk),
                                 details={"ref": assessment.ref, "revision": revision.number}))  # fmt: skip
    ClusterResult.objects.bulk_create(cluster_results)
    VisitResult.objects.bulk_create(visits)
    WorkforceSnapshot.objects.bulk_create(
        workforce.values(), update_conflicts=True, unique_fields=["factory", "as_of"],
        update_fields=["workers_total", "workers_female", "source"],
    )  # fmt: skip
    ImportedAssessment.objects.bulk_create(imported)
    AuditEvent.objects.bulk_create(events)


def _snapshot(record: dict[str, Any], factory: Factory, rows: list[tuple]) -> snapshot.ReportSnapshot:
    """The snapshot of an imported visit: its findings as the file gives them, no monitor, interview or photo."""
    findings: list[snapshot.FindingRow] = [
        {"question": code, "cluster": cluster, "compliance_point": point, "publicly_reported": public,
         "answer": answer, "note": note, "note_language": language, "finding_id": finding_id, "evidence": []}
        for _order, code, cluster, point, public, answer, note, language, finding_id in sorted(rows)
    ]  # fmt: skip
    visit: snapshot.VisitPart = {
        "ref": record["assessment_ref"],
        "type": record["type"],
        "visit_start": record["visit_start"],
        "visit_end": record["visit_end"],
        "monitors": [],
        "interviews": {"workers": 0, "managers": 0, "union": 0},
        "workers_total": record["workers_total"],
        "workers_female": record["workers_female"],
    }
    return snapshot.build(visit, snapshot.factory_part(factory), record["checklist_version"], findings)


class _FindingWriter:
    """Findings go in with ids reserved up front (the snapshot names them) and without the ORM's
    per-object work: COPY on PostgreSQL, executemany on SQLite."""

    COLUMNS = ("id", "assessment_id", "question_id", "answer", "note", "note_language", "row_version",
               "updated_by_id", "updated_at")  # fmt: skip

    def __init__(self):
        self.rows = []
        self.count = 0
        self.table = Finding._meta.db_table
        self.next_id = None
        self.ids = iter(())

    def reserve(self, count):
        """Take ids for the next `count` findings."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [self.table, count]
                )
                self.ids = iter([row[0] for row in cursor.fetchall()])
                return
            if self.next_id is None:  # SQLite: the transaction holds the write lock, so nobody else takes ids
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {self.table}")
                self.next_id = cursor.fetchone()[0]
            self.ids = iter(range(self.next_id, self.next_id + count))
            self.next_id += count

    def add(self, assessment_id, findings, version, user_id, now):
        """Queue an assessment's findings; return its snapshot rows (checklist order first)."""
        snapshot_rows = []
        for finding in findings:
            finding_id = next(self.ids)
            question_id, cluster, point, public, order = version.questions[finding["question"]]
            note, language = finding.get("note", ""), finding.get("note_lang", "en")
            self.rows.append(
                (finding_id, assessment_id, question_id, finding["answer"], note, language, 1, user_id, now)
            )
            snapshot_rows.append((order, finding["question"], cluster, point, public, finding["answer"], note,
                                  language, finding_id))  # fmt: skip
        return snapshot_rows

    def flush(self):
        if not self.rows:
            return
        columns = ", ".join(self.COLUMNS)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.COLUMNS))
                cursor.executemany(f"INSERT INTO {self.table} ({columns}) VALUES ({marks})", self.rows)
        self.count += len(self.rows)
        self.rows = []
