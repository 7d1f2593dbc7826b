"""The demo data generator: the same files for a seed whatever the hash seed, every planned visit kept,
and a clear answer when there is no checklist to generate answers for."""

import os
import random
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import date
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ims.analytics.generator import VISITS_PER_YEAR, Generator
from ims.checklists.models import ChecklistVersion
from tests.factories import ensure_content

ROOT = Path(__file__).resolve().parent.parent
ISSUE_RUN = ["--factories", "12", "--years", "3", "--end-year", "2025", "--seed", "7"]  # the run that failed in CI


@pytest.fixture(scope="module")
def database_for_another_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A DATABASE_URL a subprocess can open, holding the content (committed, outside any test's transaction;
    a transactional test run before may have emptied the database): the PostgreSQL test database itself, or a
    copy of the in-memory SQLite one, made before the test's transaction starts (it would keep the in-memory
    database locked for the copy)."""
    with django_db_blocker.unblock():
        ensure_content()
        if connection.vendor != "sqlite":
            configured = urlsplit(os.environ["DATABASE_URL"])
            return configured._replace(path="/" + connection.settings_dict["NAME"]).geturl()
        copy = tmp_path_factory.mktemp("database") / "content.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return f"sqlite:///{copy}"


@pytest.mark.django_db  # the test database holds the content the subprocesses read
def test_the_generator_writes_the_same_files_whatever_the_hash_seed(database_for_another_process, tmp_path):
    hash_seeds = ("1", "12345")
    runs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "generate_demo", *ISSUE_RUN, "--output", str(tmp_path / hash_seed)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_for_another_process, "PYTHONHASHSEED": hash_seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for hash_seed in hash_seeds
    ]
    for run in runs:
        stdout, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, stderr
        assert stdout.startswith("wrote 12 factories and 72 assessments"), stdout
    first, second = (tmp_path / hash_seed for hash_seed in hash_seeds)
    for name in ("factories.csv", "assessments.jsonl"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert len((first / "assessments.jsonl").read_text().splitlines()) == 12 * 3 * VISITS_PER_YEAR


class ScriptedDraws(random.Random):
    """randint answers the listed offsets in turn: a test decides which days the generator draws."""

    def __init__(self, offsets):
        super().__init__(0)
        self.offsets = iter(offsets)

    def randint(self, low, high):
        return next(self.offsets)


def test_a_day_drawn_twice_is_drawn_again(content):
    generator = Generator(1, 1, 2024, seed=1)
    generator.random = ScriptedDraws([40, 40, 7])
    assert generator._visit_days(2024) == [date(2024, 1, 12), date(2024, 2, 14)]


def test_a_year_with_a_single_day_left_plans_a_single_visit(content):
    generator = Generator(1, 1, 2026, seed=1)
    generator.today = date(2026, 1, 7)  # visits end two days before today: only January 5 is left
    assert generator._visit_days(2026) == [date(2026, 1, 5)]


def test_every_factory_gets_every_planned_visit_on_distinct_days(content):
    generator = Generator(60, 4, 2025, seed=7)
    records = list(generator.assessments())
    visits = Counter((record["factory_ref"], record["visit_end"][:4]) for record in records)
    assert len(visits) == 60 * 4 and set(visits.values()) == {VISITS_PER_YEAR}
    refs = [record["assessment_ref"] for record in records]
    assert len(set(refs)) == len(refs) == 60 * 4 * VISITS_PER_YEAR


@pytest.mark.django_db
def test_generate_demo_without_content_says_to_load_it_first(tmp_path):
    for version in ChecklistVersion.objects.all():
        version.questions.all().delete()
        version.delete()
    with pytest.raises(CommandError, match=r"load_content"):
        call_command("generate_demo", factories=2, years=1, output=tmp_path, stdout=StringIO())
    assert not any(tmp_path.iterdir())
