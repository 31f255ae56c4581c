#!/usr/bin/env python3
"""Browser test of the support policy's pages with real Chromium (Debian's chromium +
chromium-driver, Python selenium from PyPI) against a real `fairdesk serve`.

The story: three customers write in by SMTP. Through the JSON API (a token made with
`fairdesk token create`) an admin takes the head of the queue and replies, takes the next
one, answers a younger ticket out of order ("quick answer"), and moves the held ticket to
an investigation (stage "reproduce"). In the browser the admin then sees that ticket on the
investigations board under "Reproducing", the fairness report with its SVG charts (bars
drawn, the answers counted, the out-of-order reason listed, no CSP violation), the policy
texts and the catalog, and adds a catalog item through its form. Screenshots go to
--screenshots (default $SCREENSHOTS or .ci/artifacts/screenshots).
"""
import argparse
import json
import os
import shutil
import smtplib
import sys
import time
import urllib.request

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Fairdesk, browser, check, csp_violations, form_for, submit  # noqa: E402

ADMIN_EMAIL = "admin@fairdesk.test"
ADMIN_PASSWORD = "a long admin password"


class API:
    def __init__(self, base, token):
        self.base = base + "/api/v1"
        self.token = token

    def post(self, path, body=None):
        data = json.dumps(body or {}).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST",
                                         headers={"Authorization": f"Bearer {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=20) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("fairdesk", help="path to the fairdesk binary (e.g. .build/debug/fairdesk)")
    parser.add_argument("--screenshots", default=os.environ.get("SCREENSHOTS", ".ci/artifacts/screenshots"),
                        help="where screenshots go (default: $SCREENSHOTS or .ci/artifacts/screenshots)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory and server log")
    arguments = parser.parse_args()

    screenshots = os.path.abspath(arguments.screenshots)
    os.makedirs(screenshots, exist_ok=True)
    fairdesk = Fairdesk(arguments.fairdesk, "fairdesk-policy-browser-")
    root, base, smtp_port = fairdesk.root, fairdesk.base, fairdesk.smtp_port
    fairdesk.cli("user", "create", "--role", "admin", "--email", ADMIN_EMAIL, "--name", "Ada Admin", "--password", ADMIN_PASSWORD)
    created = fairdesk.cli("token", "create", "--email", ADMIN_EMAIL, "--name", "policy pages test")
    token = [line for line in created.stdout.splitlines() if line.strip()][-1].strip()
    fairdesk.start()
    drivers = []
    try:

        # Three customers write in, a little apart so the queue's order is certain.
        with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
            for index, (sender, subject) in enumerate([("alice@acme.example", "Export crashes"),
                                                       ("bob@other.example", "Import hangs at 80%"),
                                                       ("carol@third.example", "Where is the licence key?")]):
                if index:
                    time.sleep(1.1)
                smtp.sendmail(sender, ["support@fairdesk.test"],
                              (f"From: {sender}\r\nTo: support@fairdesk.test\r\nSubject: {subject}\r\n"
                               f"Message-ID: <policy{index}@{sender.split('@')[1]}>\r\n\r\n{subject}, please help.\r\n").encode())

        # The admin works the queue through the API.
        api = API(base, token)
        status, head = api.post("/queue/next")
        check("Next hands out the oldest ticket", status == 200 and head and head.get("number") == 1, (status, head))
        status, _ = api.post("/tickets/1/reply", {"body": "Hello Alice, please try the nightly build."})
        check("the reply to #1 is accepted", status in (200, 201), status)
        status, head = api.post("/queue/next")
        check("Next then hands out #2", status == 200 and head and head.get("number") == 2, (status, head))
        status, _ = api.post("/tickets/3/reply", {"body": "Hello Carol, the key is in your account page.",
                                                  "outOfOrder": {"reason": "quick_answer"}})
        check("#3 is answered out of order with a reason", status in (200, 201), status)
        status, moved = api.post("/tickets/2/investigation", {"stage": "reproduce", "note": "Trying their data set on 2.4."})
        check("#2 moves to an investigation", status == 200 and moved and moved.get("status") == "investigating", (status, moved))

        # The admin signs in.
        admin = browser(height=1400)
        drivers.append(admin)
        admin.get(base + "/sign-in")
        form = form_for(admin, "/sign-in")
        form.find_element(By.NAME, "email").send_keys(ADMIN_EMAIL)
        form.find_element(By.NAME, "password").send_keys(ADMIN_PASSWORD)
        submit(form)
        check("the admin is signed in", "/sign-in" not in admin.current_url, admin.current_url)

        # The investigations board.
        admin.find_element(By.LINK_TEXT, "Investigations").click()
        check("the board is linked from the navigation", admin.current_url.endswith("/desk/investigations"), admin.current_url)
        heading = admin.find_element(By.ID, "stage-reproduce").text
        column = admin.find_element(By.CSS_SELECTOR, "section[aria-labelledby=stage-reproduce]")
        cards = [a.get_attribute("href") for a in column.find_elements(By.CSS_SELECTOR, "li.card a[href*='/desk/tickets/']")]
        check("#2 is on the board under “Reproduc…”",
              heading.startswith("Reproduc") and any(href.endswith("/desk/tickets/2") for href in cards), (heading, cards))
        check("the card shows the subject", "Import hangs at 80%" in column.text, column.text)
        others = admin.find_elements(By.CSS_SELECTOR, "section.board-column:not([aria-labelledby=stage-reproduce]) li.card")
        check("no other column has a card", not others, [o.text for o in others])
        admin.save_screenshot(os.path.join(screenshots, "investigations.png"))

        # The fairness report.
        admin.find_element(By.LINK_TEXT, "Fairness").click()
        check("the report is linked from the navigation", "/desk/admin/fairness" in admin.current_url, admin.current_url)
        charts = admin.find_elements(By.CSS_SELECTOR, "svg.chart[role=img]")
        bars = admin.find_elements(By.CSS_SELECTOR, "svg.chart rect.chart-bar")
        tall = [b for b in bars if float(b.get_attribute("height") or 0) > 0]
        check("the report draws three charts", len(charts) == 3, len(charts))
        check("the answered chart has a bar with height", len(tall) >= 1, [b.get_attribute("height") for b in bars])
        summary = admin.find_element(By.CSS_SELECTOR, "p.count").text
        check("the report counts the three answers", "3 tickets answered" in summary, summary)
        reasons = admin.find_element(By.CSS_SELECTOR, "table.reasons").text
        check("the out-of-order reason is listed", "quick answer" in reasons, reasons)
        check("no Content-Security-Policy violation on the report", not csp_violations(admin), csp_violations(admin))
        admin.save_screenshot(os.path.join(screenshots, "fairness.png"))
        # (The number field's min stops the browser sending 0; the server checks anyway.)
        admin.get(base + "/desk/admin/fairness?days=0")
        check("a bad number of days is explained next to the field",
              "from 1 to 366" in admin.find_element(By.CSS_SELECTOR, ".field.invalid").text.lower(), admin.title)

        # The policy texts and the catalog.
        admin.find_element(By.LINK_TEXT, "Policy texts").click()
        sections = admin.find_elements(By.CSS_SELECTOR, "section.policy-text")
        check("the policy texts page lists every text", len(sections) >= 4, len(sections))
        admin.save_screenshot(os.path.join(screenshots, "policy-texts.png"))
        admin.find_element(By.LINK_TEXT, "Catalog").click()
        form = form_for(admin, "/desk/admin/catalog/new")
        form.find_element(By.NAME, "title").send_keys("Database schema")
        form.find_element(By.NAME, "explanation").send_keys("Run pg_dump --schema-only and attach the output.")
        submit(form)
        check("a catalog item added through the form is listed",
              admin.find_elements(By.ID, "item-custom-database-schema") and "Added “Database schema”" in admin.page_source,
              admin.current_url)
        check("no Content-Security-Policy violation on the admin pages", not csp_violations(admin), csp_violations(admin))
        admin.save_screenshot(os.path.join(screenshots, "catalog.png"))
    finally:
        for driver in drivers:
            driver.quit()
        fairdesk.stop()
        failed = sum(1 for _, ok in RESULTS if not ok)
        if failed or arguments.keep:
            print(f"kept {root} (serve.log) for inspection")
        else:
            shutil.rmtree(root, ignore_errors=True)
    passed = len(RESULTS) - failed
    print(f"{passed}/{len(RESULTS)} checks passed; screenshots in {screenshots}")
    return 0 if RESULTS and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
