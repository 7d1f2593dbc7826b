from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ims.accounts.models import Organisation, Role
from ims.factories.importing import REQUIRED_COLUMNS, import_factories
from ims.factories.models import Contact, Factory, WorkforceSnapshot

HEADER = ",".join(REQUIRED_COLUMNS)
GOOD_ROWS = [
    "F-100,Lotus Garment,រោងចក្រ ឈូក,莲花制衣,REG-1,Phnom Penh,,garment,CN,1200,1000,hr@lotus.example,zh-hans,true",
    "F-101,Mekong Shoes,ស្បែកជើង មេគង្គ,湄公鞋业,REG-2,កណ្ដាល,,footwear,TW,800,650,,km,false",
    "F-102,River Bags,កាបូប ទន្លេ,河流箱包,REG-3,KH-18,,Travel goods and bags,,300,250,bags@river.example,en,yes",
]


def csv_text(*rows):
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.mark.django_db
def test_import_creates_factories_contacts_and_workforce(phnom_penh):
    result = import_factories(csv_text(*GOOD_ROWS), today=date(2026, 11, 1))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    lotus = Factory.objects.get(ref="F-100")
    assert (lotus.name_km, lotus.name_zh, lotus.province, lotus.head_office_country) == (
        "រោងចក្រ ឈូក",
        "莲花制衣",
        phnom_penh,
        "CN",
    )
    contact = lotus.contacts.get()
    assert (contact.email, contact.preferred_language, contact.has_email, contact.is_primary) == (
        "hr@lotus.example",
        "zh-hans",
        True,
        True,
    )
    assert Factory.objects.get(ref="F-101").province.code == "KH-8"  # matched by its Khmer name
    assert Factory.objects.get(ref="F-102").sector == "travel_goods_bags"
    snapshot = lotus.workforce_snapshots.get()
    assert (snapshot.as_of, snapshot.workers_total, snapshot.workers_female) == (date(2026, 11, 1), 1200, 1000)


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(phnom_penh):
    text = csv_text(*GOOD_ROWS)
    import_factories(text, today=date(2026, 11, 1))
    before = (Factory.objects.count(), Contact.objects.count(), WorkforceSnapshot.objects.count())
    stamps = list(Factory.objects.order_by("ref").values_list("updated_at", flat=True))
    result = import_factories(text, today=date(2026, 11, 20))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert (Factory.objects.count(), Contact.objects.count(), WorkforceSnapshot.objects.count()) == before
    assert list(Factory.objects.order_by("ref").values_list("updated_at", flat=True)) == stamps


@pytest.mark.django_db
def test_changed_rows_update_and_new_figures_add_a_snapshot(phnom_penh):
    import_factories(csv_text(*GOOD_ROWS), today=date(2026, 11, 1))
    changed = GOOD_ROWS[0].replace("Lotus Garment", "Lotus Garment Co.").replace("1200,1000", "1300,1100")
    result = import_factories(csv_text(changed, *GOOD_ROWS[1:]), today=date(2026, 11, 20))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    lotus = Factory.objects.get(ref="F-100")
    assert lotus.name_en == "Lotus Garment Co."
    assert [s.workers_total for s in lotus.workforce_snapshots.order_by("as_of")] == [1200, 1300]


@pytest.mark.django_db
def test_a_file_with_errors_lists_them_by_line_and_imports_nothing(phnom_penh):
    rows = [
        GOOD_ROWS[0],
        "F-200,Bad Province,,,,Atlantis,,garment,CN,10,5,,km,false",
        "F-201,Too Many Women,,,,Phnom Penh,,garment,XX,10,50,,km,false",
        "F-202,No Address,,,,Phnom Penh,,shoes,CN,abc,5,not-an-email,fr,maybe",
        GOOD_ROWS[0],
    ]
    result = import_factories(csv_text(*rows))
    assert not result.ok
    messages = [(error.line, error.column) for error in result.errors]
    assert (3, "province") in messages
    assert (4, "workers_female") in messages
    assert (4, "head_office_country") in messages
    assert {(5, "sector"), (5, "workers_total"), (5, "email"), (5, "preferred_language"), (5, "has_email")} <= set(
        messages
    )
    assert (6, "factory_ref") in messages  # the duplicate of line 2
    assert Factory.objects.count() == 0 and Contact.objects.count() == 0


@pytest.mark.django_db
def test_missing_columns_are_reported_on_the_header_line(phnom_penh):
    result = import_factories("factory_ref,name_en\nF-1,X\n")
    assert [(e.line, e.column) for e in result.errors] == [(1, "")]
    assert "province" in result.errors[0].message


def test_import_command_fails_clearly_on_non_utf8(tmp_path, db):
    path = tmp_path / "factories.csv"
    path.write_bytes(HEADER.encode() + b"\nF-1,\xff\xfe\n")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_factories", str(path))


@pytest.mark.django_db
def test_search_finds_a_factory_by_any_of_its_names(make_factory):
    make_factory("S-1", name_en="Golden Lotus Knitwear", name_km="ផ្កាឈូកមាស", name_zh="金莲针织")
    make_factory("S-2", name_en="Other Factory", registration_no="REG-77")
    for text in ("lotus", "ឈូកមាស", "金莲", "s-1"):
        assert list(Factory.objects.search(text).values_list("ref", flat=True)) == ["S-1"], text
    assert list(Factory.objects.search("REG-77").values_list("ref", flat=True)) == ["S-2"]


