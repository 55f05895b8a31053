//! The typed reading of the large replies (`Reply`, `fold.rs`) against the tree path it replaced:
//! parse, fold every key, judge the tree. Whatever the bytes, both must give the same value, the
//! same error and the same `FlinksCode` for the request ledger.

use std::path::Path;
use std::time::Duration;

use flinks_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::client::{DetailReply, Environment, FlinksClient, ReadReply, Reply, Typed};
use crate::decode;
use crate::error::FlinksError;
use crate::secret::LoginId;
use crate::wire::{AccountsDetail, Attributes, AuthorizeOutcome, Package};
use crate::Result;

const LOGIN: &str = "d2ee4056-9a1b-4b3d-ab58-b95fd829f5ef";

fn status_of(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap()
}

/// The tree path, as every reply was read before the typed reading.
fn tree_detail(status: u16, bytes: &[u8], secrets: &[&str]) -> Result<Option<AccountsDetail>> {
    let status = status_of(status);
    let body = FlinksClient::read_body(status, bytes, secrets)?;
    Ok(
        match FlinksClient::detail_reply(status, Reply::Tree(body), secrets)? {
            DetailReply::Ready(detail) => Some(*detail),
            DetailReply::Pending => None,
        },
    )
}

fn tree_attributes(status: u16, bytes: &[u8], secrets: &[&str]) -> Result<Attributes> {
    let status = status_of(status);
    let body = FlinksClient::read_body(status, bytes, secrets)?;
    FlinksClient::attributes_reply(status, Reply::Tree(body), secrets)
}

/// What the request ledger records of a reply read as `R`.
fn ledger_code<R: ReadReply>(status: u16, bytes: &[u8]) -> Option<String> {
    R::read(status_of(status), bytes, &[])
        .ok()?
        .flinks_code()
        .map(str::to_owned)
}

/// Everything a reading gives, as text; Debug hides loginIds, so they are added in full.
fn detail_text(read: &Result<Option<AccountsDetail>>) -> String {
    let login = match read {
        Ok(Some(d)) => d.login.as_ref().map(|l| l.id.expose().to_owned()),
        _ => None,
    };
    format!("{read:?} {login:?}")
}

fn attributes_text(read: &Result<Attributes>) -> String {
    format!("{read:?}")
}

/// Did the typed reader answer by itself, without the tree?
fn typed_detail(bytes: &[u8]) -> bool {
    <AccountsDetail as Typed>::from_bytes(bytes).is_ok()
}

fn typed_attributes(bytes: &[u8]) -> bool {
    <Attributes as Typed>::from_bytes(bytes).is_ok()
}

/// The client's reading and the tree path agree on `bytes` under every status with a path of its own.
fn same_detail(bytes: &[u8], secrets: &[&str], what: &str) -> Result<Option<AccountsDetail>> {
    for status in [202, 400, 200] {
        let read = decode::accounts_detail(status, bytes, secrets);
        let tree = tree_detail(status, bytes, secrets);
        assert_eq!(
            detail_text(&read),
            detail_text(&tree),
            "{what}, as a {status}"
        );
        assert_eq!(
            ledger_code::<Reply<AccountsDetail>>(status, bytes),
            ledger_code::<Value>(status, bytes),
            "{what}: the FlinksCode of a {status}"
        );
        if status == 200 {
            return read;
        }
    }
    unreachable!()
}

fn same_attributes(bytes: &[u8], secrets: &[&str], what: &str) -> Result<Attributes> {
    for status in [400, 200] {
        let read = decode::attributes(status, bytes, secrets);
        let tree = tree_attributes(status, bytes, secrets);
        assert_eq!(
            attributes_text(&read),
            attributes_text(&tree),
            "{what}, as a {status}"
        );
        assert_eq!(
            ledger_code::<Reply<Attributes>>(status, bytes),
            ledger_code::<Value>(status, bytes),
            "{what}: the FlinksCode of a {status}"
        );
        if status == 200 {
            return read;
        }
    }
    unreachable!()
}

/// xorshift64: the same "random" cases on every run.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[derive(Clone, Copy, Debug)]
enum Case {
    Lower,
    Upper,
    /// Each letter of each key upper or lower at random, from this seed.
    Mixed(u64),
}

