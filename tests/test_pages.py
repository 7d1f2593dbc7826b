import pytest
from django.utils import translation

from ims.checklists.models import Question
from ims.core.translated import TranslationStatus
from ims.goodpractice.models import GoodPracticeSheet

LANGUAGES = ("en", "km", "zh-hans")


def interface_word(language, english):
    with translation.override(language):
        return translation.gettext(english)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_renders_in_each_language(client, content, make_factory, language):
    make_factory("P-1", name_en="Page Factory", name_km="រោងចក្រទំព័រ", name_zh="页面工厂")
    sheet = GoodPracticeSheet.objects.get(slug="drinking-water")
    pages = [
        f"/{language}/",
        f"/{language}/checklists/{content.code}/",
        f"/{language}/good-practice/",
        f"/{language}/good-practice/{sheet.slug}/",
        f"/{language}/factories/",
        f"/{language}/factories/P-1/",
        f"/{language}/accounts/login/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.text, url
        assert interface_word(language, "Factories") in response.text, url


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_checklist_page_shows_content_in_the_page_language(client, content, language):
    question = Question.objects.get(version=content, code="OS.8.1")
    response = client.get(f"/{language}/checklists/{content.code}/")
    assert question.text_in("text", language) in response.text
    assert response.text.count('class="question"') == Question.objects.filter(version=content).count()
    assert interface_word(language, "Publicly reported") in response.text
    question_page = f'href="/{language}/checklists/{content.code}/OS.8.1/"'
    assert question_page in response.text
    assert question.text_in("legal_basis", language) not in response.text  # on the question's own page


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_questions_page_shows_its_guidance_legal_basis_suggestion_and_sheets(client, content, language):
    question = Question.objects.get(version=content, code="OS.8.1")
    response = client.get(f"/{language}/checklists/{content.code}/OS.8.1/")
    assert response.status_code == 200
    for field in ("text", "guidance", "legal_basis", "suggestion"):
        assert question.text_in(field, language) in response.text, field
    for sheet in question.good_practice_sheets.all():
        assert f'href="/{language}/good-practice/{sheet.slug}/"' in response.text
    assert client.get(f"/{language}/checklists/{content.code}/NO.1.1/").status_code == 404
    assert client.get(f"/{language}/checklists/1999.1/OS.8.1/").status_code == 404


@pytest.mark.django_db
def test_public_filter_lists_the_21_reported_issues(client, content):
    response = client.get(f"/en/checklists/{content.code}/", {"public": "1"})
    assert response.text.count('class="question"') == 21


@pytest.mark.django_db
def test_a_missing_translation_is_shown_as_missing_not_as_silent_english(client, content):
    question = Question.objects.get(version=content, code="CL.1.1")
    Question.objects.filter(pk=question.pk).update(text_km="")
    response = client.get(f"/km/checklists/{content.code}/")
    missing = interface_word("km", str(TranslationStatus.MISSING.label))
    assert missing != "Not yet translated"
    assert f'<span class="untranslated" lang="en">{question.text_en}</span>' in response.text
    assert f'<span class="badge badge-missing">{missing}</span>' in response.text


@pytest.mark.django_db
def test_sheet_page_renders_markdown_and_links_back_to_questions(client, content):
    sheet = GoodPracticeSheet.objects.get(slug="drinking-water")
    response = client.get(f"/zh-hans/good-practice/{sheet.slug}/")
    assert "<h2>" in response.text and "<li>" in response.text
    linked = sheet.questions.filter(version=content).first()
    assert f'href="/zh-hans/checklists/{content.code}/{linked.code}/"' in response.text


@pytest.mark.django_db
def test_unknown_pages_answer_404_in_the_page_language(client):
    response = client.get("/km/factories/NO-SUCH-FACTORY/")
    assert response.status_code == 404
    assert interface_word("km", "Page not found") in response.text


@pytest.mark.django_db
def test_one_missing_field_does_not_hide_the_fields_that_are_translated(client, content):
    question = Question.objects.get(version=content, code="CL.1.1")
    Question.objects.filter(pk=question.pk).update(guidance_km="")
    response = client.get(f"/km/checklists/{content.code}/CL.1.1/")
    assert question.text_km in response.text
    assert f'<span class="untranslated" lang="en">{question.guidance_en}</span>' in response.text


@pytest.mark.django_db
def test_sheet_body_markdown_is_rendered_and_raw_html_is_not(client, content):
    sheet = GoodPracticeSheet.objects.get(slug="drinking-water")
    GoodPracticeSheet.objects.filter(pk=sheet.pk).update(
        body_en="## Unique heading 7\n\n- first unique point\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    )
    response = client.get(f"/en/good-practice/{sheet.slug}/")
    assert "<h2>Unique heading 7</h2>" in response.text
    assert "<li>first unique point</li>" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert 'href="javascript:' not in response.text
