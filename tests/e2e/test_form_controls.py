"""What axe does not measure: the borders that identify a form control have at least 3:1
contrast against the page (WCAG 1.4.11), in the browser, as styled."""

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

CONTRAST = """
(selector) => {
  const channel = (c) => { c = c / 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\\d+/g).map(Number);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  return [...document.querySelectorAll(selector)].map((el) => {
    const border = getComputedStyle(el).borderTopColor;
    const lighter = 1.0, darker = luminance(border);  // on the white page
    return (lighter + 0.05) / (darker + 0.05);
  });
}
"""


def test_form_control_borders_have_3_to_1_contrast(page, live_server):
    page.goto("/receipts/verify/")  # public, with the portal's (crispy) form controls
    ratios = page.evaluate(CONTRAST, "input.form-control, select.form-select, input.form-check-input")

    assert ratios, "no form controls found"
    assert min(ratios) >= 3, ratios
