"""Issue 19 in a real browser (Debian's chromium and chromedriver, driven by Selenium): load
the sample county, solve, ask why a village is short, pin a cadre, re-solve, see the diff,
accept, download plan.xlsx, and check that it verifies clean. Screenshots go to
``out/web-screenshots/`` for a person to look at."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

import pytest
from webkit import Served, sample_zip

import optimizer
from optimizer.web import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SHOTS = Path(__file__).resolve().parents[1] / "out" / "web-screenshots"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1800",
        "--lang=zh-CN",
    ):
        opts.add_argument(arg)
    opts.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("desk")
    app = create_app(workdir)
    server = Served(app)
    server.app = app
    yield server
    server.close()


def wait_for(driver, css: str, timeout: float = 120):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def test_eight_steps_in_a_real_browser(browser, served, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    d = browser
    zipped = tmp_path / "样例县.zip"
    zipped.write_bytes(sample_zip(rename=False))
    d.get(served.url + "/")
    assert "驻村第一书记和工作队选派" in d.page_source
    d.find_element(By.ID, "files").send_keys(str(zipped))
    d.find_element(By.ID, "upload").click()
    wait_for(d, "#check-ok")
    Select(d.find_element(By.NAME, "preset")).select_by_value("hebei-2018")
    date_box = d.find_element(By.NAME, "date")
    date_box.clear()
    date_box.send_keys("2026-09-01")
    date_box.submit()
    wait_for(d, "#check-ok")
    assert "各派出层级的合格人选" in d.page_source
    shot(d, "01-check")
    limit = d.find_element(By.ID, "time_limit")
    limit.clear()
    limit.send_keys("20")
    d.find_element(By.ID, "solve").click()
    live = wait_for(d, "#p-filled, #kpis")  # the job page, or already the plan
    if live.get_attribute("id") == "p-filled":
        WebDriverWait(d, 60).until(
            lambda drv: "536" in drv.find_element(By.CSS_SELECTOR, "#p-filled, #kpis").text
        )
        shot(d, "02-progress")
    wait_for(d, "#kpis")  # the job page follows the solve and opens the plan when done
    assert "未派满的村（2）" in d.page_source and "已派岗位" in d.page_source
    shot(d, "03-plan")

    d.find_element(By.CSS_SELECTOR, "a.why-village").click()
    why = wait_for(d, "#explanation").text
    assert "缺" in why and "T-UNIT" in why
    shot(d, "04-why-village")
    d.back()
    wait_for(d, "#roster")
    d.find_element(By.CSS_SELECTOR, "a.why-cadre").click()
    assert "派往" in wait_for(d, "#explanation").text
    d.back()
    wait_for(d, "#roster")

    d.find_element(By.CSS_SELECTOR, "#f-text").send_keys("第一书记")
    row = d.find_element(By.CSS_SELECTOR, "#roster tbody tr:not(.hidden)")
    row.find_element(By.CSS_SELECTOR, "button.pin").click()
    assert "指定派往" in wait_for(d, "#pins table").text
    shot(d, "05-pinned")
    d.find_element(By.ID, "resolve").click()
    wait_for(d, "#see-diff").click()
    moves = int(wait_for(d, "#n-moves").text)
    assert moves >= 0
    shot(d, "06-diff")
    d.find_element(By.ID, "accept").click()
    wait_for(d, "#kpis")
    assert "已采用" in d.page_source

    d.find_element(By.ID, "dl-xlsx").click()
    target = d.downloads / "plan.xlsx"
    end = time.monotonic() + 30
    # the browser may show the file before it has written all of it: wait for a whole zip
    while not (target.is_file() and zipfile.is_zipfile(target)) and time.monotonic() < end:
        time.sleep(0.2)
    assert target.is_file() and zipfile.is_zipfile(target)
    folder = tmp_path / "downloaded"
    folder.mkdir()
    shutil.copy(target, folder / "plan.xlsx")
    desk = served.app.state.desk
    dataset = desk.dataset_path(desk.store.datasets()[0].id)
    found = optimizer.verify_plan(dataset, folder, "hebei-2018", "2026-09-01")
    assert [v for v in found if v.severity == "hard"] == []
    d.get(served.url + "/")
    shot(d, "07-home")