@pytest.mark.django_db
def test_directory_page_searches_in_every_language(client, make_factory):
    make_factory("S-1", name_en="Golden Lotus Knitwear", name_km="ផ្កាឈូកមាស", name_zh="金莲针织")
    make_factory("S-2", name_en="Other Factory")
    for language in ("en", "km", "zh-hans"):
        response = client.get(f"/{language}/factories/", {"q": "金莲"})
        assert response.status_code == 200
        assert "Golden Lotus Knitwear" in response.text and "Other Factory" not in response.text


@pytest.mark.django_db
def test_contacts_are_shown_only_to_programme_staff_and_the_factory(client, make_factory, make_user, programme):
    factory = make_factory("C-1")
    Contact.objects.create(factory=factory, name="Ms Secret", email="secret@c1.example", is_primary=True)
    other = make_factory("C-2")
    url = reverse("factories:detail", args=["C-1"])
    assert "Ms Secret" not in client.get(url).text
    own = Organisation.objects.create(name="C-1 org", kind="factory", factory=factory)
    elsewhere = Organisation.objects.create(name="C-2 org", kind="factory", factory=other)
    client.force_login(make_user("other@c2.example", Role.FACTORY_MANAGER, elsewhere))
    assert "Ms Secret" not in client.get(url).text
    client.force_login(make_user("boss@c1.example", Role.FACTORY_MANAGER, own))
    assert "Ms Secret" in client.get(url).text
    client.force_login(make_user("monitor@p.example", Role.MONITOR, programme))
    assert "Ms Secret" in client.get(url).text


@pytest.mark.django_db
def test_import_page_is_for_programme_admins_and_lists_errors(client, phnom_penh, programme_admin, make_user):
    url = reverse("factories:import")
    client.force_login(make_user("viewer@test.example"))
    assert client.get(url).status_code == 403
    client.force_login(programme_admin)
    response = client.post(url, {"file": upload(csv_text("F-9,X,,,,Atlantis,,garment,,,,,km,false"))})
    assert response.status_code == 200
    assert "Atlantis" in response.text and Factory.objects.count() == 0
    response = client.post(url, {"file": upload(csv_text(*GOOD_ROWS))}, follow=True)
    assert "3 created" in response.text and Factory.objects.count() == 3


def upload(text):
    return SimpleUploadedFile("factories.csv", text.encode(), content_type="text/csv")


@pytest.mark.django_db
def test_a_short_row_is_an_error_not_a_silent_blanking(phnom_penh):
    header = HEADER + ",address"
    import_factories(f"{header}\n{GOOD_ROWS[0]},12 Street 5\n")
    result = import_factories(f"{header}\n{GOOD_ROWS[0].rsplit(',', 3)[0]}\n")
    assert [(e.line, e.message) for e in result.errors] == [(2, "fewer values than columns.")]
    assert Factory.objects.get(ref="F-100").address == "12 Street 5"


@pytest.mark.django_db
def test_a_rejected_file_leaves_registered_factories_as_they_were(phnom_penh):
    import_factories(csv_text(*GOOD_ROWS))
    renamed = GOOD_ROWS[0].replace("Lotus Garment", "Renamed")
    result = import_factories(csv_text(renamed, "F-300,X,,,,Atlantis,,garment,,,,,km,false"))
    assert not result.ok and (result.created, result.updated) == (0, 0)
    assert Factory.objects.get(ref="F-100").name_en == "Lotus Garment"


@pytest.mark.django_db
def test_values_are_read_the_same_whatever_the_interface_language(phnom_penh):
    from django.utils import translation

    row = "F-400,Bag Co,,,,Phnom Penh,,Travel goods and bags,,,,,km,false"
    with translation.override("km"):
        result = import_factories(csv_text(row))
    assert result.ok, result.errors


@pytest.mark.django_db
def test_contact_values_are_checked_like_the_form_would(phnom_penh):
    long_phone = "9" * 41
    result = import_factories(HEADER + ",phone\n" + GOOD_ROWS[0] + f",{long_phone}\n")
    assert [(e.line, e.column) for e in result.errors] == [(2, "phone")]


@pytest.mark.django_db
def test_assessment_head_counts_are_never_overwritten_by_an_import(make_factory):
    factory = make_factory("F-100")
    WorkforceSnapshot.objects.create(factory=factory, as_of=date(2026, 5, 1), workers_total=900, workers_female=800,
                                     source=WorkforceSnapshot.Source.ASSESSMENT)  # fmt: skip
    result = import_factories(HEADER + ",workforce_date\n" + GOOD_ROWS[0] + ",2026-05-01\n")
    assert [(e.line, e.column) for e in result.errors] == [(2, "workforce_date")]
    assert factory.workforce_snapshots.get().workers_total == 900


@pytest.mark.django_db
def test_repeated_columns_and_case_twins_are_refused(phnom_penh, make_factory):
    make_factory("AB-1")
    assert "repeated columns: email" in str(import_factories(HEADER + ",email\n").errors[0])
    twin = GOOD_ROWS[0].replace("F-100", "ab-1")
    assert [(e.line, e.column) for e in import_factories(csv_text(twin)).errors] == [(2, "factory_ref")]
