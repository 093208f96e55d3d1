#!/usr/bin/env bash
# A contract-only client in bash + curl: wait on the task at $1 (a status
# URL) until its status is COMPLETED or FAILED, the contract's two final
# states, and print the last body.
set -u
url=$1
s=
until [[ $s == COMPLETED || $s == FAILED ]]; do
  body=$(curl -s "$url" -H "Authorization: Bearer $ADMIN_API_KEY")
  s=$(printf '%s' "$body" | grep -o '"status":"[A-Z]*"' | cut -d'"' -f4)
  echo "status: $s"
  sleep 0.2
done
echo "ended: $body"