fn recase(value: &Value, case: Case, state: &mut u64) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match case {
                        Case::Lower => k.to_ascii_lowercase(),
                        Case::Upper => k.to_ascii_uppercase(),
                        Case::Mixed(_) => k
                            .chars()
                            .map(|c| {
                                if next(state) & 1 == 0 {
                                    c.to_ascii_uppercase()
                                } else {
                                    c.to_ascii_lowercase()
                                }
                            })
                            .collect(),
                    };
                    (key, recase(v, case, state))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| recase(v, case, state)).collect()),
        other => other.clone(),
    }
}

const EVERY_CASE: [Case; 5] = [
    Case::Lower,
    Case::Upper,
    Case::Mixed(1),
    Case::Mixed(2),
    Case::Mixed(3),
];

/// `bytes` with the keys at every level in other cases (and pretty, for `Mixed(3)`); none if
/// not JSON.
fn variants(bytes: &[u8], cases: &[Case]) -> Vec<(String, Vec<u8>)> {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for &case in cases {
        let mut state = match case {
            Case::Mixed(seed) => seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            _ => 1,
        };
        let recased = recase(&value, case, &mut state);
        out.push((format!("{case:?}"), serde_json::to_vec(&recased).unwrap()));
        if let Case::Mixed(3) = case {
            out.push((
                format!("{case:?}, pretty"),
                serde_json::to_vec_pretty(&recased).unwrap(),
            ));
        }
    }
    out
}

/// A detail reply reads the same both ways, and the same in every key case as it came.
fn check_detail_in_every_case(bytes: &[u8], secrets: &[&str], what: &str) {
    let original = same_detail(bytes, secrets, what);
    for (case, variant) in variants(bytes, &EVERY_CASE) {
        let what = format!("{what} in keys {case}");
        let read = same_detail(&variant, secrets, &what);
        assert_eq!(detail_text(&read), detail_text(&original), "{what}");
    }
}

fn check_attributes_in_every_case(bytes: &[u8], secrets: &[&str], what: &str) {
    let original = same_attributes(bytes, secrets, what);
    for (case, variant) in variants(bytes, &EVERY_CASE) {
        let what = format!("{what} in keys {case}");
        let read = same_attributes(&variant, secrets, &what);
        assert_eq!(attributes_text(&read), attributes_text(&original), "{what}");
    }
}

/// A real reply, which is large for a debug build: the typed reader answers it by itself, as
/// it came and in two other key cases, with what the tree path gives for it as it came (the
/// tree path is case-blind by construction). Other statuses take the tree path both ways.
fn check_real_detail(bytes: &[u8], secrets: &[&str], what: &str, seed: u64) -> AccountsDetail {
    assert!(typed_detail(bytes), "{what}: the typed reader refused it");
    let read = decode::accounts_detail(200, bytes, secrets);
    let original = detail_text(&read);
    assert_eq!(
        original,
        detail_text(&tree_detail(200, bytes, secrets)),
        "{what}"
    );
    assert_eq!(
        ledger_code::<Reply<AccountsDetail>>(200, bytes),
        ledger_code::<Value>(200, bytes),
        "{what}: the FlinksCode"
    );
    for (case, variant) in variants(bytes, &[Case::Upper, Case::Mixed(seed)]) {
        assert!(typed_detail(&variant), "{what} in keys {case}: refused");
        let read = decode::accounts_detail(200, &variant, secrets);
        assert_eq!(detail_text(&read), original, "{what} in keys {case}");
    }
    read.unwrap().unwrap()
}

fn check_real_attributes(bytes: &[u8], secrets: &[&str], what: &str, seed: u64) -> Attributes {
    assert!(
        typed_attributes(bytes),
        "{what}: the typed reader refused it"
    );
    let read = decode::attributes(200, bytes, secrets);
    let original = attributes_text(&read);
    assert_eq!(
        original,
        attributes_text(&tree_attributes(200, bytes, secrets)),
        "{what}"
    );
    assert_eq!(
        ledger_code::<Reply<Attributes>>(200, bytes),
        ledger_code::<Value>(200, bytes),
        "{what}: the FlinksCode"
    );
    for (case, variant) in variants(bytes, &[Case::Upper, Case::Mixed(seed)]) {
        assert!(typed_attributes(&variant), "{what} in keys {case}: refused");
        let read = decode::attributes(200, &variant, secrets);
        assert_eq!(attributes_text(&read), original, "{what} in keys {case}");
    }
    read.unwrap()
}

/// A reply's status and bytes, as the client receives them.
struct Raw(u16, Vec<u8>);

