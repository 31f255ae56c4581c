"""What the browser tests share: results, Chromium through selenium, forms, and a real
`fairdesk serve` on free loopback ports with a fresh data directory."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

RESULTS = []


def check(name, condition, detail=""):
    RESULTS.append((name, bool(condition)))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f"  ({detail})"), flush=True)
    return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser(height=900):
    """Headless Debian Chromium; the console is kept, to catch CSP violations."""
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size=1280,{height}",
                     "--disable-gpu", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if os.path.exists("/usr/bin/chromium"):
        options.binary_location = "/usr/bin/chromium"
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.implicitly_wait(3)
    return driver


def submit(form, button_css="button[type=submit], input[type=submit]"):
    """Submits and waits until the browser shows the page that answered."""
    driver = form.parent
    page = driver.find_element(By.TAG_NAME, "html")
    form.find_element(By.CSS_SELECTOR, button_css).click()
    WebDriverWait(driver, 20).until(expected_conditions.staleness_of(page))


def form_for(driver, action_suffix):
    for form in driver.find_elements(By.TAG_NAME, "form"):
        if (form.get_attribute("action") or "").endswith(action_suffix):
            return form
    raise NoSuchElementException(f"no form posting to …{action_suffix} on {driver.current_url}")


def csp_violations(driver):
    try:
        entries = driver.get_log("browser")
    except Exception:  # a driver without the log: nothing to say
        return []
    return [e["message"] for e in entries if "Content Security Policy" in e.get("message", "")]


class Fairdesk:
    """A `fairdesk serve` with its own data directory, SMTP and HTTP ports."""

    def __init__(self, binary, prefix):
        self.binary = os.path.abspath(binary)
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.data = os.path.join(self.root, "data")
        self.http_port, self.smtp_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.common = ["--data-dir", self.data, "--http-port", str(self.http_port), "--smtp-port", str(self.smtp_port),
                       "--hostname", "fairdesk.test", "--support-address", "support@fairdesk.test", "--public-url", self.base]
        self.outgoing = os.path.join(self.data, "outgoing")
        self.process = None

    def cli(self, *args):
        return subprocess.run([self.binary] + list(args) + self.common, check=True, capture_output=True, text=True)

    def start(self):
        log = open(os.path.join(self.root, "serve.log"), "wb")
        self.process = subprocess.Popen([self.binary, "serve"] + self.common, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).close()
                return
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("fairdesk serve did not start")
                time.sleep(0.3)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
