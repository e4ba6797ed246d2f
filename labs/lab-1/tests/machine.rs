//! ラボマシン（本物のsystemd 252とportabled）でのテスト。rootが必要です。
//! ラボマシンが止まっていればテストの最初に起動し、テストのプロセスの終わりに止めます。

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use lab_1::image::{build_directory, build_raw};
use lab_1::machine::Running;
use lab_1::portabled::{AttachOptions, Change, Portable, stage_image};
use lab_1::upgrade::hello_image::hello_manifest;
use lab_1::upgrade::{self, Method, Plan, cleanup, load};

/// 各テストが使うポート（upgrade-demoの既定とは別にします）。
const PORT: u16 = 18090;

/// portabledに接続し、前のテストが残したアタッチと、/var/lib/portablesに置いたイメージを消します。
fn connect(running: &Running) -> Portable {
    let portable = Portable::connect(&running.bus_address()).unwrap();
    cleanup(&portable);
    let staged = running.root().join("var/lib/portables");
    let _ = std::fs::remove_dir_all(&staged);
    std::fs::create_dir_all(&staged).unwrap();
    portable
}

/// portabledはユニットをハッシュ表の順に処理するので、変更の順は実行ごとに変わります。パスの順に並べます。
fn lines(changes: &[Change]) -> String {
    let mut changes = changes.to_vec();
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    changes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn book_snapshot(name: &str, text: &str) {
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!(name, text) });
}

/// `hello_VERSION.raw`を作ってラボマシンに置き、そこでのパスを返します。
fn staged_raw(running: &Running, dir: &Path, version: &str) -> String {
    let raw = build_raw(
        &hello_manifest(version, PORT, true, &common::hello_svc()),
        dir,
    )
    .unwrap();
    stage_image(&running.root(), &raw).unwrap()
}

