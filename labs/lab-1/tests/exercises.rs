//! 演習のテスト。`./scripts/exercise.sh start 1 K`で出発点のコードに置き換えると失敗し、解けると通ります。

mod common;

use std::os::unix::fs::PermissionsExt;

use lab_1::activation::{ListenFd, parse_listen_fds};
use lab_1::image::validate::exec_interpreter;
use lab_1::image::{image_prefix, unit_matches_prefix};

#[test]
fn exercise_1_prefix_stops_at_first_underscore() {
    assert_eq!(image_prefix("my_app_1.raw"), "my");
}

#[test]
fn exercise_1_prefix_strips_raw() {
    assert_eq!(image_prefix("/var/lib/portables/hello.raw"), "hello");
}

#[test]
fn exercise_1_prefix_of_directory() {
    assert_eq!(image_prefix("hello_2"), "hello");
}

#[test]
fn exercise_1_unit_match_separators() {
    let units = ["hello.service", "hello-api.socket", "hello@1.service"];
    assert!(units.iter().all(|unit| unit_matches_prefix(unit, "hello")));
}

#[test]
fn exercise_1_unit_match_needs_separator() {
    assert!(!unit_matches_prefix("helloworld.service", "hello"));
}

#[test]
fn exercise_2_fds_start_at_three() {
    let fds = parse_listen_fds(Some("7"), Some("2"), Some("web:admin"), 7).unwrap();
    let expected = vec![
        ListenFd {
            fd: 3,
            name: "web".into(),
        },
        ListenFd {
            fd: 4,
            name: "admin".into(),
        },
    ];
    assert_eq!(fds, expected);
}

#[test]
fn exercise_2_other_pid_is_ignored() {
    assert_eq!(
        parse_listen_fds(Some("8"), Some("1"), None, 7).unwrap(),
        Vec::new()
    );
}

#[test]
fn exercise_2_no_variables() {
    assert_eq!(parse_listen_fds(None, None, None, 7).unwrap(), Vec::new());
}

#[test]
fn exercise_2_bad_count_is_error() {
    assert!(parse_listen_fds(Some("7"), Some("two"), None, 7).is_err());
}

#[test]
fn exercise_3_static_binary() {
    assert_eq!(exec_interpreter(&common::hello_svc()), None);
}

#[test]
fn exercise_3_dynamic_binary() {
    let interpreter = exec_interpreter(std::path::Path::new("/bin/true"));
    assert!(
        interpreter.is_some_and(|path| path.contains("ld-linux")),
        "/bin/trueのld.soが見つかりません"
    );
}

#[test]
fn exercise_3_script() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("run.sh");
    std::fs::write(&script, "#!/usr/bin/env python3\nprint('hi')\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(exec_interpreter(&script), Some("/usr/bin/env".to_owned()));
}
