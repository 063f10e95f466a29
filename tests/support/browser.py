"""A real browser for the console tests: Debian's chromium, headless, driven by chromium-driver
through Selenium; screenshots go to test-artifacts/ (git-ignored) for people to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO_ROOT
from tests.support.tools import require_binary

ARTIFACTS = REPO_ROOT / "test-artifacts" / "console"


def chromium(width: int = 1366, height: int = 900) -> Any:
    """A headless chromium at a laptop's size (skipped locally, failed in CI, when missing)."""
    binary = require_binary("chromium")
    driver_path = require_binary("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the page's console
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


@pytest.fixture
def browser() -> Iterator[Any]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: Any, name: str, full: bool = False, height: int | None = None) -> Path:
    """The page as the user sees it, saved as test-artifacts/console/<name>.png; `full`: the
    whole page (the window stretched to its height for the shot), or `height` pixels of it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = driver.get_window_size()
    if full:
        height = int(driver.execute_script("return document.documentElement.scrollHeight")) + 120
    if height:
        driver.set_window_size(size["width"], min(height, 4000))
    try:
        assert driver.save_screenshot(str(path)), f"no screenshot of {name}"
    finally:
        if height:
            driver.set_window_size(size["width"], size["height"])
    return path


def console_errors(driver: Any) -> list[str]:
    """The page console's errors since the last call, but refused requests (the 4xx a test
    provokes on purpose): script errors, Content-Security-Policy violations."""
    return [
        e["message"]
        for e in driver.get_log("browser")
        if e["level"] == "SEVERE" and "the server responded with a status of 4" not in e["message"]
    ]
