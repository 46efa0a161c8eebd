"""The site's icon: every page links it, and /favicon.ico (asked for by browsers on their own) finds it."""

import defusedxml.ElementTree as ElementTree
import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

ICON_URL = "/static/web/favicon.svg"
ICON_LINK = f'<link rel="icon" href="{ICON_URL}" type="image/svg+xml">'


def test_the_icon_is_a_small_svg_in_our_static_files():
    path = finders.find("web/favicon.svg")
    assert path is not None
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 32 32"
    # Nothing an <img> of it would refuse under the CSP, nor anything fetched from elsewhere.
    text = open(path, encoding="utf-8").read()
    assert "<script" not in text and "style=" not in text and "href" not in text


def test_favicon_ico_redirects_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == ICON_URL
    assert "max-age=86400" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/", "/accounts/login/"])
def test_the_site_pages_link_the_icon(client, db, url):
    assert ICON_LINK in client.get(url).content.decode()


def test_the_admin_pages_link_the_icon(client, django_user_model):
    assert ICON_LINK in client.get(reverse("admin:login")).content.decode()
    client.force_login(django_user_model.objects.create_superuser(username="root", password="-"))
    assert ICON_LINK in client.get(reverse("admin:index")).content.decode()
