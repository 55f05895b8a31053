#!/bin/sh
# The documented curl sequence for one customer (README "The sandbox alone", flinks-api.md §2):
# Authorize in cached mode, GetAccountsDetail, GetAccountsDetailAsync, then an attributes package.
# The bench runs it against a sandbox that answers at once (pending 0), so nothing waits.
#
# usage: flow_vs_curl.sh API_BASE_URL CUSTOMER_ID LOGIN_ID [ATTRIBUTES_ENDPOINT]
set -eu
B="$1/v3/$2"
L="$3"
A="${4:-GetCreditRiskAttributes}"
R=$(curl -sf -X POST "$B/BankingServices/Authorize" -H 'Content-Type: application/json' \
      -d "{\"LoginId\":\"$L\",\"MostRecentCached\":true}" | grep -o '"RequestId":"[^"]*"' | cut -d'"' -f4)
# The same options flinks-client sends, so both sides fetch the same data.
curl -sf -o /dev/null -X POST "$B/BankingServices/GetAccountsDetail" -H 'Content-Type: application/json' \
      -d "{\"RequestId\":\"$R\",\"WithAccountIdentity\":true,\"WithTransactions\":true,\"WithBalance\":true,\"WithKYC\":false,\"DaysOfTransactions\":\"Days365\"}"
curl -sf -o /dev/null "$B/BankingServices/GetAccountsDetailAsync/$R"
curl -sf "$B/insight/login/$L/attributes/$R/$A"
