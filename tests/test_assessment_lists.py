"""The head's list of assessments: searched by factory, monitor, status and dates, paged with the filters kept."""

import re
from datetime import date, timedelta

import pytest

from ims.assessments.models import Assessment
from ims.assessments.workflow import plan_assessment, transition

PAGE_SIZE = 50  # the list's page size


def listed(page):
    return re.findall(r'<a href="/en/assessments/([A-Z0-9-]+)/">', page)


@pytest.fixture
def visits(team, content, make_factory):
    """Assessments of two factories, by one monitor or the other, a week apart."""
    lotus = make_factory("LOTUS-1", name_en="Lotus Knitwear", name_km="ឡូតុស")
    made = []
    for number in range(6):
        day = date(2026, 1, 5) + timedelta(days=7 * number)
        factory = lotus if number % 2 else team.factory
        monitor = team.monitor if number < 3 else team.monitor2
        made.append(plan_assessment(factory=factory, version=content, actor=team.head, visit_start=day,
                                    visit_end=day, monitors=[monitor]))  # fmt: skip
    transition(made[1], "start", team.monitor)
    return made


@pytest.mark.django_db
def test_the_list_finds_assessments_by_factory_name_in_any_script_monitor_status_and_dates(client, team, visits):
    client.force_login(team.head)
    lotus = {item.ref for item in visits if item.factory.ref == "LOTUS-1"}
    assert set(listed(client.get("/en/assessments/?factory=lotus").text)) == lotus
    assert set(listed(client.get("/en/assessments/?factory=ឡូតុស").text)) == lotus
    by_second = {item.ref for item in visits[3:]}
    assert set(listed(client.get(f"/en/assessments/?monitor={team.monitor2.pk}").text)) == by_second
    assert listed(client.get("/en/assessments/?status=in_progress").text) == [visits[1].ref]
    window = client.get("/en/assessments/?visit_from=2026-01-12&visit_to=2026-01-26").text
    assert set(listed(window)) == {item.ref for item in visits[1:4]}
    both = client.get(f"/en/assessments/?factory=lotus&monitor={team.monitor.pk}").text
    assert listed(both) == [visits[1].ref]


@pytest.mark.django_db
def test_the_pages_of_a_filtered_list_keep_the_filter(client, team, content, make_factory):
    many = make_factory("MANY-1", name_en="Many Visits Garments")
    first = date(2020, 1, 6)
    for number in range(PAGE_SIZE + 5):
        day = first + timedelta(days=number)
        plan_assessment(factory=many, version=content, actor=team.head, visit_start=day, visit_end=day,
                        monitors=[team.monitor])  # fmt: skip
    plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=first, visit_end=first,
                    monitors=[team.monitor])  # fmt: skip
    client.force_login(team.head)
    page_one = client.get("/en/assessments/?factory=many").text
    assert len(listed(page_one)) == PAGE_SIZE
    assert "?factory=many&amp;page=2" in page_one
    page_two = listed(client.get("/en/assessments/?factory=many&page=2").text)
    assert len(page_two) == 5
    assert all(Assessment.objects.get(ref=ref).factory == many for ref in page_two)
