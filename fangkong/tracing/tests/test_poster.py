"""Staff print a venue's QR poster: the code leads to the venue's check-in page; PNG, PDF
and a printable page; venues outside the user's area are not found; roles without the
places permission are refused."""

import struct

import pytest
from django.urls import reverse

from fangkong.places.services import venue_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def venues(cast):
    inside = venue_create(acting_user=None, place=cast.compound, name="开发区超市",
                          kind="supermarket")
    outside = venue_create(acting_user=None, place=cast.xinjian_compound, name="新建菜市场",
                           kind="market")
    return inside, outside


def poster(venue, fmt):
    return reverse("tracing:poster", kwargs={"code": venue.code, "fmt": fmt})


def test_the_png_is_a_square_qr_code_image(cast, venues, login):
    response = login(cast.wangge).get(poster(venues[0], "png"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", response.content[16:24])  # the IHDR chunk
    assert width == height > 200


def test_the_pdf_is_a_pdf(cast, venues, login):
    response = login(cast.wangge).get(poster(venues[0], "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_printable_poster_names_the_venue_and_its_check_in_address(cast, venues, login):
    venue = venues[0]
    body = login(cast.wangge).get(reverse("tracing:poster_page",
                                          kwargs={"code": venue.code})).content.decode()
    assert venue.name in body and venue.code in body
    assert f"http://testserver/tracing/c/{venue.code}/" in body
    assert 'src="data:image/svg+xml' in body and "@media print" in body


def test_a_venue_outside_the_users_area_has_no_poster(cast, venues, login):
    client = login(cast.wangge)
    outside = venues[1]
    assert client.get(poster(outside, "png")).status_code == 404
    assert client.get(poster(outside, "pdf")).status_code == 404
    assert client.get(reverse("tracing:poster_page",
                              kwargs={"code": outside.code})).status_code == 404
    assert client.get(poster(venues[0], "svgz")).status_code == 404


def test_the_venue_list_shows_the_users_area_only(cast, venues, login,
                                                  django_assert_max_num_queries):
    client = login(cast.wangge)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("tracing:venues")).content.decode()
    assert venues[0].name in body and poster(venues[0], "pdf") in body
    assert venues[1].name not in body
    body = login(cast.wangge2).get(reverse("tracing:venues")).content.decode()
    assert venues[1].name in body and venues[0].name not in body


@pytest.mark.parametrize("username", ["jumin", "jiance"])
def test_residents_and_laboratories_cannot_open_the_venue_list(cast, venues, login, username):
    client = login(getattr(cast, username))
    assert client.get(reverse("tracing:venues")).status_code == 403
    assert client.get(poster(venues[0], "png")).status_code == 403


def test_anonymous_staff_pages_ask_to_log_in(cast, venues, client):
    response = client.get(poster(venues[0], "png"))
    assert response.status_code == 302 and "/login/" in response["Location"]
