import pytest

from fangkong.core.cast import PASSWORD, build_cast

pytestmark = pytest.mark.browser


@pytest.fixture
def city(transactional_db):
    return build_cast()


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_community_worker_searches_reveals_and_finds_the_reveal_in_history(
        city, live_server, page, screenshot):
    log_in(page, live_server, "wangge")
    page.click("text=居民")
    page.fill("input[name=q]", "张伟")
    page.click("button:has-text('搜索')")
    page.click("a:has-text('张伟')")

    masked = city.zhang.id_number[:6] + "********" + city.zhang.id_number[-4:]
    assert page.inner_text("#id-number") == masked
    assert city.zhang.id_number not in page.content()

    page.click("button[data-reveal=id_number]")
    page.wait_for_selector(".revealed")
    assert page.inner_text(".revealed") == city.zhang.id_number
    assert page.locator("button[data-reveal=id_number]").count() == 0
    screenshot("resident-revealed")

    page.reload()
    history = page.inner_text("#history")
    assert "查看证件信息" in history and "wangge" in history


def test_overview_drills_down_to_a_household(city, live_server, page, screenshot):
    log_in(page, live_server, "jiedao")
    page.click("header >> text=辖区概览")
    page.click("a:has-text('文远社区')")
    page.click("a:has-text('开发区小区')")
    page.click("a:has-text('1号楼')")
    crumbs = page.inner_text(".crumbs")
    assert "北城街道" in crumbs and "文远社区" in crumbs and "开发区小区" in crumbs
    assert "朔城区" not in crumbs  # above the user's area
    screenshot("overview-building")
