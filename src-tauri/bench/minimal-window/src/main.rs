//! The smallest Tauri 2 app: one window, the size of the desk's, on an empty page embedded in
//! the binary. `cargo desk bench app_start` starts it the way it starts the desk and compares the
//! idle memory of the two process trees.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running the minimal window");
}
