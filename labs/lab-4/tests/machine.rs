//! ラボマシン（本物のsystemd）での配備: プロファイルとエンジンの組み合わせと、負荷をかけたままの更新です。
//! rootが必要です: `sudo -E env "PATH=$PATH" cargo test -p lab-4`

mod common;

use common::lab_machine;
use lab_1::machine::Target;
use lab_1::portabled::Portable;
use lab_4::deploy::{self, EngineChoice};
use lab_4::image::build_image;

/// v1とv2のイメージを作ってラボマシンに置きます。
fn staged_images(target: &Target, dir: &std::path::Path) -> (String, String) {
    let v1 = build_image(1, dir).unwrap_or_else(|e| panic!("{e}"));
    let v2 = build_image(2, dir).unwrap_or_else(|e| panic!("{e}"));
    (
        deploy::stage(target, &v1).unwrap(),
        deploy::stage(target, &v2).unwrap(),
    )
}

// ANCHOR: upgrade_test
#[test]
fn upgrade_under_load_loses_nothing() {
    let (running, _lock) = lab_machine();
    let target = Target::Machine(running);
    let portable = Portable::connect(&target.bus_address()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let (v1, v2) = staged_images(&target, work.path());

    let plan = deploy::default_plan();
    let result = deploy::upgrade(&target, &portable, (&v1, &v2), "strict", &plan);
    deploy::cleanup(&target, &portable, true);
    let outcome = result.unwrap_or_else(|e| panic!("{e}"));
    let report = &outcome.report;

    // 1件も失敗せず、5000件以上を送り、応答がv1からv2に1回だけ切り替わりました。
    assert_eq!(report.failed, 0, "{report:?}");
    assert!(report.sent >= 5000, "{report:?}");
    assert_eq!(report.version_sequence, ["1", "2"]);

    // v1が答えた/healthはすべて記録に残っています（起動を待つ間の1件を足します）。
    let v1_answers = report.versions["1"] + 1;
    assert_eq!(outcome.rows.get(&1).copied(), Some(v1_answers as i64));
    assert_eq!(outcome.schema_version, 2);
}
// ANCHOR_END: upgrade_test

#[test]
fn profiles_decide_the_engine() {
    let (running, _lock) = lab_machine();
    let target = Target::Machine(running);
    let portable = Portable::connect(&target.bus_address()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let v1 = build_image(1, work.path()).unwrap_or_else(|e| panic!("{e}"));
    let image = deploy::stage(&target, &v1).unwrap();

    let mut trials = Vec::new();
    for profile in ["default", "nonetwork", "strict", "trusted"] {
        for engine in EngineChoice::ALL {
            let trial = deploy::try_profile(&target, &portable, &image, profile, engine);
            trials.push(trial.unwrap_or_else(|e| panic!("{e}")));
        }
    }
    deploy::cleanup(&target, &portable, true);

    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("profiles", deploy::trials_table(&trials));
    });
    let errors: Vec<String> = trials
        .iter()
        .filter_map(|t| {
            t.error
                .as_ref()
                .map(|e| format!("{} / {}: {e}", t.profile, t.engine.label()))
        })
        .collect();
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("profile_errors", errors.join("\n"));
    });
}
