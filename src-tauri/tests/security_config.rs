//! The window's powers are the narrowest that work: a CSP that loads nothing from elsewhere and
//! runs no inline code, and capabilities that grant the main window exactly the app's own
//! commands — the same list the build script declares and the app registers — and nothing to
//! any other window (the Flinks Connect window shows a remote page).

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(path: &str) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The quoted names in the `commands(&[...])` list of build.rs.
fn declared_commands() -> BTreeSet<String> {
    let build = read("build.rs");
    let list = build
        .split_once(".commands(&[")
        .and_then(|(_, rest)| rest.split_once("])"))
        .expect("build.rs declares its commands")
        .0;
    list.split(',')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The functions in `generate_handler![...]` of src/lib.rs.
fn registered_commands() -> BTreeSet<String> {
    let lib = read("src/lib.rs");
    let list = lib
        .split_once("generate_handler![")
        .and_then(|(_, rest)| rest.split_once(']'))
        .expect("lib.rs registers its commands")
        .0;
    list.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn the_csp_loads_only_the_app_itself_and_runs_no_inline_code() {
    let conf = json("tauri.conf.json");
    let csp = conf["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP is set");
    let directives: Vec<(&str, Vec<&str>)> = csp
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            Some((words.next()?, words.collect()))
        })
        .collect();
    let get = |name: &str| {
        directives
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in {csp}"))
    };
    assert_eq!(get("default-src"), ["'self'"]);
    assert_eq!(get("script-src"), ["'self'"]);
    assert_eq!(get("object-src"), ["'none'"]);
    assert_eq!(get("base-uri"), ["'none'"]);
    // The page talks to the app over IPC only, never to Flinks or the sandbox directly.
    assert_eq!(get("connect-src"), ["ipc:", "http://ipc.localhost"]);
    for (name, values) in &directives {
        for v in values {
            assert!(
                !v.contains("unsafe") && *v != "*" && !v.starts_with("https:"),
                "{name} {v}"
            );
        }
    }
    assert!(
        conf["app"]["security"]["dangerousDisableAssetCspModification"].is_null(),
        "Tauri's nonces stay on"
    );
}

#[test]
fn only_the_main_window_gets_commands_and_only_the_apps_own() {
    let declared = declared_commands();
    let registered = registered_commands();
    assert_eq!(
        declared, registered,
        "build.rs and generate_handler! list the same commands"
    );
    let dir = format!("{}/capabilities", env!("CARGO_MANIFEST_DIR"));
    let mut granted = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let cap: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            cap["windows"],
            serde_json::json!(["main"]),
            "{}: only the main window",
            path.display()
        );
        assert!(
            cap["remote"].is_null(),
            "{}: no remote URLs get IPC",
            path.display()
        );
        assert!(cap["webviews"].is_null(), "{}", path.display());
        for p in cap["permissions"].as_array().expect("permissions") {
            let p = p.as_str().expect("a permission name, no scopes");
            let command = p
                .strip_prefix("allow-")
                .unwrap_or_else(|| panic!("{p}: only the app's own allow-<command> permissions"));
            granted.insert(command.replace('-', "_"));
        }
    }
    assert_eq!(
        granted, declared,
        "each command the UI calls is granted, and nothing else"
    );
    // And the UI (every module of it) calls exactly what it is granted: nothing more, and no
    // grant that no screen uses.
    let called = ui_calls();
    assert!(!called.is_empty(), "the UI's calls were found");
    for command in &called {
        assert!(
            granted.contains(command),
            "the UI calls {command}, not granted"
        );
    }
    for command in &granted {
        assert!(
            called.contains(command),
            "{command} is granted but no screen calls it"
        );
    }
}

/// The commands named in `call('…')` anywhere under ui/.
fn ui_calls() -> BTreeSet<String> {
    fn walk(dir: &std::path::Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "js") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.extend(
                    text.split("call('")
                        .skip(1)
                        .filter_map(|rest| rest.split_once('\'').map(|(name, _)| name.to_owned())),
                );
            }
        }
    }
    let mut calls = BTreeSet::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui"),
        &mut calls,
    );
    calls
}
