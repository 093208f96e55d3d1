#!/usr/bin/env bash
# The spec's cURL walkthrough as a script: submit, then poll every second.
#   poll.sh BOT_ID DOCUMENT_URL      (ORCHESTRATOR_API_URL, ADMIN_API_KEY)
set -euo pipefail
[ "${1:-}" = --version ] && { echo "poll.sh 1"; exit 0; }
base=${ORCHESTRATOR_API_URL:-http://127.0.0.1:8000}
auth="Authorization: Bearer ${ADMIN_API_KEY:-secret-key}"
location=$(curl -s -D - -o /dev/null -X POST "$base/v1/bots/$1/actions/analyze-document" \
  -H "$auth" -H "Content-Type: application/json" -d "{\"document_url\": \"$2\"}" \
  | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
while true; do
  body=$(curl -s "$base$location" -H "$auth")
  case "$body" in
    *'"status":"COMPLETED"'*|*'"status":"FAILED"'*) echo "$body"; exit 0 ;;
  esac
  sleep 1
done
