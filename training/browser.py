"""A headless Chromium for the HTML pages' tests and screenshots (Debian's ``chromium`` and
``chromium-driver``, driven by selenium); BrowserMissing says what is absent."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from typing import Iterator

from linesift.model.errors import LinesiftError

#: Where Debian puts them; $CHROMIUM and $CHROMEDRIVER override.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_NAMES = ("chromedriver",)
#: Window size of tests and screenshots (CSS pixels).
WINDOW = (1280, 900)


class BrowserMissing(LinesiftError):
    """No headless browser here: the reason names what to install."""


def _find(env: str, names: tuple[str, ...]) -> str | None:
    return os.environ.get(env) or next((p for p in map(shutil.which, names) if p), None)


@contextmanager
def headless_chromium(width: int = WINDOW[0], height: int = WINDOW[1]) -> Iterator:
    """A selenium driver for headless Chromium that records the console; closed on exit."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise BrowserMissing("selenium is not installed (pip install -e '.[dev]')") from None
    browser, driver_path = _find("CHROMIUM", CHROMIUM_NAMES), _find("CHROMEDRIVER", DRIVER_NAMES)
    if not browser or not driver_path:
        raise BrowserMissing("no chromium and chromedriver on PATH (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--disable-extensions", f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
    except WebDriverException as exc:
        raise BrowserMissing(f"{browser} would not start: {str(exc.msg or exc).splitlines()[0]}") from None
    try:
        driver.set_window_size(width, height)
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[str]:
    """Console messages at error level since the last call (script errors, CSP violations, ...)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
