"""How tests reach the app as its users do: addresses in a language, the REST API with a token, the text a
PDF reader extracts, and the fonts the browser draws with."""

import re
import subprocess

from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import PASSWORD

API = "/api/v1"
CHROMIUM = "/usr/bin/chromium"  # Debian's package, never a downloaded browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def url(name, *args, language="en"):
    """A page's address under a language prefix."""
    with translation.override(language):
        return reverse(name, args=args)


def signed_in(user, **headers):
    """An API client carrying the user's token, obtained the way an integration does."""
    client = APIClient(**headers)
    answer = client.post(f"{API}/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert answer.status_code == 200, answer.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return client


def put_finding(client, ref, code, answer, **fields):
    return client.put(f"{API}/assessments/{ref}/findings/{code}/", {"answer": answer, **fields}, format="json")


def step(client, ref, action, comment=""):
    return client.post(f"{API}/assessments/{ref}/transitions/", {"action": action, "comment": comment}, format="json")


def pdf_text(path):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def squeezed(text):
    """Text without whitespace: pdftotext breaks lines wherever the PDF did."""
    return re.sub(r"\s+", "", text)


def rendering_fonts(page, selector):
    """The fonts Chromium actually used to draw a node's text, as reported by DevTools."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
