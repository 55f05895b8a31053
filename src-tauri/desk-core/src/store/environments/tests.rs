use crate::store::tests::store;
use crate::store::EnvironmentKind;

#[test]
fn an_edit_changes_the_fields_it_may_and_no_other_environment() {
    let (_dir, store) = store();
    let id = store
        .upsert_environment(
            "k",
            "Acme",
            EnvironmentKind::Private,
            "http://a",
            "cid",
            false,
        )
        .unwrap();
    let other = store
        .upsert_environment(
            "o",
            "Other",
            EnvironmentKind::Private,
            "http://o",
            "cid",
            false,
        )
        .unwrap();
    let before = store.environments().unwrap();
    let mut row = before.iter().find(|e| e.id == id).unwrap().clone();
    row.name = "Acme (prod)".into();
    row.api_base_url = "https://acme-api.private.fin.ag".into();
    row.customer_id = "cid-2".into();
    row.production = true;
    row.authorize_tokens = true;
    // Key and kind are not the edit's to change, whatever the row says.
    row.key = "hijacked".into();
    row.kind = EnvironmentKind::Builtin;
    assert!(store.update_environment(&row).unwrap());
    let after = store.environments().unwrap();
    let stored = after.iter().find(|e| e.id == id).unwrap();
    assert_eq!(
        (stored.key.as_str(), stored.kind.as_str()),
        ("k", "private")
    );
    assert_eq!(
        (
            stored.name.as_str(),
            stored.api_base_url.as_str(),
            stored.customer_id.as_str(),
            stored.production,
            stored.authorize_tokens
        ),
        (
            "Acme (prod)",
            "https://acme-api.private.fin.ag",
            "cid-2",
            true,
            true
        )
    );
    assert_eq!(
        after.iter().find(|e| e.id == other),
        before.iter().find(|e| e.id == other)
    );
    row.id = 999;
    assert!(!store.update_environment(&row).unwrap());
}

#[test]
fn last4_is_all_a_customer_row_can_hold() {
    let (_dir, store) = store();
    let env = store
        .upsert_environment(
            "builtin",
            "Sandbox",
            EnvironmentKind::Builtin,
            "http://x",
            "cid",
            false,
        )
        .unwrap();
    let whole = "5e115eac-1209-4f19-641c-08d6d484e2fe";
    assert!(store
        .upsert_customer(env, "k", "label", "FlinksCapital", whole)
        .is_err());
}
