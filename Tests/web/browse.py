#!/usr/bin/env python3
"""Drives the web UI of a live `mreg serve` in headless Chromium (Debian's chromium and
chromium-driver, through selenium): signs in, browses, sorts, opens a version and its JSON
twin, signs out; checks that forged forms are refused, that a token's model grant holds on the
pages, that every page is valid HTML (html5lib, strict) and logs no console error. Saves a
screenshot of each page. Exits non-zero with one line per failed check."""
import argparse
import http.cookiejar
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import html5lib
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAILED:", what, file=sys.stderr)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, session=None, data=None, headers=None):
    """status, body of a request without following redirects."""
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}))
    if session:
        request.add_header("Cookie", "mreg_session=" + session)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def valid_html(url, session, name):
    status, body = fetch(url, session)
    check(status == 200, f"{name}: {url} answered {status}")
    try:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(body)
    except Exception as error:  # html5lib raises ParseError with the position
        check(False, f"{name}: not valid HTML: {error}")


def fetch_json(url, session):
    status, body = fetch(url, session)
    check(status == 200, f"{url} answered {status}")
    return json.loads(body) if status == 200 else {}


def valid_html_page(driver, name):
    """The page the browser shows, as the server sent it (its source before any script ran)."""
    try:
        source = "<!DOCTYPE html>\n" + driver.execute_script("return document.documentElement.outerHTML")
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(source)
    except Exception as error:
        check(False, f"{name}: not valid HTML: {error}")


def console_errors(driver, name, status=None):
    """The console's errors since the last look; a page answered with an error status (401, 403)
    logs that status, which is then expected."""
    expected = f"the server responded with a status of {status}" if status else None
    severe = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE" and not (expected and expected in entry["message"])]
    check(not severe, f"{name}: console errors: {severe}")


# WCAG 2 contrast of every element that holds text of its own (outside the SVG drawings), against
# the first opaque background behind it: at least 4.5:1, or 3:1 for large text (24px, or 18.66px bold).
CONTRAST_SCRIPT = """
function channels(color) {
  const match = color.match(/rgba?\\(([^)]+)\\)/);
  return match ? match[1].split(',').map(parseFloat) : null;
}
function luminance(color) {
  const [r, g, b] = channels(color).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function background(element) {
  for (; element; element = element.parentElement) {
    const parts = channels(getComputedStyle(element).backgroundColor);
    if (parts && (parts.length < 4 || parts[3] > 0.5)) return getComputedStyle(element).backgroundColor;
  }
  return 'rgb(255, 255, 255)';
}
const failures = [];
let checked = 0;
for (const element of document.querySelectorAll('body *')) {
  if (element.closest('svg')) continue;
  if (![...element.childNodes].some(node => node.nodeType === 3 && node.textContent.trim())) continue;
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
  const [a, b] = [luminance(style.color), luminance(background(element))];
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const size = parseFloat(style.fontSize);
  const needed = size >= 24 || (parseInt(style.fontWeight) >= 700 && size >= 18.66) ? 3 : 4.5;
  checked += 1;
  if (ratio < needed) failures.push(element.tagName.toLowerCase() + ' "' + element.textContent.trim().slice(0, 40) + '" ' + ratio.toFixed(2) + ':1');
}
return [checked, failures];
"""


def readable_contrast(driver, name):
    checked, failures = driver.execute_script(CONTRAST_SCRIPT)
    check(checked > 5, f"{name}: the contrast check found only {checked} text elements")
    check(not failures, f"{name}: text below WCAG AA contrast: {failures[:5]}")


def navigated(driver, action, page_of=None):
    """Runs a click or a key that loads another page, and waits until it has (a click does not
    wait for the page it opens)."""
    # A mark on the old document's window: the new document's window has none. (Watching an
    # element go stale can fail inside Chrome while the old document is being replaced.)
    driver.execute_script("window.mregOldPage = true")
    action()
    WebDriverWait(driver, 10, ignored_exceptions=[WebDriverException]).until(
        lambda d: d.execute_script("return window.mregOldPage === undefined && document.readyState === 'complete'"))


