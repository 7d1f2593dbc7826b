"""Requests a careful production system refuses or answers safely: oversized bodies refused before they are
read, images of too many pixels, private files never kept by the browser, the Content Security Policy, and
PDFs typeset on demand for visitors limited."""

import io
import socket
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from ims.assessments.models import Answer, Evidence
from ims.assessments.workflow import save_finding
from ims.reports.models import RenderedReport
from ims.reports.rendering import render_revision
from tests.factories import png_bytes

MB = 1024 * 1024


def summary_pdf(ref, number, language):
    return reverse("reports:summary_pdf", args=[ref, number, language])


def monitor_api(team):
    client = APIClient()
    client.force_login(team.monitor)
    return client


def status_line_and_body(reply):
    head, _separator, body = reply.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0].decode(), body.decode()


def response_length(reply):
    """The length of a whole HTTP response whose head is in `reply` (the development server keeps the
    connection open after answering, draining what the client says it will send)."""
    head, _separator, _body = reply.partition(b"\r\n\r\n")
    fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
    return len(head) + 4 + int(fields[b"Content-Length"])


def send_headers_only(server_url, path, content_type, length):
    """Sends a request's headers announcing a body of `length` bytes, then only a few of them, and returns
    the reply. A server that reads the body first waits for the rest and never answers (the socket times out)."""
    address = urlsplit(server_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n".encode()
            + b"--x\r\n"
        )
        reply = b""
        while b"\r\n\r\n" not in reply or len(reply) < response_length(reply):
            reply += connection.recv(65536)  # a server still reading the body never answers: a timeout
    return reply


def test_a_300_mb_anonymous_upload_to_the_verification_page_is_refused_before_it_is_read(live_server):
    reply = send_headers_only(live_server.url, "/km/reports/verify/", "multipart/form-data; boundary=x", 300 * MB)
    status, page = status_line_and_body(reply)
    assert status.endswith("413 Request Entity Too Large") or " 413 " in status, status
    assert '<html lang="km">' in page  # in the page's language


@pytest.mark.django_db
def test_a_raw_body_over_the_limit_is_refused_in_the_apis_error_shape_and_stores_nothing(started, team, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    answer = monitor_api(team).post(
        f"/api/v1/capture/assessments/{started.ref}/submissions/", b"<" * 100_001, content_type="application/xml"
    )
    assert answer.status_code == 413
    assert answer.json() == {
        "error": "too_large", "message": "The request is larger than 97.7\xa0KB; nothing was received.", "details": {}
    }  # fmt: skip
    assert not started.findings.exists()


@pytest.mark.django_db
def test_a_body_at_the_limit_still_reaches_the_endpoint(started, team, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = b"<data>" + b" " * (100_000 - len(b"<data></data>")) + b"</data>"
    answer = monitor_api(team).post(
        f"/api/v1/capture/assessments/{started.ref}/submissions/", body, content_type="application/xml"
    )
    assert answer.status_code == 400 and "instanceID" in answer.json()["message"]  # read and judged, not refused


@pytest.mark.django_db
def test_a_small_png_of_88_megapixels_is_refused_before_it_is_decoded(started, team):
    save_finding(started, question_code="OS.8.7", answer=Answer.NON_COMPLIANT, actor=team.monitor)
    image = io.BytesIO()
    Image.new("1", (9400, 9360)).save(image, format="PNG")  # 88 million pixels, one bit each: a few kilobytes
    assert len(image.getvalue()) < 100_000
    image.seek(0)
    answer = monitor_api(team).post(
        f"/api/v1/assessments/{started.ref}/findings/OS.8.7/evidence/", {"photo": image}, format="multipart"
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == "The image has more than 50 megapixels."
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_photo_is_never_kept_by_the_browser(started, team):
    save_finding(started, question_code="OS.8.7", answer=Answer.NON_COMPLIANT, actor=team.monitor)
    client = monitor_api(team)
    photo = io.BytesIO(png_bytes())
    created = client.post(
        f"/api/v1/assessments/{started.ref}/findings/OS.8.7/evidence/", {"photo": photo}, format="multipart"
    )
    assert created.status_code == 201, created.content
    evidence = Evidence.objects.get()
    served = client.get(reverse("assessments:evidence", args=[started.ref, evidence.pk]))
    assert served.status_code == 200 and served["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_without_inline_script(client):
    policy = client.get("/en/")["Content-Security-Policy"]
    directives = dict(directive.split(" ", 1) for directive in policy.split("; "))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"  # the charts' SVG styles; no other inline
    assert "unsafe-eval" not in policy
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and "<script>" not in docs.text  # Swagger UI's settings are a script file


@pytest.mark.django_db
def test_visitors_may_have_only_a_few_missing_pdfs_typeset_and_stored_ones_are_always_served(
    pdfs_not_typeset, published_report, settings
):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon_typesetting": "2/minute",
        },
    }  # fmt: skip
    revision = published_report.current_revision()
    ref, number = published_report.ref, revision.number
    RenderedReport.objects.filter(revision=revision).delete()
    visitor = APIClient()
    first, second, third = (visitor.get(summary_pdf(ref, number, language)) for language in ("en", "km", "zh-hans"))
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert third["Retry-After"] == "60"
    assert RenderedReport.objects.filter(revision=revision).count() == 2  # the refused one was not typeset
    again = visitor.get(summary_pdf(ref, number, "en"))  # stored: served whatever the count
    assert again.status_code == 200 and b"".join(again.streaming_content).startswith(b"%PDF")
    render_revision(revision)  # the worker typesets the rest, as after every approval
    assert visitor.get(summary_pdf(ref, number, "zh-hans")).status_code == 200
