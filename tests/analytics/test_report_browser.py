"""Open the HTML report in headless Chromium and check the charts really rendered."""

from __future__ import annotations

import pytest


@pytest.mark.browser
@pytest.mark.parametrize("public", [False, True])
def test_report_charts_render_in_chromium(dec2017, tmp_path, cli, page, public):
    out = tmp_path / "report.html"
    args = ["disparities", str(dec2017), "--geo", "precinct", "--format", "html", "-o", str(out)]
    cli(*args, *(["--public"] if public else []))
    page.goto(out.as_uri())

    assert page.locator("h1").inner_text().startswith("Prostitution-related arrests")
    assert page.locator("#findings li").count() >= 4
    rates = page.locator("#race table").first.locator("tbody tr:not(.total) td:nth-child(5)")
    shown = sum(1 for i in range(rates.count()) if rates.nth(i).inner_text().strip())
    if public and shown == 0:
        # 160 arrests in December 2017: the protection rule hides every race group's count, so
        # the public copy draws no race chart and says why in the table instead.
        assert page.locator("#fig-rates-by-race").count() == 0
        assert page.locator("#fig-rri-by-race").count() == 0
        assert "suppressed" in page.locator("#race").inner_text()
        figures: tuple[str, ...] = ("rates-by-income", "map")
    else:
        figures = ("rates-by-race", "rri-by-race", "rates-by-income", "map")
    # Every chart is an inline SVG with a size on screen.
    for fig in figures:
        box = page.locator(f"#fig-{fig} svg").bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, fig
    if "rates-by-race" in figures:
        # Bars of the rate chart: one per race group whose rate the table shows, each drawn
        # with a non-zero size and to scale.
        bars = page.locator("#fig-rates-by-race svg g[id^='bar-']")
        assert bars.count() == shown and shown >= (1 if public else 5)
        for i in range(bars.count()):
            box = bars.nth(i).bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0
        if not public:
            widths = {bars.nth(i).get_attribute("id"): bars.nth(i).bounding_box()["width"]
                      for i in range(bars.count())}
            # Black residents' rate bar is longer than White residents'.
            assert widths["bar-black"] > widths["bar-white"]
            assert page.locator("#fig-rri-by-race svg g[id^='point-']").count() >= 3
    # Rate-ratio points and the map's areas are drawn.
    area = page.locator("#fig-map svg g#map-areas").bounding_box()
    assert area and area["width"] > 200 and area["height"] > 200
    # No script, no external resource: the file stands alone.
    assert page.locator("script").count() == 0
    assert page.locator("link[href^='http'], img[src^='http']").count() == 0
    if public:
        assert page.locator("td.sup").count() > 0
