//! The test server starts, and each database asked for is new and its own.

use std::process::Command;

#[test]
fn each_database_is_new_and_answers() {
    let server = confab_testkit::postgres();
    let first = server.database();
    let second = server.database();
    assert_ne!(first, second);
    for url in [&first, &second] {
        let out = Command::new("psql")
            .args([
                url.as_str(),
                "-tAc",
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            ])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    }
}
