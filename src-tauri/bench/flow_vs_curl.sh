#!/bin/sh
# The documented curl sequence for one customer (README "The sandbox alone", flinks-api.md §2),
# doing what `flinks flow` does: Authorize in cached mode, GetAccountsDetail, then, while it
# answers 202, GetAccountsDetailAsync every POLL_SECONDS (counted from each reply, as the CLI's
# --poll-interval-ms is), and no Async call at all when GetAccountsDetail answered 200; then the
# attributes package. Each 202 is reported on stderr, as the CLI reports it.
#
# One curl per request: each request needs something of the reply before it (the RequestId, or
# whether it answered 202), so none can ride another's connection with `curl --next`. The
# RequestId is cut out by the shell itself, so the only processes are sh, curl and sleep.
#
# usage: flow_vs_curl.sh API_BASE_URL CUSTOMER_ID LOGIN_ID POLL_SECONDS [ATTRIBUTES_ENDPOINT]
set -eu
B="$1/v3/$2/BankingServices"
L="$3"
P="$4"
A="${5:-GetCreditRiskAttributes}"
J='Content-Type: application/json'
R=$(curl -sf -X POST "$B/Authorize" -H "$J" -d "{\"LoginId\":\"$L\",\"MostRecentCached\":true}")
R=${R#*\"RequestId\":\"}
R=${R%%\"*}
case "$R" in
  '' | *[!0-9A-Za-z-]*) echo "Authorize gave no RequestId" >&2; exit 1 ;;
esac
# The same options flinks-client sends, so both sides fetch the same data.
S=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/GetAccountsDetail" -H "$J" \
      -d "{\"RequestId\":\"$R\",\"WithAccountIdentity\":true,\"WithTransactions\":true,\"WithBalance\":true,\"WithKYC\":false,\"DaysOfTransactions\":\"Days365\"}")
while [ "$S" = 202 ]; do
  echo "still processing" >&2
  sleep "$P"
  S=$(curl -s -o /dev/null -w '%{http_code}' "$B/GetAccountsDetailAsync/$R")
done
if [ "$S" != 200 ]; then
  echo "GetAccountsDetail answered $S" >&2
  exit 1
fi
curl -sf "${1}/v3/$2/insight/login/$L/attributes/$R/$A"
