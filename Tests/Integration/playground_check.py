"""The playground page at GET / in a real browser: Debian's chromium through chromium-driver and Selenium.

Starts the lstm-serve binary on a free loopback port, loads `/`, types a review and submits it from the keyboard
(Ctrl+Enter), and checks what a person sees against what the API answers for the same text: the label, the score,
the score bar and, when the server explains scores, each word coloured by the change it caused. Then the same at
360 px wide (a phone, emulated), submitting with an example button pressed from the keyboard. Screenshots of both
go to --screenshots. Every request the browser made must be to the server's own origin, the page must name no
other, the browser console must hold no error (a Content-Security-Policy refusal is one), and nothing may need
horizontal scrolling at 360 px.

    LSTM_SERVE=.build/release/lstm-serve .venv-ci/bin/python Tests/Integration/playground_check.py \
        [--screenshots DIR] [--readme-image docs/images/playground.png]
"""

import argparse
import json
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from orchestration import Failure, Replica, free_port, lstm_serve_binary, run

REVIEW = "A wonderful, moving film. The acting is superb, but the ending drags a little."


def check(condition, message):
    if not condition:
        raise Failure(message)


def post_json(origin, body):
    """POST /classify straight to the server: (status, JSON answer)."""
    request = urllib.request.Request(
        origin + "/classify", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def expected_answer(origin, text):
    """What the API answers for `text`: with its explanation where the server gives one, as the page asks."""
    status, answer = post_json(origin, {"text": text, "explain": True})
    if status == 400:
        status, answer = post_json(origin, {"text": text})
    check(status == 200, f"POST /classify answered {status}: {answer}")
    return answer


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1300",
                 # No background traffic of the browser's own (updates, safe browsing) in the request log.
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for(driver, condition, what, timeout=15):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: condition(d))
    except Exception as error:  # TimeoutException, or a stale element while the page re-renders
        raise Failure(f"timed out after {timeout} s waiting for {what} ({type(error).__name__})") from None


def wait_for_result(driver, text, what):
    """Waits until the page shows the result for `text` (its curl command names it and the score is shown)."""
    quoted = json.dumps(text, ensure_ascii=False)[1:-1]
    wait_for(driver, lambda d: quoted in d.find_element(By.ID, "curl").text
             and d.find_elements(By.ID, "score") and not d.find_element(By.ID, "classify").get_property("disabled"),
             what)


def check_result(driver, text, answer, width):
    """The label, score, bar and words on the page against the API's answer for `text`."""
    where = f"at {width} px"
    label = driver.find_element(By.ID, "label").text
    expected_label = "No label" if answer["label"] is None else answer["label"]
    check(label == expected_label, f"{where}: the page shows label {label!r}, the API {expected_label!r}")
    score = driver.find_element(By.ID, "score").text
    check(score == f"{answer['score']:.3f}", f"{where}: the page shows score {score}, the API {answer['score']}")
    bar = driver.find_element(By.ID, "bar")
    check(abs(float(bar.get_attribute("aria-valuenow")) - answer["score"]) < 1e-6, f"{where}: the bar's aria-valuenow")
    fill = driver.find_element(By.ID, "bar-fill")
    ratio = fill.size["width"] / max(bar.size["width"] - 2, 1)  # the bar's 1 px border on each side
    check(abs(ratio - answer["score"]) < 0.02, f"{where}: the bar is filled {ratio:.3f}, the score is {answer['score']}")
    check(bar.is_displayed() and fill.is_displayed(), f"{where}: the score bar is not shown")
    summary = driver.find_element(By.ID, "summary")
    check(summary.get_attribute("aria-live") == "polite", f"{where}: the result is not announced (aria-live)")

    explanation = answer.get("explanation")
    if explanation is None:
        # A server without explanations: the page says so and colours nothing.
        check(driver.find_element(By.ID, "no-explanation").is_displayed(), f"{where}: no note that words are not coloured")
        check(not driver.find_element(By.ID, "explanation").is_displayed(), f"{where}: words shown without an explanation")
        return False
    spans = driver.find_elements(By.CSS_SELECTOR, "#words .w")
    words = explanation["words"]
    check(len(spans) == len(words), f"{where}: {len(spans)} coloured words on the page, {len(words)} in the explanation")
    characters = list(text)  # offsets are code points, as Python indexes a str
    for span, word in zip(spans, words):
        shown = span.get_attribute("textContent").rstrip("▲▼")
        check(shown == "".join(characters[word["start"]:word["end"]]), f"{where}: word {shown!r} is not {word}")
        classes = span.get_attribute("class").split()
        kind = ("unknown" if not word["recognized"] else "flat" if abs(word["change"]) < 0.01
                else "up" if word["change"] >= 0 else "down")
        check(kind in classes, f"{where}: {shown!r} (change {word['change']}) has classes {classes}, not {kind!r}")
        # Not by colour alone: the change is in the title, and the underline style and arrow differ by kind.
        check(f"{abs(word['change']):.3f}" in span.get_attribute("title"), f"{where}: {shown!r}'s title has no change")
        if word["recognized"]:
            colour = span.value_of_css_property("background-color")
            check(colour not in ("rgba(0, 0, 0, 0)", "transparent"), f"{where}: {shown!r} is not coloured")
    check(driver.find_element(By.CSS_SELECTOR, ".legend").is_displayed(), f"{where}: no legend")
    movers = driver.find_element(By.ID, "movers").text
    check(movers.startswith("Largest changes") or movers.startswith("No word changed"), f"{where}: no changes in words")
    return True


