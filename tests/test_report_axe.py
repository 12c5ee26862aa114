# ruff: noqa: F811  (the browser fixtures are imported from test_report_browser)
"""Accessibility as a gate: axe-core (a real accessibility engine, vendored from npm under
tests/vendor/axe-core with its MPL-2.0 licence) runs inside the report in headless Chromium, on the
seeds report and a 3,000-comment report, at desktop and phone widths, with decisions made (decided
queue items keep their contrast), a comment open and the help dialog open. No serious or critical
violation may remain. Refresh the vendored file with `npm install axe-core` and copy
node_modules/axe-core/axe.min.js."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_report import synthetic
from moderation.report import render_report
from tests.report_fixtures import review_records
from tests.test_report import score_to
from tests.test_report_browser import CHROMIUM, browser  # noqa: F401 (fixture)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not AXE.exists(), reason="needs tests/vendor/axe-core/axe.min.js (npm install axe-core)"),
]
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


def violations(page) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))  # the report's CSP does not bind scripts the driver injects
    found = page.evaluate(
        """async () => { const r = await axe.run(document, { resultTypes: ['violations'] });
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ' (' + v.impact + '): ' +
                   v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')); }"""
    )
    return found


def check(browser, path: Path, size: str) -> list[str]:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-ready]")
    found = [f"start: {v}" for v in violations(page)]
    for key in ("j", "r", "j", "a", "j", "e", "j"):  # three decided items, a fourth open
        page.keyboard.press(key)
    page.locator("#queue .qi .pick").first.check()
    page.keyboard.press("o")
    found += [f"reviewing: {v}" for v in violations(page)]
    page.keyboard.press("?")
    found += [f"help open: {v}" for v in violations(page)]
    context.close()
    return found


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory) -> Path:
    from tests.conftest import SEEDS

    return score_to(SEEDS, tmp_path_factory.mktemp("axe-seeds")) / "report.html"


@pytest.fixture(scope="module")
def large_report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("axe-large") / "report.html"
    path.write_text(render_report(*synthetic(3000)), encoding="utf-8")
    return path


@pytest.mark.parametrize("size", SIZES)
def test_seeds_report_has_no_serious_violations(browser, seeds_report, size):
    assert check(browser, seeds_report, size) == []


@pytest.mark.parametrize("size", SIZES)
def test_large_report_has_no_serious_violations(browser, large_report, size):
    assert check(browser, large_report, size) == []


@pytest.mark.parametrize("size", SIZES)
def test_review_fixture_has_no_serious_violations(browser, tmp_path, size):
    path = tmp_path / "report.html"
    path.write_text(render_report(*review_records()), encoding="utf-8")
    assert check(browser, path, size) == []
