#!/usr/bin/env bash
# Debian's Postfix relays a message into Fairdesk over LMTP and the ticket appears.
# Runs a private Postfix instance (own config, queue and log under a temp dir) on
# 127.0.0.1 only. Needs root (CI runs as root). Usage: postfix_relay.sh PATH_TO_FAIRDESK
# Prints `postfix: N passed, M failed`.
set -euo pipefail
FAIRDESK=$(realpath "$1")
if ! command -v postfix >/dev/null; then
  apt-get update -qq
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/fairdesk-postfix.XXXXXX)
chmod 755 "$WORK"   # Postfix daemons run as the postfix user
PF=$WORK/postfix
HTTP=$(free_port); LMTP=$(free_port); PFPORT=$(free_port)
cleanup() {
  postfix -c "$PF" stop >/dev/null 2>&1 || true
  [ -n "${ORIGINAL_ALTERNATES+set}" ] && postconf -e "alternate_config_directories = $ORIGINAL_ALTERNATES"
  [ -n "${SERVE:-}" ] && kill "$SERVE" 2>/dev/null && wait "$SERVE" 2>/dev/null
  if [ -n "${CI:-}" ] && [ "${FAILED:-0}" != 0 ]; then mkdir -p .ci/artifacts; cp "$WORK"/*.log .ci/artifacts/ 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$FAIRDESK" serve --data-dir "$WORK/data" --http-port "$HTTP" --smtp-port 0 --lmtp-port "$LMTP" \
  --hostname fairdesk.test --support-address support@fairdesk.test >"$WORK/serve.log" 2>&1 &
SERVE=$!

# A private instance: Postfix accepts -c only for directories the default main.cf lists.
mkdir -p "$PF" "$WORK/queue" "$WORK/pfdata"
chown postfix "$WORK/pfdata"
cp /etc/postfix/master.cf "$PF/"
[ -f /etc/postfix/main.cf ] || touch /etc/postfix/main.cf
ORIGINAL_ALTERNATES=$(postconf -h alternate_config_directories)
postconf -e "alternate_config_directories = $ORIGINAL_ALTERNATES $PF"
: > "$PF/main.cf"
postconf -c "$PF" -e \
  "queue_directory = $WORK/queue" "data_directory = $WORK/pfdata" \
  "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" "myhostname = mx.fairdesk.test" \
  "mydestination =" "relay_domains = fairdesk.test" "mynetworks = 127.0.0.0/8" \
  "relay_transport = lmtp:inet:127.0.0.1:$LMTP" \
  "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
  "maillog_file_prefixes = /var, /dev/stdout, $WORK" "maillog_file = $WORK/postfix.log" "compatibility_level = 3.6" "lmtp_connect_timeout = 5s" \
  "queue_run_delay = 5s" "minimal_backoff_time = 5s" "maximal_backoff_time = 10s"
postconf -c "$PF" -F '*/*/chroot = n'
postconf -c "$PF" -MX smtp/inet
postconf -c "$PF" -M "127.0.0.1:$PFPORT/inet = 127.0.0.1:$PFPORT inet n - n - - smtpd"
postfix -c "$PF" check
postfix -c "$PF" start 2>&1 || { tail -n 20 "$WORK/postfix.log"; exit 1; }

for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.5
done
TOKEN=$("$FAIRDESK" user create --role agent --email pf-agent@fairdesk.test --password 'correct horse battery' --data-dir "$WORK/data" >/dev/null \
  && "$FAIRDESK" token create --email pf-agent@fairdesk.test --data-dir "$WORK/data")

python3 - "$PFPORT" <<'PY' || { tail -n 15 "$WORK/postfix.log"; exit 1; }
import smtplib, sys
raw = (b"From: Paula <paula@customer.example>\r\nTo: support@fairdesk.test\r\nSubject: relayed by postfix\r\n"
       b"Message-ID: <postfix-relay-test@customer.example>\r\n\r\nHello through Postfix.\r\n")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as client:
    client.sendmail("paula@customer.example", ["support@fairdesk.test"], raw)
PY

PASSED=0; FAILED=0
found=""
for _ in $(seq 1 60); do
  found=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP/api/v1/tickets" | python3 -c \
    'import json,sys; print(" ".join(t["subject"] for t in json.load(sys.stdin)["tickets"]))' 2>/dev/null || true)
  case "$found" in *"relayed by postfix"*) break;; esac
  sleep 1
done
if [[ "$found" == *"relayed by postfix"* ]]; then
  echo "ok   Postfix relayed the message into Fairdesk over LMTP and the ticket appeared"; PASSED=$((PASSED+1))
else
  echo "FAIL the ticket did not appear; Postfix log:"; tail -n 20 "$WORK/postfix.log" || true; FAILED=$((FAILED+1))
fi
if grep -q "status=sent" "$WORK/postfix.log" && grep -q "relay=127.0.0.1\[127.0.0.1\]:$LMTP" "$WORK/postfix.log"; then
  echo "ok   Postfix logged the LMTP delivery as sent"; PASSED=$((PASSED+1))
else
  echo "FAIL no status=sent for the LMTP relay in the Postfix log"; FAILED=$((FAILED+1))
fi
echo "postfix: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