def sign_in(driver, base, token):
    driver.get(base + "/ui/sign-in")
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    navigated(driver, lambda: field.send_keys(Keys.ENTER))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--reader-token", required=True, help="a reader granted other models than --model")
    parser.add_argument("--model", required=True)
    parser.add_argument("--versions", type=int, required=True)
    parser.add_argument("--production", type=int, required=True, help="the version holding production")
    parser.add_argument("--refused", type=int, required=True, help="a version the policy refuses for production")
    parser.add_argument("--file-digest", required=True, help="a file digest of the production version")
    parser.add_argument("--screenshots", required=True)
    arguments = parser.parse_args()
    base = arguments.url
    os.makedirs(arguments.screenshots, exist_ok=True)

    def shot(driver, name):
        """The whole page, however long: the window grows to it for the picture. Each page
        photographed also has its text's contrast checked."""
        readable_contrast(driver, name)
        size = driver.get_window_size()
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(size["width"], min(max(height + 140, 480), 4000))
        driver.save_screenshot(os.path.join(arguments.screenshots, name + ".png"))
        driver.set_window_size(size["width"], size["height"])

    driver = browser()
    try:
        # Not signed in: every page leads to the sign-in page, and back after it.
        driver.get(base + "/ui/models/" + arguments.model)
        check("/ui/sign-in?next=" in driver.current_url, f"not sent to sign in: {driver.current_url}")
        shot(driver, "sign-in")
        field = driver.find_element(By.ID, "token")
        field.send_keys("mreg_not-a-token")
        navigated(driver, lambda: field.send_keys(Keys.ENTER))
        check("unknown, expired or revoked" in driver.find_element(By.CSS_SELECTOR, "p.error").text, "a wrong token was not refused")
        console_errors(driver, "refused sign-in", status=401)
        field = driver.find_element(By.ID, "token")
        field.send_keys(arguments.admin_token)
        navigated(driver, lambda: field.send_keys(Keys.ENTER))
        check(driver.current_url == base + "/ui/models/" + arguments.model, f"not back where sign-in began: {driver.current_url}")
        session = driver.get_cookie("mreg_session")
        check(session is not None and session.get("httpOnly") and session.get("sameSite") == "Strict", f"session cookie: {session}")
        secret = session["value"] if session else ""
        check(arguments.admin_token not in json.dumps(driver.get_cookies()), "the token itself is kept in the browser")

        # Models: the list, search.
        driver.get(base + "/")
        check(driver.title == "Models · mreg", f"title {driver.title}")
        links = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "table.data tbody a")]
        check(arguments.model in links, f"models listed: {links}")
        shot(driver, "models")
        search = driver.find_element(By.ID, "q")
        search.send_keys("no-such-model-here")
        navigated(driver, lambda: search.send_keys(Keys.ENTER))
        check("No model matches" in driver.page_source, "a search that matches nothing says so")
        search = driver.find_element(By.ID, "q")
        search.clear()
        search.send_keys("owner=risk")
        navigated(driver, lambda: search.send_keys(Keys.ENTER))
        links = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "table.data tbody a")]
        check(links == [arguments.model], f"searching by the owner label lists {links}")
        valid_html(base + "/?q=zz", secret, "models page")
        console_errors(driver, "models page")

        # Model: versions, sorting, the chart, the timeline, the JSON twin.
        driver.get(base + "/")
        navigated(driver, driver.find_element(By.LINK_TEXT, arguments.model).click)
        check(driver.find_element(By.TAG_NAME, "h1").text == arguments.model, "model page heading")
        rows = driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr")
        check(len(rows) == min(arguments.versions, 50), f"{len(rows)} version rows")
        first = lambda: driver.find_element(By.CSS_SELECTOR, "#versions tbody tr td").text
        check(first() == str(arguments.versions), f"newest first: {first()}")
        driver.find_element(By.CSS_SELECTOR, "#versions thead th button").click()
        check(first() == "1", f"sorted ascending by version: {first()}")
        driver.find_element(By.CSS_SELECTOR, "#versions thead th button").click()
        check(first() == str(arguments.versions), f"sorted descending by version: {first()}")
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart polyline")) >= 1, "a metric chart is drawn")
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart path.production")) >= 1, "production's version is marked on the chart")
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart line.interval")) >= 2, "evaluations' intervals are drawn on their chart")
        timeline = driver.find_element(By.CSS_SELECTOR, "ol.timeline").text
        check("promote" in timeline and "production" in timeline, f"timeline: {timeline}")
        shot(driver, "model")
        valid_html(driver.current_url, secret, "model page")
        console_errors(driver, "model page")
        # Choose the metric columns: only the evaluated ROC AUC.
        driver.find_element(By.CSS_SELECTOR, "details.choose summary").click()
        for box in driver.find_elements(By.CSS_SELECTOR, "details.choose input[type=checkbox]"):
            if (box.get_attribute("value") == "train.roc_auc") != box.is_selected():
                box.click()
        navigated(driver, driver.find_element(By.ID, "choose-metrics").click)
        headers = [th.text.strip(" ▲▼") for th in driver.find_elements(By.CSS_SELECTOR, "#versions thead th")]
        check(headers[-1] == "train.roc_auc" and "holdout.auc" not in headers, f"the chosen metric columns: {headers}")
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart")) == 1, "one chart for the one metric chosen")
        valid_html(driver.current_url, secret, "model page with chosen columns")

        # What was live at a moment: before any promotion nothing, now production.
        field = driver.find_element(By.ID, "at")
        driver.execute_script("arguments[0].value = '2000-01-01T00:00:00'", field)
        navigated(driver, field.find_element(By.XPATH, "following-sibling::button").click)
        check("No alias named a version yet" in driver.find_element(By.CSS_SELECTOR, ".then").text, "nothing was live in 2000")
        field = driver.find_element(By.ID, "at")
        driver.execute_script("arguments[0].value = '2099-01-01T00:00:00'", field)
        navigated(driver, field.find_element(By.XPATH, "following-sibling::button").click)
        check(f"{arguments.model}@{arguments.production}" in driver.find_element(By.CSS_SELECTOR, ".then").text, "production as of now")
        valid_html(driver.current_url, secret, "model page at a moment")
        driver.get(base + "/ui/models/" + arguments.model)
        # Keyboard: the first Tab reaches the skip link.
        driver.refresh()
        ActionChains(driver).send_keys(Keys.TAB).perform()
        check(driver.switch_to.active_element.get_attribute("class") == "skip", "the first Tab reaches 'Skip to content'")
        # A phone-width screen scrolls tables inside their box, not the page.
        driver.set_window_size(390, 844)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        check(width <= 390, f"the page is {width}px wide on a 390px screen")
        shot(driver, "model-phone")
        driver.set_window_size(1280, 1000)

        # Version: files with digests, the JSON twin opens with the session.
        navigated(driver, driver.find_element(By.LINK_TEXT, f"v{arguments.production}").click)
        check(driver.find_element(By.TAG_NAME, "h1").text == f"{arguments.model}@{arguments.production}", "version page heading")
        check(arguments.file_digest in driver.find_element(By.ID, "files-heading").find_element(By.XPATH, "..").text, "the file's digest is shown")
        groups = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.slices tbody tr")]
        check(len(groups) == 3 and groups[0].startswith("north 150") and groups[2].startswith("Largest gap"), f"the evaluation's groups: {groups}")
        columns = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.columns tbody tr")]
        check(any(text.startswith("x integer") for text in columns), f"the training data's column statistics: {columns}")
        # Text from the registry is text: a description holding markup shows as written.
        check("<img src=x onerror=alert(1)>" in driver.find_element(By.TAG_NAME, "main").text, "the description's markup is shown as text")
        check(not driver.find_elements(By.CSS_SELECTOR, "main img"), "the description's markup became an element")
        root = driver.find_elements(By.CSS_SELECTOR, "svg.lineage .root")
        check(len(root) == 1 and f"{arguments.model}@{arguments.production}" in root[0].text, "the lineage graph has the version as its root")
        parent = f"/ui/models/{arguments.model}/versions/{arguments.production - 1}"
        linked = [a.get_dom_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "svg.lineage a.version")]
        check(any(href and href.endswith(parent) for href in linked), f"the lineage links the parent {parent}: {linked}")
        check(driver.find_elements(By.CSS_SELECTOR, "svg.lineage .dataset") and driver.find_elements(By.CSS_SELECTOR, "svg.lineage .commit"),
              "the lineage shows the dataset and the commit")
        check(driver.find_elements(By.CSS_SELECTOR, ".verdict.valid"), "the trusted signature verifies")
        intervals = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#evaluations-heading ~ table td:nth-child(4)")]
        check(any("–" in text and text != "–" for text in intervals), f"an evaluation's interval: {intervals}")
        shot(driver, "version")
        valid_html(driver.current_url, secret, "version page")
        console_errors(driver, "version page")
        version_page = driver.current_url

        # Recorded drift reports: newest first, each with its verdict, each a page of its own.
        reports = driver.find_elements(By.CSS_SELECTOR, "#drift-reports tbody tr")
        check(len(reports) == 2 and "1 of 3 flagged" in reports[0].text and "stable" in reports[1].text,
              f"the recorded drift reports: {[row.text for row in reports]}")
        navigated(driver, reports[0].find_element(By.TAG_NAME, "a").click)
        heading = driver.find_element(By.TAG_NAME, "h1").text
        check(heading.startswith("Drift report #") and heading.endswith(f"of {arguments.model}@{arguments.production}"), f"the drift report's heading: {heading}")
        flagged = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#drift-columns tr.flagged")]
        check(len(flagged) == 1 and flagged[0].startswith("region") and "new" in flagged[0], f"the flagged column: {flagged}")
        check("1 of 3 columns flagged: region" in driver.find_element(By.CSS_SELECTOR, ".verdict-line").text, "the report's verdict")
        shot(driver, "drift")
        valid_html(driver.current_url, secret, "drift page")
        console_errors(driver, "drift page")
        navigated(driver, driver.find_element(By.CSS_SELECTOR, "footer a").click)
        twin = json.loads(driver.find_element(By.TAG_NAME, "body").text)
        check(twin.get("recorded", {}).get("id") and twin.get("against") == "train", f"the drift report's JSON twin: {str(twin)[:200]}")
        driver.get(version_page)

        # Compare with the version before: metrics with their change, parameters that changed.
        navigated(driver, driver.find_element(By.ID, "compare-with").find_element(By.XPATH, "following-sibling::button").click)
        before = arguments.production - 1
        check(driver.find_element(By.TAG_NAME, "h1").text == f"{arguments.model}@{before} → {arguments.model}@{arguments.production}", "the diff's heading")
        auc = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#diff-metrics tbody tr") if row.text.startswith("holdout.auc")]
        check(auc and "+0.01" in auc[0], f"the metric's change: {auc}")
        check(driver.find_elements(By.CSS_SELECTOR, "#diff-metrics td.up"), "a rise is marked up")
        check(any("lr" in row.text for row in driver.find_elements(By.CSS_SELECTOR, "#diff-params tbody tr")), "the changed parameter is listed")
        significance = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#diff-significance tbody tr") if row.text.startswith("roc_auc")]
        check(significance and "significantly better" in significance[0], f"the paired comparison on the kept predictions: {significance}")
        shot(driver, "diff")
        valid_html(driver.current_url, secret, "diff page")
        console_errors(driver, "diff page")
        driver.get(version_page)
        navigated(driver, driver.find_element(By.CSS_SELECTOR, "footer a").click)
        twin = json.loads(driver.find_element(By.TAG_NAME, "body").text)
        check(twin.get("reference") == f"{arguments.model}@{arguments.production}", f"the JSON twin: {str(twin)[:200]}")

        # A forced promotion without a reason, sent past the browser, is refused by the server.
        driver.get(base + "/")
        form_key = driver.find_element(By.CSS_SELECTOR, "form.who input[name=form_key]").get_attribute("value")
        forced = {"form_key": form_key, "ref": f"{arguments.model}@{arguments.refused}", "to": "production", "force": "true", "step": "confirm"}
        status, body = fetch(base + "/ui/actions/promote", secret, data=urllib.parse.urlencode(forced).encode())
        check(status == 400 and "--force needs --reason" in body, f"forcing without a reason answered {status}")

        # Promote through the gate report: a version below the policy's bar is refused (forcing
        # is offered, with a reason); the newest passes, and the move lands on the timeline.
        newest = arguments.versions
        driver.get(f"{base}/ui/models/{arguments.model}/versions/{arguments.refused}")
        navigated(driver, driver.find_element(By.ID, "check-gates").click)
        verdict = driver.find_element(By.CSS_SELECTOR, ".verdict-line").text
        check("Refused: a gate did not pass" in verdict, f"a version below the bar is refused: {verdict}")
        console_errors(driver, "refused gate report", status=409)
        check(len(driver.find_elements(By.ID, "force")) == 1 and not driver.find_elements(By.ID, "confirm"), "forcing, not confirming, is offered")
        shot(driver, "gates-refused")
        valid_html_page(driver, "refused gate report")
        # Forcing, offered under the report, needs a reason (the browser asks for one first).
        driver.find_element(By.ID, "force").click()
        check("/ui/actions/promote" in driver.current_url and driver.find_element(By.ID, "force-reason").get_attribute("validationMessage"),
              "forcing without a reason was sent")
        driver.find_element(By.ID, "force-reason").send_keys("hotfix for the outage")
        navigated(driver, driver.find_element(By.ID, "force").click)
        latest = driver.find_element(By.CSS_SELECTOR, "ol.timeline li")
        check("forced" in latest.get_attribute("class") and "hotfix for the outage" in latest.text and f"→ v{arguments.refused}" in latest.text,
              f"the forced move on the timeline: {latest.text}")
        driver.get(f"{base}/ui/models/{arguments.model}/versions/{newest}")
        driver.find_element(By.ID, "promote-reason").send_keys("beats v4 on holdout")
        navigated(driver, driver.find_element(By.ID, "check-gates").click)
        verdict = driver.find_element(By.CSS_SELECTOR, ".verdict-line").text
        check(f"would move from v{arguments.refused} to v{newest}" in verdict, f"the dry run's verdict: {verdict}")
        check(fetch_json(base + f"/v1/list?model={arguments.model}", secret)["aliases"].get("production") == arguments.refused,
              "the dry run moved nothing")
        shot(driver, "gates")
        valid_html_page(driver, "gate report")
        navigated(driver, driver.find_element(By.ID, "confirm").click)
        check(driver.current_url.startswith(base + "/ui/models/" + arguments.model), f"after promoting: {driver.current_url}")
        latest = driver.find_element(By.CSS_SELECTOR, "ol.timeline li").text
        check(f"→ v{newest}" in latest and "beats v4 on holdout" in latest and "(was v2)" in latest, f"the timeline's newest entry: {latest}")
        check(fetch_json(base + f"/v1/list?model={arguments.model}", secret)["aliases"].get("production") == newest, "production moved")
        console_errors(driver, "after promoting")

        # Roll back production from the model page, then deprecate the version it left.
        driver.find_element(By.ID, "rollback-production").send_keys("v6 regressed in canary")
        navigated(driver, driver.find_element(By.ID, "rollback-production").find_element(By.XPATH, "following-sibling::button").click)
        latest = driver.find_element(By.CSS_SELECTOR, "ol.timeline li")
        check("rollback" in latest.get_attribute("class") and "v6 regressed in canary" in latest.text and f"→ v{arguments.refused}" in latest.text,
              f"the rollback on the timeline: {latest.text}")
        driver.get(f"{base}/ui/models/{arguments.model}/versions/{newest}")
        driver.find_element(By.ID, "deprecate-reason").send_keys("superseded")
        navigated(driver, driver.find_element(By.ID, "deprecate-reason").find_element(By.XPATH, "following-sibling::button").click)
        check(driver.find_element(By.CSS_SELECTOR, ".summary .status").text == "deprecated", "the version shows as deprecated")
        check(not driver.find_elements(By.ID, "deprecate-reason"), "a deprecated version offers no second deprecation")

        # Forged forms are refused and change nothing.
        status, _ = fetch(base + "/ui/actions/rollback", secret, data=f"model={arguments.model}&alias=production&reason=x".encode())
        check(status == 403, f"a rollback without the form's key answered {status}")
        check(fetch_json(base + f"/v1/list?model={arguments.model}", secret)["aliases"].get("production") == arguments.refused,
              "a forged rollback moved production")
        status, _ = fetch(base + "/ui/sign-out", secret, data=b"form_key=wrong")
        check(status == 403, f"sign-out without the form's key answered {status}")
        driver.get(base + "/")
        form_key = driver.find_element(By.CSS_SELECTOR, "form.who input[name=form_key]").get_attribute("value")
        status, _ = fetch(base + "/ui/sign-out", secret, data=f"form_key={form_key}".encode(), headers={"Origin": "http://evil.example"})
        check(status == 403, f"sign-out from another site answered {status}")
        check(fetch(base + "/", secret)[0] == 200, "the session still works after forged sign-outs")
        status, _ = fetch(base + "/ui/sign-in", data=urllib.parse.urlencode({"token": arguments.admin_token, "form_key": "x"}).encode())
        check(status == 403, f"a sign-in without the form's cookie answered {status}")

        # Sign out: the session ends on the server, not only in the browser.
        navigated(driver, driver.find_element(By.CSS_SELECTOR, "form.who button").click)
        check(driver.current_url.startswith(base + "/ui/sign-in"), f"after sign-out: {driver.current_url}")
        status, _ = fetch(base + "/", secret)
        check(status == 303, f"the ended session's cookie still opened a page ({status})")

        # A reader granted other models sees neither this model nor its pages.
        sign_in(driver, base, arguments.reader_token)
        links = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "table.data tbody a")]
        check(arguments.model not in links, f"a reader of other models sees {links}")
        navigated(driver, driver.find_element(By.LINK_TEXT, "fraud-eu").click)
        navigated(driver, driver.find_element(By.CSS_SELECTOR, "#versions tbody a").click)
        check(not driver.find_elements(By.CSS_SELECTOR, "form.action"), "a reader is shown no action")
        reader_key = driver.find_element(By.CSS_SELECTOR, "form.who input[name=form_key]").get_attribute("value")
        reader_session = driver.get_cookie("mreg_session")["value"]
        status, body = fetch(base + "/ui/actions/deprecate", reader_session, data=f"form_key={reader_key}&ref=fraud-eu@1&reason=x".encode())
        check(status == 403 and "needs the promoter role" in body, f"a reader's deprecation answered {status}")
        driver.get(base + "/ui/models/" + arguments.model)
        check("may act on models" in driver.find_element(By.CSS_SELECTOR, "p.error").text, "a page of a model not granted is refused")
        shot(driver, "refused")
        console_errors(driver, "refused page", status=403)
    finally:
        driver.quit()
    print(f"{len(failures)} failed checks" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