/// ラボマシンの中の`portablectl list`を（名前, 種類, 状態）の行にします。
fn portablectl_list(running: &Running) -> Vec<(String, String, String)> {
    let output = running
        .command("portablectl")
        .args(["list", "--no-legend", "--no-pager"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut rows: Vec<_> = text
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|words| words.len() > 3)
        .map(|words| {
            (
                words[0].to_owned(),
                words[1].to_owned(),
                words[words.len() - 1].to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn client_list(portable: &Portable) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = portable
        .list_images()
        .unwrap()
        .into_iter()
        .map(|image| (image.name, image.kind, image.state))
        .collect();
    rows.sort();
    rows
}

#[test]
fn attach_directory_changes() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let tree = build_directory(
        &hello_manifest("1", PORT, true, &common::hello_svc()),
        work.path(),
    )
    .unwrap();
    let image = stage_image(&running.root(), &tree).unwrap();

    let attached = portable
        .attach(
            &image,
            &AttachOptions {
                profile: "default".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let detached = portable.detach(&image, false, &[]).unwrap();

    book_snapshot("attach_directory_changes", &lines(&attached));
    book_snapshot("detach_directory_changes", &lines(&detached));
}

#[test]
fn list_agrees_with_portablectl() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let image = staged_raw(&running, work.path(), "1");
    portable
        .attach(
            &image,
            &AttachOptions {
                profile: "default".into(),
                ..Default::default()
            },
        )
        .unwrap();

    let (ours, theirs) = (client_list(&portable), portablectl_list(&running));
    cleanup(&portable);
    assert_eq!(ours, theirs);
}

#[test]
fn attach_raw_serves_http() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let image = staged_raw(&running, work.path(), "1");

    let changes = portable
        .attach(
            &image,
            &AttachOptions {
                profile: "default".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let started = portable.start_attached(&changes).unwrap();
    let response = load::request_health(SocketAddr::from((Ipv4Addr::LOCALHOST, PORT)));
    let state = portable.image_state(&image).unwrap();
    cleanup(&portable);

    assert_eq!(started, vec!["hello.socket".to_owned()]);
    assert_eq!(response, Ok("1".to_owned()));
    assert_eq!(state, "running");
}

#[test]
fn reattach_changes() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let (v1, v2) = (
        staged_raw(&running, work.path(), "1"),
        staged_raw(&running, work.path(), "2"),
    );
    let options = AttachOptions {
        profile: "default".into(),
        ..Default::default()
    };

    portable.attach(&v1, &options).unwrap();
    let (removed, updated) = portable.reattach(&v2, &options).unwrap();
    let drop_in = running
        .root()
        .join("etc/systemd/system.attached/hello.service.d/20-portable.conf");
    let drop_in = std::fs::read_to_string(drop_in).unwrap();
    cleanup(&portable);

    book_snapshot(
        "reattach_changes",
        &format!(
            "# 消した変更\n{}\n# 書いた変更\n{}",
            lines(&removed),
            lines(&updated)
        ),
    );
    assert!(
        drop_in.contains("RootImage=/var/lib/portables/hello_2.raw"),
        "ドロップインがv2を指していません:\n{drop_in}"
    );
}

#[test]
fn profile_drop_ins() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let image = staged_raw(&running, work.path(), "1");

    let mut text = String::new();
    for profile in ["default", "nonetwork", "strict", "trusted"] {
        let options = AttachOptions {
            profile: profile.into(),
            ..Default::default()
        };
        let changes = portable.attach(&image, &options).unwrap();
        let profile_link = changes
            .iter()
            .find(|change| change.path.ends_with("hello.service.d/10-profile.conf"));
        text.push_str(&format!(
            "{profile}: {}\n",
            profile_link
                .map(|change| change.source.as_str())
                .unwrap_or("なし")
        ));
        portable.detach(&image, false, &[]).unwrap();
    }
    portable
        .attach(
            &image,
            &AttachOptions {
                profile: "strict".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let drop_in = running
        .root()
        .join("etc/systemd/system.attached/hello.service.d/20-portable.conf");
    let drop_in = std::fs::read_to_string(drop_in).unwrap();
    cleanup(&portable);

    book_snapshot("profile_links", &text);
    book_snapshot("portable_drop_in", &drop_in);
}

#[test]
fn attach_unknown_image_error() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let options = AttachOptions {
        profile: "default".into(),
        ..Default::default()
    };
    let error = portable
        .attach("/var/lib/portables/nothing_1.raw", &options)
        .unwrap_err();
    book_snapshot("attach_unknown_image_error", &error.to_string());
}

#[test]
fn upgrade_socket_kept_no_failures() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let target = lab_1::machine::Target::Machine(running);
    let plan = Plan {
        port: PORT,
        ..Plan::default()
    };

    let mut outcomes = Vec::new();
    for method in Method::ALL {
        outcomes.push(
            upgrade::run_method(
                &target,
                &portable,
                &plan,
                work.path(),
                &common::hello_svc(),
                method,
            )
            .unwrap(),
        );
    }
    println!("{}", upgrade::report::table(&outcomes));

    let kept = &outcomes[0].report;
    assert!(
        kept.sent >= 2000,
        "送信が{}件で、2000件に届きません",
        kept.sent
    );
    assert_eq!(
        kept.failed, 0,
        "ソケットを残した更新で失敗がありました: {:?}",
        kept.errors
    );
    assert_eq!(kept.version_sequence, vec!["1".to_owned(), "2".to_owned()]);
}

/// 各プロファイルで同じイメージをアタッチし、サービスの中からの探りと`systemd-analyze security`の評価を並べます。
#[test]
fn profile_probes() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let image = staged_raw(&running, work.path(), "1");
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, PORT));

    // サービスから外向きに接続できるかを見る相手。ホストのループバックで待ち受けます。
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let probe_path = format!("/probe?port={}", listener.local_addr().unwrap().port());

    let mut rows = String::from(
        "| プロファイル | /health | サービスの中からの探り | マシンの/runに現れたか | systemd-analyze security |\n| --- | --- | --- | --- | --- |\n",
    );
    for profile in ["default", "nonetwork", "strict", "trusted"] {
        let changes = portable
            .attach(
                &image,
                &AttachOptions {
                    profile: profile.into(),
                    ..Default::default()
                },
            )
            .unwrap();
        portable.start_attached(&changes).unwrap();
        let health = load::request_health(address).unwrap_or_else(|error| error);
        let probe = load::http_get(address, &probe_path).unwrap_or_else(|error| error);
        let verdict = security_verdict(&running, "hello.service");
        // サービスが書いた/run/hello-probeが、ラボマシンの/runに現れたか（サービス専用の/runならなし）。
        let host_file = running.root().join("run/hello-probe");
        let visible = if host_file.exists() {
            "あり"
        } else {
            "なし"
        };
        let _ = std::fs::remove_file(host_file);
        cleanup(&portable);
        rows.push_str(&format!(
            "| {profile} | {health} | `{}` | {visible} | {verdict} |\n",
            redact_dynamic_uid(probe.trim())
        ));
    }
    book_snapshot("profile_probes", &rows);
}

/// `systemd-analyze security UNIT`の最後の行から、点数と評価（例: `5.6 MEDIUM`）を取り出します。
fn security_verdict(running: &Running, unit: &str) -> String {
    let output = running
        .command("systemd-analyze")
        .args(["security", "--no-pager", unit])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let last = text
        .lines()
        .rev()
        .find(|line| line.contains("Overall exposure level"))
        .unwrap_or("評価なし");
    let words: Vec<&str> = last
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .take(2)
        .collect();
    words.join(" ")
}

/// DynamicUser= のUIDは実行ごとに変わるので、0 (root)以外を伏せます。
fn redact_dynamic_uid(probe: &str) -> String {
    match probe.rsplit_once("\"uid\":") {
        Some((head, "0}")) => format!("{head}\"uid\":0}}"),
        Some((head, _)) => format!("{head}\"uid\":\"[動的]\"}}"),
        None => probe.to_owned(),
    }
}

