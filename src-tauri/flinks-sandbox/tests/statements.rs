//! GetStatements and GetStatementsAsync over plain HTTP, against flinks-api.md §1, §2.4, §2.7:
//! `StatementsByAccount`, one base64 PDF per account and closed month, after the 202s.

mod support;

use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};
use support::{code, get, login_of, pending_for, post, session};

fn pdf_of(statement: &Value) -> Vec<u8> {
    assert_eq!(statement["FileType"], "PDF");
    let id = statement["UniqueId"].as_str().unwrap();
    assert!(
        id.len() == 32
            && id
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()),
        "{id}"
    );
    let text = statement["Base64Bytes"].as_str().unwrap();
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("Base64Bytes is base64");
    assert!(pdf.starts_with(b"%PDF-1.") && pdf.ends_with(b"%%EOF\n"));
    pdf
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn statements_are_pending_then_one_pdf_per_account_and_closed_month() {
    let s = pending_for(150).await;
    let username = "high_income_saver";
    let request_id = session(&s, username).await;
    let ask = json!({"RequestId": request_id, "NumberOfStatements": "Months3"});
    let first = post(&s, "GetStatements", ask).await;
    assert_eq!(
        first,
        (
            202,
            json!({
                "FlinksCode": "OPERATION_PENDING",
                "Links": [{ "rel": "StatementsAsync", "href": "/GetStatementsAsync", "example": null }],
                "HttpStatusCode": 202,
                "Message": "Your operation is still processing",
                "RequestId": request_id,
            })
        )
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The poll answers with the options of the call.
    let (status, body) = get(&s, &format!("GetStatementsAsync/{request_id}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["HttpStatusCode"], 200);
    assert_eq!(body["Institution"], "FlinksCapital");
    assert_eq!(body["RequestId"], request_id.as_str());
    assert_eq!(body["Login"]["Id"], login_of(&s, username).as_str());
    let persona = s
        .personas()
        .iter()
        .find(|p| p.username == username)
        .unwrap();
    let by_account = body["StatementsByAccount"].as_array().unwrap();
    assert_eq!(by_account.len(), persona.accounts.len());
    let mut ids = Vec::new();
    for (entry, account) in by_account.iter().zip(&persona.accounts) {
        assert_eq!(entry["AccountNumber"], account.account_number.as_str());
        let statements = entry["Statements"].as_array().unwrap();
        assert_eq!(statements.len(), 3, "{}", account.title);
        for (statement, month) in statements.iter().zip(["2026-02", "2026-01", "2025-12"]) {
            let pdf = pdf_of(statement);
            assert!(contains(&pdf, &format!("(Period {month}-01 to {month}-")));
            assert!(contains(&pdf, &account.account_number));
            ids.push(statement["UniqueId"].as_str().unwrap().to_owned());
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        by_account.len() * 3,
        "every statement has its own id"
    );
}

#[tokio::test]
async fn a_statement_lists_the_transactions_get_accounts_detail_gives_for_its_month() {
    let s = pending_for(0).await;
    let request_id = session(&s, "salaried_biweekly").await;
    let (status, detail) = post(
        &s,
        "GetAccountsDetail",
        json!({"RequestId": request_id, "DaysOfTransactions": "Days90"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = post(&s, "GetStatements", json!({"RequestId": request_id})).await;
    assert_eq!(status, 200, "{body}");
    let statements = body["StatementsByAccount"][0]["Statements"]
        .as_array()
        .unwrap();
    assert_eq!(
        statements.len(),
        1,
        "MostRecent is the default: one statement"
    );
    let pdf = pdf_of(&statements[0]);
    let february: Vec<&Value> = detail["Accounts"][0]["Transactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["Date"].as_str().unwrap().starts_with("2026-02"))
        .collect();
    assert!(!february.is_empty());
    for t in february {
        let date = t["Date"].as_str().unwrap();
        let description: String = t["Description"]
            .as_str()
            .unwrap()
            .chars()
            .take(36)
            .collect();
        // PDF literal strings escape their parentheses.
        let escaped = description.replace('(', "\\(").replace(')', "\\)");
        assert!(
            contains(&pdf, &format!("({date}  {escaped}")),
            "{date} {description}"
        );
    }
}

#[tokio::test]
async fn the_accounts_filter_and_number_of_statements_choose_what_comes_back() {
    let s = pending_for(0).await;
    let request_id = session(&s, "high_income_saver").await;
    let persona = s
        .personas()
        .iter()
        .find(|p| p.username == "high_income_saver")
        .unwrap();
    let second = &persona.accounts[1];
    let year = json!({
        "RequestId": request_id,
        "NumberOfStatements": "months12",
        "AccountsFilter": [second.id],
    });
    let (status, body) = post(&s, "GetStatements", year).await;
    assert_eq!(status, 200, "{body}");
    let by_account = body["StatementsByAccount"].as_array().unwrap();
    assert_eq!(by_account.len(), 1);
    assert_eq!(
        by_account[0]["AccountNumber"],
        second.account_number.as_str()
    );
    assert_eq!(by_account[0]["Statements"].as_array().unwrap().len(), 12);

    // flinks-api.md §2.7: Months12 is for exactly one account.
    for filter in [
        json!(null),
        json!([]),
        json!([persona.accounts[0].id, second.id]),
    ] {
        let ask = json!({"RequestId": request_id, "NumberOfStatements": "Months12", "AccountsFilter": filter});
        let reply = post(&s, "GetStatements", ask).await;
        assert_eq!(
            code(&reply),
            (401, Some("INVALID_REQUEST")),
            "{filter}: {}",
            reply.1
        );
        assert!(reply.1["Message"]
            .as_str()
            .unwrap()
            .contains("AccountsFilter"));
    }
    let ask = json!({"RequestId": request_id, "NumberOfStatements": "Months6"});
    let reply = post(&s, "GetStatements", ask).await;
    assert_eq!(code(&reply), (401, Some("INVALID_REQUEST")));
    assert_eq!(reply.1["HttpStatusCode"], 401);

    let unknown = json!({"RequestId": "0b0e7c84-1111-4d34-8de6-f4113bc82414"});
    let reply = post(&s, "GetStatements", unknown).await;
    assert_eq!(code(&reply), (400, Some("SESSION_NONEXISTENT")));
    let reply = get(&s, "GetStatementsAsync/not-a-session").await;
    assert_eq!(code(&reply), (400, Some("SESSION_NONEXISTENT")));
}
