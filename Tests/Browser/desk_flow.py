#!/usr/bin/env python3
"""Browser test of the web desk with real Chromium (Debian's chromium + chromium-driver,
Python selenium from PyPI) against a real `fairdesk serve`.

The story: two customers of two organizations write in by SMTP. An agent signs in, takes
the oldest ticket, replies with an attachment. The customer signs in through the link
mailed to them (read from the outgoing .eml files: no relay configured), sees the reply
and answers in the portal; the agent sees the answer. The other organization's customer
reaches none of it. Screenshots of the main pages go to SCREENSHOTS (default
.ci/artifacts/screenshots).

Usage: desk_flow.py PATH_TO_FAIRDESK
"""
import email
import email.policy
import glob
import os
import shutil
import smtplib
import sys
import time

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import RESULTS, Fairdesk, browser, check, form_for, submit  # noqa: E402

AGENT_EMAIL = "agent@fairdesk.test"
AGENT_PASSWORD = "a long agent password"


def mailed_link(outgoing, address, marker="/sign-in/link/"):
    """The newest sign-in link mailed to `address` (outgoing mail is written as .eml files)."""
    deadline = time.time() + 20
    while time.time() < deadline:
        for path in sorted(glob.glob(os.path.join(outgoing, "*.eml")), reverse=True):
            with open(path, "rb") as handle:
                message = email.message_from_binary_file(handle, policy=email.policy.default)
            if address not in str(message.get("To", "")):
                continue
            text = message.get_body(preferencelist=("plain",)).get_content()
            for word in text.split():
                if marker in word:
                    return word.strip()
        time.sleep(0.5)
    raise AssertionError(f"no mail with a sign-in link to {address} in {outgoing}")


def sign_in_by_link(driver, base, outgoing, address):
    """A customer asks for a sign-in link, opens the mailed link and continues."""
    driver.get(base + "/sign-in")
    form = form_for(driver, "/sign-in/link")
    form.find_element(By.NAME, "email").send_keys(address)
    submit(form)
    link = mailed_link(outgoing, address)
    driver.get(link)
    submit(form_for(driver, link.split(base, 1)[-1]))


def main():
    screenshots = os.path.abspath(os.environ.get("SCREENSHOTS", ".ci/artifacts/screenshots"))
    os.makedirs(screenshots, exist_ok=True)
    fairdesk = Fairdesk(sys.argv[1], "fairdesk-browser-")
    root, data, base, smtp_port = fairdesk.root, fairdesk.data, fairdesk.base, fairdesk.smtp_port
    fairdesk.cli("user", "create", "--role", "agent", "--email", AGENT_EMAIL, "--name", "Agnes Agent", "--password", AGENT_PASSWORD)
    fairdesk.start()
    drivers = []
    try:

        with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
            smtp.sendmail("alice@acme.example", ["support@fairdesk.test"],
                          b"From: Alice <alice@acme.example>\r\nTo: support@fairdesk.test\r\nSubject: Export crashes\r\n"
                          b"Message-ID: <alice1@acme.example>\r\n\r\nThe export crashes at 80%.\r\n")
            time.sleep(1.1)
            smtp.sendmail("bob@other.example", ["support@fairdesk.test"],
                          b"From: Bob <bob@other.example>\r\nTo: support@fairdesk.test\r\nSubject: Licence question\r\n"
                          b"Message-ID: <bob1@other.example>\r\n\r\nHow many seats do we have?\r\n")

        # The agent signs in and takes the oldest ticket.
        agent = browser()
        drivers.append(agent)
        agent.get(base + "/sign-in")
        agent.save_screenshot(os.path.join(screenshots, "sign-in.png"))
        form = form_for(agent, "/sign-in")
        form.find_element(By.NAME, "email").send_keys(AGENT_EMAIL)
        form.find_element(By.NAME, "password").send_keys(AGENT_PASSWORD)
        submit(form)
        check("the agent lands on the queue", "/desk" in agent.current_url, agent.current_url)
        agent.save_screenshot(os.path.join(screenshots, "queue.png"))
        links = [a.get_attribute("href") for a in agent.find_elements(By.CSS_SELECTOR, "a[href*='/desk/tickets/']")]
        check("the queue lists both tickets, oldest first",
              len(links) >= 2 and links[0].endswith("/desk/tickets/1") and any(l.endswith("/desk/tickets/2") for l in links), links)
        agent.find_element(By.CSS_SELECTOR, "a[href$='/desk/tickets/1']").click()
        check("the ticket page shows the customer's message", "The export crashes at 80%." in agent.page_source)

        attachment = os.path.join(root, "workaround.txt")
        with open(attachment, "w") as handle:
            handle.write("Set EXPORT_CHUNK=1000 and try again.\n")
        form = form_for(agent, "/desk/tickets/1/reply")
        form.find_element(By.TAG_NAME, "textarea").send_keys("Hello Alice, please try the attached workaround.")
        form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(attachment)
        submit(form)
        check("the reply is on the timeline", "please try the attached workaround" in agent.page_source)
        check("the reply's attachment is listed", "workaround.txt" in agent.page_source)
        agent.save_screenshot(os.path.join(screenshots, "ticket.png"))
        attachment_links = [a.get_attribute("href") for a in agent.find_elements(By.CSS_SELECTOR, "a[href*='/attachments/']")]

        # The customer signs in with the mailed link, reads the reply, answers.
        customer = browser()
        drivers.append(customer)
        sign_in_by_link(customer, base, os.path.join(data, "outgoing"), "alice@acme.example")
        check("the customer lands in the portal", "/portal" in customer.current_url, customer.current_url)
        customer.save_screenshot(os.path.join(screenshots, "portal.png"))
        customer.find_element(By.CSS_SELECTOR, "a[href$='/portal/tickets/1']").click()
        check("the customer sees the agent's reply", "please try the attached workaround" in customer.page_source)
        check("the customer does not see ticket #2", "Licence question" not in customer.page_source)
        form = form_for(customer, "/portal/tickets/1/reply")
        form.find_element(By.TAG_NAME, "textarea").send_keys("Thanks, the workaround helped!")
        submit(form)
        check("the customer's answer is on their page", "the workaround helped" in customer.page_source)
        customer.save_screenshot(os.path.join(screenshots, "portal-ticket.png"))

        agent.get(base + "/desk/tickets/1")
        check("the agent sees the customer's answer", "the workaround helped" in agent.page_source)

        # The other organization's customer reaches none of it.
        other = browser()
        drivers.append(other)
        sign_in_by_link(other, base, os.path.join(data, "outgoing"), "bob@other.example")
        check("Bob's portal lists his ticket", "Licence question" in other.page_source)
        check("Bob's portal does not list Alice's", "Export crashes" not in other.page_source)
        for path in ["/portal/tickets/1", "/desk/tickets/1", "/desk"] + [l.split(base, 1)[-1] for l in attachment_links]:
            other.get(base + path)
            check(f"Bob gets 'not found' for {path}", "Not found" in other.title and "Export crashes" not in other.page_source
                  and "workaround" not in other.page_source, other.title)
    finally:
        for driver in drivers:
            driver.quit()
        fairdesk.stop()
        if all(ok for _, ok in RESULTS):
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept {root} (serve.log) for inspection")
    failed = sum(1 for _, ok in RESULTS if not ok)
    print(f"browser: {len(RESULTS) - failed} passed, {failed} failed; screenshots in {screenshots}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
