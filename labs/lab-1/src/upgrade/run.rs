//! 1つの方法を最初から最後まで: v1をアタッチ、負荷をかけてv2へ、片付け。

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use super::*;

// ANCHOR: run_method
/// `method`でv1からv2へ更新し、その間の負荷の結果を返します。終わったらデタッチして片付けます。
pub fn run_method(
    target: &Target,
    portable: &Portable,
    plan: &Plan,
    work_dir: &Path,
    binary: &Path,
    method: Method,
) -> Result<Outcome, UpgradeError> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, plan.port));
    let socket_activation = method != Method::NoSocket;
    cleanup(portable);

    // v1とv2の.rawを作り、ラボマシンの/var/lib/portablesに置きます。
    let v1 = build_raw(
        &hello_manifest("1", plan.port, socket_activation, binary),
        work_dir,
    )?;
    let v2 = build_raw(
        &hello_manifest("2", plan.port, socket_activation, binary),
        work_dir,
    )?;
    let v1 = stage_image(&target.root(), &v1)?;
    let v2 = stage_image(&target.root(), &v2)?;

    // v1をアタッチして起動します。ソケットがあればソケットだけを起動します。
    let options = AttachOptions {
        profile: "default".into(),
        ..AttachOptions::default()
    };
    let changes = portable.attach(&v1, &options)?;
    portable.start_attached(&changes)?;
    wait_for_version(address, "1")?;

    let upgrade = || match method {
        Method::SocketKept | Method::NoSocket => {
            portable.reattach(&v2, &options)?;
            portable.restart_unit("hello.service")?;
            Ok::<_, UpgradeError>(None)
        }
        Method::PortablectlNow => {
            let since = std::time::SystemTime::now();
            portablectl_reattach_now(target, &v2)?;
            Ok(order::read_restart_order(target, since))
        }
    };
    let result = measure(address, plan, load::request_health, upgrade);
    cleanup(portable);
    remove_staged(target, &[&v1, &v2]);
    let (report, upgrade_ms, restart_order) = result?;
    Ok(Outcome {
        round: 1,
        method,
        report,
        upgrade_ms,
        restart_order,
    })
}
// ANCHOR_END: run_method

/// 記事のとおり`portablectl reattach --now`を、操作するsystemdの側で実行します。
fn portablectl_reattach_now(target: &Target, image: &str) -> Result<(), UpgradeError> {
    let output = target
        .command("portablectl")
        .args(["reattach", "--now", image])
        .output();
    let output = output.map_err(|error| UpgradeError::Portablectl(error.to_string()))?;
    // ソケットの起動が失敗しても、portablectlは0以外で終わります。その影響は負荷の数字に出るので、ここでは止めません。
    if !output.status.success() {
        eprintln!(
            "portablectl reattach --now: {} ({})",
            String::from_utf8_lossy(&output.stderr).trim(),
            output.status
        );
    }
    Ok(())
}

/// `stage_image`でラボマシンの`/var/lib/portables/`に置いた、この計測のイメージを消します。
fn remove_staged(target: &Target, images: &[&str]) {
    for image in images {
        let path = target.root().join(image.trim_start_matches('/'));
        if let Err(error) = std::fs::remove_file(&path) {
            eprintln!("{}を消せませんでした: {error}", path.display());
        }
    }
}

/// helloのユニットを止め、アタッチされたhelloのイメージをデタッチします。失敗は無視します（片付けなので）。
pub fn cleanup(portable: &Portable) {
    for unit in ["hello.socket", "hello.service"] {
        let _ = portable.stop_unit(unit);
    }
    let Ok(images) = portable.list_images() else {
        return;
    };
    for image in images
        .iter()
        .filter(|image| image.name.starts_with("hello_") && image.state != "detached")
    {
        let _ = portable.detach(&image.name, false, &[]);
        let _ = portable.detach(&image.name, true, &[]);
    }
}