/// 検証が報告する「マウントポイントがない」は、portabledには通り、サービスの起動で初めて失敗します。
#[test]
fn missing_proc_fails_at_start() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let manifest = hello_manifest("1", PORT, false, &common::hello_svc());
    let tree = build_directory(&manifest, work.path()).unwrap();
    std::fs::remove_dir(tree.join("proc")).unwrap();

    // build_rawは検証で断るので、mksquashfsを直接呼んで壊れた.rawを作ります。
    let raw = work.path().join("hello_1.raw");
    let status = std::process::Command::new("mksquashfs")
        .arg(&tree)
        .arg(&raw)
        .args(["-noappend", "-all-root", "-quiet", "-no-progress"])
        .status()
        .unwrap();
    assert!(status.success());
    let image = stage_image(&running.root(), &raw).unwrap();

    let attached = portable.attach(
        &image,
        &AttachOptions {
            profile: "default".into(),
            ..Default::default()
        },
    );
    // Type=simpleの起動ジョブはforkした時点で終わるので、少し待ってから応答と状態を見ます。
    // 失敗は226/NAMESPACE (マウント名前空間を作れない)で、journalに残ります。
    portable.start_unit("hello.service").unwrap();
    std::thread::sleep(std::time::Duration::from_secs(1));
    let response = load::request_health(SocketAddr::from((Ipv4Addr::LOCALHOST, PORT)));
    let state = portable.unit_states(&["hello.service".to_owned()]).unwrap();
    cleanup(&portable);

    assert!(
        attached.is_ok(),
        "portabledがアタッチを断りました: {attached:?}"
    );
    assert!(
        response.is_err(),
        "/procのないイメージでサービスが応答しました"
    );
    assert_eq!(state[0].active_state, "failed");
}

/// 検証が「portabledが断る」と書く形を、本物のportabledに渡して同じ理由で断られることを確かめます。
#[test]
fn portabled_rejects_like_validate() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let manifest = hello_manifest("1", PORT, true, &common::hello_svc());
    let good = build_directory(&manifest, work.path()).unwrap();
    let cases = [
        (
            "hello_7",
            Some("ID=\"karui\"\nPORTABLE_PREFIXES=\"web\"\n"),
            "are not compatible with portable service image",
        ),
        ("hello_8", None, "lacks os-release data"),
        (
            "hello_9",
            Some("PORTABLE_PRETTY_NAME=\"hello\"\n"),
            "lacks the ID field",
        ),
        (
            "my_app_1",
            Some("ID=\"karui\"\n"),
            "Couldn't find any matching unit files",
        ),
    ];

    for (name, os_release, expected) in cases {
        let tree = work.path().join(name);
        let status = std::process::Command::new("cp")
            .arg("-a")
            .arg(&good)
            .arg(&tree)
            .status()
            .unwrap();
        assert!(status.success());
        match os_release {
            Some(text) => std::fs::write(tree.join("usr/lib/os-release"), text).unwrap(),
            None => std::fs::remove_file(tree.join("usr/lib/os-release")).unwrap(),
        }
        let image = stage_image(&running.root(), &tree).unwrap();
        let options = AttachOptions {
            profile: "default".into(),
            ..Default::default()
        };
        let error = portable
            .attach(&image, &options)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        cleanup(&portable);
        assert!(
            error.contains(expected),
            "{name}: portabledのエラーに「{expected}」がありません: {error}"
        );
    }
}

/// `lab-1 status`と`lab-1 list`の表。時刻と使用量は実行ごとに変わるので伏せます。
#[test]
fn cli_status_and_list() {
    let (running, _lock) = common::lab_machine();
    let portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let image = staged_raw(&running, work.path(), "1");
    let changes = portable
        .attach(
            &image,
            &AttachOptions {
                profile: "default".into(),
                ..Default::default()
            },
        )
        .unwrap();
    portable.start_attached(&changes).unwrap();

    let lab1 = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_lab-1"))
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let (status, list) = (lab1(&["status"]), lab1(&["list"]));
    cleanup(&portable);

    book_snapshot("cli_status", &status);
    insta::with_settings!({
        omit_expression => true,
        filters => vec![
            (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}", "[時刻]"),
            (r"\d+ KiB", "[使用量]"),
        ],
    }, {
        insta::assert_snapshot!("cli_list", list);
    });
}

/// `lab-1 inspect --portabled`は、portabledがGetImageMetadataで読んだos-releaseとユニットを表示します。
#[test]
fn cli_inspect_portabled() {
    let (running, _lock) = common::lab_machine();
    let _portable = connect(&running);
    let work = tempfile::tempdir().unwrap();
    let raw = build_raw(
        &hello_manifest("1", 18080, true, &common::hello_svc()),
        work.path(),
    )
    .unwrap();

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lab-1"))
        .args(["inspect", "--portabled", raw.to_str().unwrap()])
        .output()
        .unwrap();
    book_snapshot(
        "cli_inspect_portabled",
        &String::from_utf8_lossy(&output.stdout),
    );
}
