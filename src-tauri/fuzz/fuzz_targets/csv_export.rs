#![no_main]

use flinks_desk_fuzz::csv_case;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (run, options) = csv_case::case(data);
    csv_case::check(&run, options);
    csv_case::check_wide(&csv_case::portfolio(&run), options);
});
