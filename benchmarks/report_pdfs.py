"""How long the six PDF documents of one report revision take to produce.

    .venv/bin/python benchmarks/report_pdfs.py [--runs 5] [--profile]

Sets up a throwaway SQLite database under /tmp, loads the repository's content, publishes through
the services a previous visit and a 274-question assessment of one factory (non-compliances with
notes in Khmer, Chinese and English, an objection and an action plan) and one visit of another
factory for the industry average, then renders the six documents (detailed and summary in en, km,
zh-hans) several times: each document alone in this process, then all six as the background task
produces them (typeset in parallel worker processes). The first run warms up (fonts, stylesheet,
worker processes) and is left out; the figures are medians. Target: all six under 3 s on a 2-core machine.
"""

import argparse
import cProfile
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_django(work):
    """Point Django at a throwaway database and media folder under `work`; the fonts stay in var/."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="ims.settings",
        DATABASE_URL=f"sqlite:///{work / 'ims.sqlite3'}",
        IMS_MEDIA_ROOT=str(work / "media"),
        # Publishing would queue the rendering; this script renders itself, so the queue goes nowhere.
        IMS_TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
        IMS_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


NOTES = {
    "km": "ទ្វារចេញបន្ទាន់នៅជាន់ទី២ ត្រូវបានចាក់សោ ហើយគ្មានផ្លាកសញ្ញាបង្ហាញផ្លូវចេញ។",
    "zh-hans": "二楼的紧急出口被锁住，车间内没有疏散指示标志。工人表示加班没有按规定支付。",  # noqa: RUF001
    "en": "Piece-rate workers in packing were paid below the minimum wage in two of the last three months.",
}


def make_user(email, role, organisation, language="en"):
    from ims.accounts.models import Membership, User

    user = User.objects.create_user(email, "bench-password-42", full_name=email.split("@")[0],
                                    preferred_language=language)  # fmt: skip
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def publish_visit(factory, version, head, monitor, day, share_noncompliant, seed):
    from ims.assessments.models import Answer, Assessment
    from ims.assessments.workflow import plan_assessment, save_finding, transition

    visit = plan_assessment(factory=factory, version=version, actor=head, visit_start=day, visit_end=day,
                            monitors=[monitor])  # fmt: skip
    transition(visit, "start", monitor)
    Assessment.objects.filter(pk=visit.pk).update(
        workers_total=2850, workers_female=2480, interviews_workers=24, interviews_managers=3, interviews_union=2
    )
    draw = random.Random(seed)
    languages = list(NOTES)
    for question in version.questions.all():
        if question.applies_if_id and draw.random() < 0.5:
            answer, note, language = Answer.NOT_APPLICABLE, "", "en"
        elif draw.random() < share_noncompliant:
            language = draw.choice(languages)
            answer, note = Answer.NON_COMPLIANT, NOTES[language]
        else:
            answer, note, language = Answer.COMPLIANT, "", "en"
        save_finding(visit, question_code=question.code, answer=answer, note=note, note_language=language,
                     actor=monitor)  # fmt: skip
    transition(visit, "submit", monitor)
    return transition(visit, "approve", head)


def set_up():
    from django.core.management import call_command

    from ims.accounts.models import Organisation, Role
    from ims.assessments.models import Answer
    from ims.checklists.models import ChecklistVersion
    from ims.factories.models import Factory, Province
    from ims.responses.services import add_action, object_to_finding

    quiet = {"verbosity": 0, "stdout": StringIO()}
    call_command("migrate", **quiet)
    call_command("load_content", **quiet)
    version = ChecklistVersion.objects.get()
    programme = Organisation.objects.create(name="Programme", kind=Organisation.Kind.PROGRAMME)
    head = make_user("head@bench.example", Role.HEAD, programme)
    monitor = make_user("monitor@bench.example", Role.MONITOR, programme, language="km")
    province = Province.objects.get(code="KH-12")
    factory = Factory.objects.create(ref="BENCH-1", name_en="Angkor Garments Co., Ltd.", name_km="រោងចក្រ អង្គរ",
                                     name_zh="吴哥制衣有限公司", sector="garment", province=province)  # fmt: skip
    other = Factory.objects.create(ref="BENCH-2", name_en="Mekong Footwear", sector="footwear", province=province)
    organisation = Organisation.objects.create(name="Angkor Garments", kind=Organisation.Kind.FACTORY, factory=factory)
    manager = make_user("manager@bench.example", Role.FACTORY_MANAGER, organisation, language="zh-hans")
    publish_visit(other, version, head, monitor, date(2026, 3, 2), 0.05, seed=1)
    publish_visit(factory, version, head, monitor, date(2025, 10, 6), 0.10, seed=2)
    assessment = publish_visit(factory, version, head, monitor, date(2026, 10, 6), 0.08, seed=3)
    noncompliant = list(assessment.findings.filter(answer=Answer.NON_COMPLIANT).select_related("question"))
    public = [finding for finding in noncompliant if finding.question.publicly_reported] or noncompliant
    object_to_finding(public[0], manager, "出口只在夜班时上锁，现已拆除所有挂锁。", "zh-hans")  # noqa: RUF001
    for finding in noncompliant[:4]:
        add_action(finding, manager, "Remove every padlock and train the floor leaders.", "Mr Dara", date(2026, 12, 1))
    return assessment.current_revision(), len(noncompliant)


def all_six(revision):
    """Seconds to produce and store the six documents, as the background task does (in parallel)."""
    from ims.reports.rendering import render_revision

    started = time.perf_counter()
    render_revision(revision)
    return time.perf_counter() - started


def one_by_one(revision):
    """Seconds per document when each is produced alone in this process, in the order KINDS x LANGUAGES."""
    from ims.reports.rendering import KINDS, LANGUAGES, render_document

    times = []
    for kind in KINDS:
        for language in LANGUAGES:
            started = time.perf_counter()
            render_document(revision, kind, language)
            times.append(time.perf_counter() - started)
    return times


def dump(revision, directory):
    from ims.reports.rendering import KINDS, LANGUAGES, prepare, stylesheet

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "stylesheet.css").write_text(stylesheet())
    for kind in KINDS:
        for language in LANGUAGES:
            (directory / f"{kind}-{language}.html").write_text(prepare(revision, kind, language)[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the warm-up (default 5)")
    parser.add_argument("--profile", action="store_true", help="print where one run spends its time")
    parser.add_argument("--keep", action="store_true", help="keep the database and PDFs afterwards")
    parser.add_argument("--dump", metavar="DIR", help="write each document's HTML and the stylesheet there")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ims-report-bench-", dir="/tmp"))
    start_django(work)
    from ims.reports.rendering import KINDS, LANGUAGES
    from ims.reports.typesetting import worker_count

    try:
        started = time.perf_counter()
        revision, noncompliant = set_up()
        findings = len(revision.snapshot["findings"])
        print(f"Set up in {time.perf_counter() - started:.1f} s: {revision.assessment.ref} revision {revision.number}, "
              f"{findings} findings, {noncompliant} non-compliant; {worker_count()} typesetting processes")  # fmt: skip
        if options.dump:
            dump(revision, Path(options.dump))
        started = time.perf_counter()
        all_six(revision)
        one_by_one(revision)
        print(f"Warm-up (fonts, stylesheet, worker processes): {time.perf_counter() - started:.2f} s")
        print(f"Load average before timing: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
        singles = [one_by_one(revision) for _run in range(options.runs)]
        totals = [all_six(revision) for _run in range(options.runs)]
        print(f"\nEach document alone, in one process (median of {options.runs} runs):")
        documents = [(kind, language) for kind in KINDS for language in LANGUAGES]
        for index, (kind, language) in enumerate(documents):
            rendered = revision.rendered_reports.get(kind=kind, language=language)
            seconds = statistics.median(run[index] for run in singles)
            size = rendered.size / 1024
            print(f"  {kind:<8} {language:<8} {seconds:6.3f} s  {rendered.pages:3d} pages  {size:6.0f} KiB")
        print(f"  sum              {statistics.median(sum(run) for run in singles):6.3f} s")
        print(f"\nAll six as the background task produces them ({worker_count()} processes), median of {options.runs}:")
        print(f"  all six          {statistics.median(totals):6.3f} s  (min {min(totals):.3f}, max {max(totals):.3f})")
        if options.profile:
            profiler = cProfile.Profile()
            profiler.runcall(one_by_one, revision)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            profiler.dump_stats(work / "report_pdfs.prof")
            print(f"Profile saved to {work / 'report_pdfs.prof'} (use --keep to keep it)")
    finally:
        if options.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