def check_no_horizontal_scroll(driver, width):
    client, scroll = driver.execute_script(
        "return [document.documentElement.clientWidth, document.documentElement.scrollWidth]")
    check(client <= width, f"the viewport is {client} px wide, not {width}")
    check(scroll <= client, f"at {width} px the page is {scroll} px wide: it scrolls sideways")


def requested_urls(driver):
    """Every URL the browser asked for, from the DevTools network events in the performance log."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screenshots", help="directory for the screenshots (default: a temporary one, removed)")
    parser.add_argument("--readme-image", help="also copy the desktop screenshot here")
    arguments = parser.parse_args()

    binary = lstm_serve_binary()
    work = Path(tempfile.mkdtemp(prefix="lstm-serve-playground-"))
    shots = Path(arguments.screenshots) if arguments.screenshots else work
    shots.mkdir(parents=True, exist_ok=True)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    replica = Replica(binary, port, work, "playground")
    driver = None
    try:
        replica.start()
        with urllib.request.urlopen(origin + "/", timeout=10) as response:
            page = response.read().decode()
            policy = response.headers["Content-Security-Policy"]
        # The page names no other origin: no http(s) URL, no protocol-relative URL, no @import or url() to fetch.
        external = re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}|@import|(?<![A-Za-z])url\(", page)
        check(not external, f"the page refers to other origins or fetches: {external}")
        check(policy and "default-src 'none'" in policy and "unsafe-inline" not in policy, f"weak CSP: {policy}")
        with urllib.request.urlopen(origin + "/v1/models", timeout=10) as response:
            model = json.loads(response.read())["models"][0]

        driver = browser()
        started = time.monotonic()
        driver.get(origin + "/")
        wait_for(driver, lambda d: d.find_element(By.ID, "model").text.endswith(model["sha256"]), "the model's checksum")
        check(model["name"] in driver.find_element(By.ID, "model").text, "the model's name is not shown")

        # Desktop: type a review and submit it with Ctrl+Enter from the text box.
        box = driver.find_element(By.ID, "review")
        check(driver.find_element(By.CSS_SELECTOR, "label[for=review]").text, "the text box has no label")
        box.clear()
        box.send_keys(REVIEW)
        box.send_keys(Keys.CONTROL, Keys.ENTER)
        wait_for_result(driver, REVIEW, "the result of the typed review")
        explained = check_result(driver, REVIEW, expected_answer(origin, REVIEW), 1200)
        # The button is next in the tab order after the text box.
        box.send_keys(Keys.TAB)
        check(driver.switch_to.active_element.get_attribute("id") == "classify", "Tab from the text box does not reach Classify")
        check(f"{origin}/classify" in driver.find_element(By.ID, "curl").text, "the curl command does not name /classify")
        driver.find_element(By.ID, "copy").click()
        wait_for(driver, lambda d: d.find_element(By.ID, "copy-status").text in ("Copied.", "Selected: press Ctrl+C to copy."),
                 "the copy button to copy or select the command")
        driver.save_screenshot(str(shots / "playground-desktop.png"))

        # A phone, 360 px wide: press an example button from the keyboard.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 360, "height": 1400, "deviceScaleFactor": 2, "mobile": True})
        example = next(b for b in driver.find_elements(By.CSS_SELECTOR, "#examples button") if b.text == "Scathing")
        driver.execute_script("arguments[0].focus()", example)
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        text = box.get_property("value")
        check(text.startswith("Dull"), f"the example did not fill the text box: {text!r}")
        wait_for_result(driver, text, "the result of the example review")
        check_result(driver, text, expected_answer(origin, text), 360)
        check_no_horizontal_scroll(driver, 360)
        driver.save_screenshot(str(shots / "playground-360px.png"))

        urls = requested_urls(driver)
        foreign = [url for url in urls if not (url.startswith(origin + "/") or url.startswith("data:"))]
        check(not foreign, f"requests left the origin: {foreign}")
        check(any(url == origin + "/classify" for url in urls), f"no request to /classify was seen: {urls}")
        errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        if not explained:
            # The page's one question to a server without explanations, refused with 400 and asked again without.
            refused = f"{origin}/classify - Failed to load resource: the server responded with a status of 400"
            errors = [message for message in errors if not message.startswith(refused)]
        check(not errors, f"the browser console has errors: {errors}")
        if arguments.readme_image:
            shutil.copyfile(shots / "playground-desktop.png", arguments.readme_image)
        colouring = "coloured words checked" if explained else "server gives no explanation: colouring not checked"
        print(f"playground: desktop and 360 px passed in {time.monotonic() - started:.1f} s ({len(urls)} requests, all to "
              f"{origin}; {colouring})" + (f"; screenshots in {shots}" if arguments.screenshots else ""))
    finally:
        if driver is not None:
            driver.quit()
        replica.kill()
        if not arguments.screenshots:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run(main)
