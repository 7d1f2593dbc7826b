import pytest
from django.contrib.admin.sites import site

from ims.checklists.models import Question


@pytest.fixture
def superuser(make_user):
    return make_user("root@test.example", is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_back_office_lists_open_for_staff(client, superuser, content):
    client.force_login(superuser)
    for page in ("factories/factory", "accounts/organisation", "accounts/user", "checklists/question",
                 "goodpractice/goodpracticesheet", "factories/district"):  # fmt: skip
        assert client.get(f"/en/admin/{page}/").status_code == 200, page


@pytest.mark.django_db
def test_a_frozen_question_is_read_only_except_its_translations(client, superuser, content, rf):
    question = Question.objects.get(version=content, code="FA.1.1")
    model_admin = site._registry[Question]
    request = rf.get("/")
    request.user = superuser
    assert "text_en" not in model_admin.get_readonly_fields(request, question)

    content.freeze()
    question = Question.objects.get(pk=question.pk)
    readonly = model_admin.get_readonly_fields(request, question)
    assert {"text_en", "legal_basis_en", "noncompliant_answer", "publicly_reported", "good_practice_sheets"} <= set(
        readonly
    )
    assert not {"text_km", "text_zh_hans", "translation_status_km"} & set(readonly)
    assert not model_admin.has_delete_permission(request, question)
    client.force_login(superuser)
    response = client.get(f"/en/admin/checklists/question/{question.pk}/change/")
    assert response.status_code == 200
    assert 'name="text_km"' in response.text and 'name="text_en"' not in response.text