impl ReadReply for Raw {
    fn read(status: StatusCode, bytes: &[u8], _: &[&str]) -> Result<Self> {
        Ok(Raw(status.as_u16(), bytes.to_vec()))
    }

    fn flinks_code(&self) -> Option<&str> {
        None
    }
}

async fn fetch(client: &FlinksClient, method: Method, path: &str, body: Option<Value>) -> Raw {
    let (_, raw) = client
        .call::<Raw>("test", method, path, &[], body, &[])
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    raw
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandboxs_replies_read_the_same_both_ways_in_any_key_case() {
    let sandbox = Sandbox::start_local(SandboxConfig {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
        pending_for: Duration::ZERO,
        slow_polls: 0,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client =
        FlinksClient::new(Environment::new(&sandbox.base_url(), sandbox.customer_id()).unwrap())
            .unwrap();
    let (mut transactions, mut details, mut personas) = (0, 0, 0);
    let mut packages = Package::ALL.iter().cycle();
    for (seed, persona) in (1..).zip(sandbox.personas()) {
        let login = LoginId::new(persona.login_id.to_string());
        let Ok(AuthorizeOutcome::Authorized(session)) = client.authorize_cached(&login, None).await
        else {
            continue;
        };
        personas += 1;
        let rid = session.request_id.0.clone();
        let secrets = [login.expose()];
        let detail = json!({
            "RequestId": rid, "WithAccountIdentity": true, "WithTransactions": true,
            "WithBalance": true, "WithKYC": false, "DaysOfTransactions": "Days365",
        });
        let summary = json!({ "RequestId": rid, "WithAccountIdentity": true, "WithBalance": true });
        for (endpoint, body) in [
            ("GetAccountsDetail", detail),
            ("GetAccountsSummary", summary),
        ] {
            let path = format!("BankingServices/{endpoint}");
            let Raw(status, bytes) = fetch(&client, Method::POST, &path, Some(body)).await;
            let what = format!("{endpoint} of {}", persona.username);
            assert_eq!(status, 200, "{what}");
            let detail = check_real_detail(&bytes, &secrets, &what, seed);
            transactions += detail
                .accounts
                .iter()
                .map(|a| a.transactions.len())
                .sum::<usize>();
        }

        // One package per persona, in turn: the replies of a debug build's sandbox are slow.
        let package = packages.next().unwrap();
        let insight = format!("insight/login/{}/attributes/{rid}", login.expose());
        let path = format!("{insight}/{}", package.endpoint());
        let Raw(status, bytes) = fetch(&client, Method::GET, &path, None).await;
        let what = format!("{} of {}", package.endpoint(), persona.username);
        assert_eq!(status, 200, "{what}");
        let attrs = check_real_attributes(&bytes, &secrets, &what, seed);
        let names: Vec<&String> = attrs.values.keys().take(4).collect();
        let custom = json!({
            "Attributes": { "Card": names },
            "Filters": { "AccountCategory": ["Operations"] },
            "AttributesDetail": names,
        });
        let Raw(status, bytes) = fetch(&client, Method::POST, &insight, Some(custom)).await;
        let what = format!("custom attributes of {}", persona.username);
        assert_eq!(status, 200, "{what}");
        details += check_real_attributes(&bytes, &secrets, &what, seed)
            .details
            .iter()
            .map(|d| d.transactions.len())
            .sum::<usize>();
    }
    // Replies with nothing in them would prove little.
    assert!(personas >= 3, "{personas} personas");
    assert!(transactions > 1000, "{transactions} transactions");
    assert!(details > 0, "no transaction behind any attribute");
}

/// Every file of `fuzz/<kind>/<target>/`: the fuzzers' seeds (real sandbox replies) and the
/// hostile inputs they found or were given.
fn fuzz_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for kind in ["corpus", "regressions"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz")
            .join(kind)
            .join(target);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json" || e == "bin") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                out.push((format!("{kind}/{name}"), std::fs::read(&path).unwrap()));
            }
        }
    }
    assert!(out.len() > 5, "few inputs for {target}");
    out
}

#[test]
fn the_fuzz_inputs_read_the_same_both_ways() {
    for (name, data) in fuzz_inputs("decode_accounts_detail") {
        let (secret, body) = decode::fuzz::split(&data);
        let mut secrets = vec![LOGIN];
        secrets.extend(secret);
        check_detail_in_every_case(body, &secrets, &name);
    }
    for (name, data) in fuzz_inputs("decode_attributes") {
        let (secret, body) = decode::fuzz::split(&data);
        let mut secrets = vec![LOGIN];
        secrets.extend(secret);
        check_attributes_in_every_case(body, &secrets, &name);
    }
}

