import pytest

from fangkong.core.cast import build_cast, build_outbreak
from fangkong.testing.models import Sample, Tube, TubeStatus
from fangkong.testing.tests.util import mass_testing
from tests.browser.test_registry_reveal import log_in

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390


@pytest.fixture
def t(transactional_db, profiles):
    cast = build_cast()
    build_outbreak(cast)
    return mass_testing(cast)


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def scan(page, selector, text):
    """What a scanner does: type into the focused input, then Enter."""
    page.fill(selector, text)
    page.press(selector, "Enter")


def test_sampler_opens_a_tube_adds_people_is_refused_a_second_sample_and_closes_it(
        t, live_server, page, screenshot):
    c = t.cast
    log_in(page, live_server, "caiyang")
    page.goto(f"{live_server.url}/testing/sampler/")
    page.check(f"#choose-form input[value='{t.site.uuid}']")
    page.check(f"#choose-form input[value='{t.round.uuid}']")
    page.click("#choose-form button[type=submit]")
    page.wait_for_selector("#open-form #id_barcode:focus")
    assert t.venue.name in page.inner_text("#where")
    assert fits_the_phone(page)

    page.evaluate("window.samePage = true")  # htmx swaps the panel: the page stays
    scan(page, "#id_barcode", "SZ0901")
    page.wait_for_selector("#tube[data-barcode=SZ0901]")
    page.wait_for_selector("#add-form #id_id_number:focus")  # the page is ready for a person
    scan(page, "#id_id_number", c.zhang.id_number)
    page.wait_for_selector("#tube-count:has-text('1 / 10')")
    scan(page, "#id_id_number", c.li.id_number)
    page.wait_for_selector("#tube-count:has-text('2 / 10')")
    members = page.inner_text("#members")
    assert "张伟" in members and "李娜" in members
    assert fits_the_phone(page)

    scan(page, "#id_id_number", c.zhang.id_number)
    page.wait_for_selector("#add-errors")
    assert "SZ0901" in page.inner_text("#add-errors")
    assert page.input_value("#id_id_number") == c.zhang.id_number
    assert page.inner_text("#tube-count") == "2 / 10"
    assert page.evaluate("window.samePage === true")  # the refusal (400) was swapped in too
    assert fits_the_phone(page)
    screenshot("sampler_refusal")

    page.select_option("#id_building", str(c.building1.uuid))  # lists its units at once
    page.wait_for_selector(f"#id_unit option[value='{c.unit1.uuid}']", state="attached")
    page.select_option("#id_unit", str(c.unit1.uuid))
    page.wait_for_selector(f"#unit-people li[data-person='{c.wang.uuid}']")
    assert "张伟" not in page.inner_text("#unit-people")  # sampled already
    page.click(f"#unit-people li[data-person='{c.wang.uuid}'] button")
    page.wait_for_selector("#tube-count:has-text('3 / 10')")
    assert fits_the_phone(page)

    page.click("#close-form button[type=submit]")
    page.wait_for_selector("#open-form #id_barcode")
    page.wait_for_selector("#notice:has-text('SZ0901')")
    tube = Tube.objects.get(barcode="SZ0901")
    assert tube.status == TubeStatus.CLOSED and tube.size == 3
    assert Sample.objects.filter(tube=tube).count() == 3
    assert fits_the_phone(page)