#[test]
fn keys_differing_only_in_case_read_as_the_tree_reads_them() {
    // (body, whether the typed reader answers by itself): a known field twice is left to the
    // tree, which keeps the last one.
    let details: &[(&str, bool)] = &[
        (r#"{"Accounts":[],"accounts":[{"Id":"a"}]}"#, false),
        (
            r#"{"RequestId":"a","requestid":"b","REQUESTID":"c"}"#,
            false,
        ),
        // The same key twice, then in another case: the tree keeps the one in the other case.
        (
            r#"{"requestid":"a","RequestId":"b","requestid":"c"}"#,
            false,
        ),
        (r#"{"Login":{"Id":"x"},"login":{"id":"y"}}"#, false),
        (
            r#"{"Accounts":[{"Id":"a","Transactions":[{"Date":"2025-01-31","Id":"t1","ID":"t2"}]}]}"#,
            false,
        ),
        // `Id` and its alias `TransactionId`: an error both ways.
        (
            r#"{"Accounts":[{"Id":"a","Transactions":[{"Date":"2025-01-31","Id":"t1","TransactionId":"t2"}]}]}"#,
            false,
        ),
        (
            r#"{"Accounts":[{"Id":"a","Balance":{"Current":1,"CURRENT":2}}]}"#,
            false,
        ),
        (
            r#"{"FlinksCode":"A","flinkscode":"B","Accounts":[]}"#,
            false,
        ),
        // Unknown fields twice do not matter.
        (r#"{"Foo":1,"foo":{"x":2},"FOO":[3],"Accounts":[]}"#, true),
    ];
    for (body, typed) in details {
        let _ = same_detail(body.as_bytes(), &[], body);
        assert_eq!(typed_detail(body.as_bytes()), *typed, "{body}");
    }
    let attributes: &[(&str, bool)] = &[
        (r#"{"Card":{"a":1,"A":2}}"#, false),
        (r#"{"Card":{"a":1,"A":2,"a":3}}"#, false),
        (r#"{"Card":{"x":1},"card":{"y":2}}"#, false),
        (r#"{"RequestId":"a","requestid":"b","Card":{}}"#, false),
        (
            r#"{"Card":{"AttributesDetail":[],"attributesdetail":{"Attribute":"a","Transactions":[]}}}"#,
            false,
        ),
        (r#"{"FlinksCode":"A","FLINKSCODE":"B","Card":{}}"#, false),
        // Card.Id is dropped however often it comes.
        (r#"{"Card":{"Id":"s","ID":{"x":1},"x":1}}"#, true),
        (r#"{"Extra":1,"EXTRA":2,"Card":{"x":1}}"#, true),
    ];
    for (body, typed) in attributes {
        let _ = same_attributes(body.as_bytes(), &[], body);
        assert_eq!(typed_attributes(body.as_bytes()), *typed, "{body}");
    }
}

#[test]
fn unknown_fields_are_ignored_at_every_level() {
    let full = r#"{"HttpStatusCode":200,"NEW":{"Deep":[{"X":[1,2.5,{"Y":null}]}]},
        "Accounts":[{"Id":"a","Holder":{"Name":"n","Address":{"City":"c"}},"OverdraftLimit":1.5,
        "Balance":{"Current":1,"Extra":[true]},"Transactions":[{"Date":"2025-01-31","Code":null,
        "Tags":["a"],"Meta":{"K":"v"},"Id":"t"}]}],"Login":{"Id":"x","IsScheduledRefresh":false,
        "Other":{}},"FlinksCode":{"not":"a string"}}"#;
    let bare = r#"{"Accounts":[{"Id":"a","Balance":{"Current":1},
        "Transactions":[{"Date":"2025-01-31","Id":"t"}]}],"Login":{"Id":"x","IsScheduledRefresh":false}}"#;
    assert!(typed_detail(full.as_bytes()));
    let read = same_detail(full.as_bytes(), &[], "with unknown fields");
    assert!(read.as_ref().is_ok_and(|d| d.is_some()));
    assert_eq!(
        detail_text(&read),
        detail_text(&same_detail(bare.as_bytes(), &[], "without"))
    );

    let full = r#"{"HttpStatusCode":200,"Extra":{"A":[1]},"Card":{"Id":"x","v":1,
        "AttributesDetail":[{"Attribute":"v","Unknown":{"a":1},"Transactions":[{"AccountId":"a",
        "Date":"2025-01-31","TransactionId":"t","Category":{"x":[1]}}]}]},"RequestId":"r"}"#;
    let bare = r#"{"Card":{"v":1,"AttributesDetail":[{"Attribute":"v","Transactions":[
        {"AccountId":"a","Date":"2025-01-31","TransactionId":"t"}]}]},"RequestId":"r"}"#;
    assert!(typed_attributes(full.as_bytes()));
    let read = same_attributes(full.as_bytes(), &[], "with unknown fields");
    assert!(read.as_ref().is_ok_and(|a| a.details.len() == 1));
    assert_eq!(
        attributes_text(&read),
        attributes_text(&same_attributes(bare.as_bytes(), &[], "without"))
    );
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/samples")
            .join(name),
    )
    .unwrap()
}

#[test]
fn a_truncated_body_is_the_same_error_as_before() {
    let detail = sample("get_accounts_detail.200.json");
    let attributes = sample("get_user_analysis_attributes.200.json");
    for (body, is_detail) in [(&detail, true), (&attributes, false)] {
        let whole = body.trim_ascii_end().len();
        let step = (whole / 1500).max(1);
        for cut in (1..whole).step_by(step) {
            let part = &body[..cut];
            let what = format!("cut at {cut} of {whole}");
            let err = if is_detail {
                same_detail(part, &[LOGIN], &what).unwrap_err()
            } else {
                same_attributes(part, &[LOGIN], &what).unwrap_err()
            };
            assert!(
                matches!(
                    err,
                    FlinksError::Decode {
                        status: 200,
                        truncated: true,
                        ..
                    }
                ),
                "{what}: {err:?}"
            );
        }
        // And whole, it reads.
        if is_detail {
            assert!(typed_detail(body));
            assert!(same_detail(body, &[LOGIN], "whole").is_ok());
        } else {
            assert!(typed_attributes(body));
            assert!(same_attributes(body, &[LOGIN], "whole").is_ok());
        }
    }
}

#[test]
fn bodies_the_tree_refuses_are_refused_the_same() {
    let deep = |open: &str, close: &str| {
        format!(
            r#"{{"Card":{{}},"X":{}1{}}}"#,
            open.repeat(200),
            close.repeat(200)
        )
        .into_bytes()
    };
    let refused: Vec<(&str, Vec<u8>)> = vec![
        (
            "invalid UTF-8 in an ignored string",
            b"{\"Card\":{},\"Note\":\"\xff\"}".to_vec(),
        ),
        (
            "invalid UTF-8 in an ignored key",
            b"{\"Card\":{},\"\xff\":1}".to_vec(),
        ),
        (
            "a lone surrogate in an ignored string",
            br#"{"Card":{},"Note":"\ud800"}"#.to_vec(),
        ),
        (
            "a number out of range in an ignored field",
            br#"{"Card":{},"HttpStatusCode":1e400}"#.to_vec(),
        ),
        ("nesting past the limit in an ignored list", deep("[", "]")),
        ("nesting past the limit in an ignored object", {
            let mut b = br#"{"Card":{},"X":"#.to_vec();
            b.extend(r#"{"a":"#.repeat(200).bytes());
            b.push(b'1');
            b.extend("}".repeat(201).bytes());
            b
        }),
        ("trailing characters", br#"{"Card":{}} x"#.to_vec()),
        ("a trailing comma", br#"{"Card":{},}"#.to_vec()),
        ("not JSON", b"<html>502 Bad Gateway</html>".to_vec()),
        ("empty", Vec::new()),
    ];
    for (what, body) in &refused {
        let err = same_detail(body, &[LOGIN], what).unwrap_err();
        assert!(matches!(err, FlinksError::Decode { .. }), "{what}: {err:?}");
        let err = same_attributes(body, &[LOGIN], what).unwrap_err();
        assert!(matches!(err, FlinksError::Decode { .. }), "{what}: {err:?}");
    }
    // What the tree accepts outside the typed reader's reach is still accepted: an accounts
    // detail written as a list, by position.
    let by_position = br#"["r1", [], null, "FlinksCapital"]"#;
    assert!(!typed_detail(by_position));
    let read = same_detail(by_position, &[], "by position")
        .unwrap()
        .unwrap();
    assert_eq!(read.institution.as_deref(), Some("FlinksCapital"));
}
