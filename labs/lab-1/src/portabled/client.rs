//! [`Portable`]: portabledとPID 1の両方に話すクライアント。

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::Serialize;
use zbus::blocking::Connection;

use super::changes::{Change, attached_units};
use super::errors::{PortableError, from_zbus};
use super::jobs::JobWatcher;
use super::proxies::{PortableManagerProxy, SystemdManagerProxy};
use crate::image::image_prefix;

/// ジョブ（起動、停止、再起動）を待つ上限。
const JOB_TIMEOUT: Duration = Duration::from_secs(60);

/// アタッチのオプション。`portablectl attach`のオプションと同じ意味です。
#[derive(Debug, Clone, Default)]
pub struct AttachOptions {
    /// `default`、`nonetwork`、`strict`、`trusted`。
    pub profile: String,
    /// `/run`に置き、再起動で消えるようにします。
    pub runtime: bool,
    /// "" (既定)、`copy`、`symlink`。
    pub copy_mode: String,
}

/// ListImagesの1行。
#[derive(Debug, Clone, Serialize)]
pub struct ImageInfo {
    pub name: String,
    pub kind: String,
    pub read_only: bool,
    /// 更新時刻（UNIX時刻、マイクロ秒）。
    pub mtime_usec: u64,
    pub usage_bytes: u64,
    pub state: String,
}

/// ユニットの状態（ListUnitsByNamesの一部）。
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnitState {
    pub name: String,
    pub load_state: String,
    pub active_state: String,
    pub sub_state: String,
}

/// portabledとPID 1のプロキシ、ジョブの見張りをまとめたもの。
pub struct Portable {
    portable: PortableManagerProxy<'static>,
    systemd: SystemdManagerProxy<'static>,
    jobs: JobWatcher,
}

impl Portable {
    // ANCHOR: connect
    /// `address` (例: `unix:path=/proc/PID/root/run/dbus/system_bus_socket`)のシステムバスに接続します。
    pub fn connect(address: &str) -> Result<Self, PortableError> {
        let connect_error = |source| PortableError::Connect {
            address: address.to_owned(),
            source: Box::new(source),
        };
        let builder =
            zbus::blocking::connection::Builder::address(address).map_err(connect_error)?;
        let connection: Connection = builder.build().map_err(connect_error)?;

        let portable = PortableManagerProxy::new(&connection).map_err(connect_error)?;
        let systemd = SystemdManagerProxy::new(&connection).map_err(connect_error)?;

        // JobRemovedは登録したクライアントにも届きますが、ほかのクライアントのジョブも見えるようSubscribeします。
        // ジョブを出す前に受信を始めます。
        systemd
            .subscribe()
            .map_err(|error| from_zbus("Subscribe", error))?;
        let jobs = JobWatcher::start(&systemd).map_err(connect_error)?;
        Ok(Self {
            portable,
            systemd,
            jobs,
        })
    }
    // ANCHOR_END: connect

    pub fn list_images(&self) -> Result<Vec<ImageInfo>, PortableError> {
        let images = self
            .portable
            .list_images()
            .map_err(|error| from_zbus("ListImages", error))?;
        let images = images.into_iter().map(
            |(name, kind, read_only, _crtime, mtime_usec, usage_bytes, state, _)| ImageInfo {
                name,
                kind,
                read_only,
                mtime_usec,
                usage_bytes,
                state,
            },
        );
        Ok(images.collect())
    }

    pub fn image_state(&self, image: &str) -> Result<String, PortableError> {
        self.portable
            .get_image_state(image)
            .map_err(|error| from_zbus("GetImageState", error))
    }

    /// os-releaseの中身と、接頭辞に一致するユニットファイルの名前と中身を返します。
    pub fn metadata(&self, image: &str) -> Result<(String, Vec<(String, String)>), PortableError> {
        let prefix = image_prefix(image);
        let (_, os_release, units) = self
            .portable
            .get_image_metadata(image, &[prefix])
            .map_err(|error| from_zbus("GetImageMetadata", error))?;
        let mut units: Vec<(String, String)> = units
            .into_iter()
            .map(|(name, text)| (name, String::from_utf8_lossy(&text).into_owned()))
            .collect();
        units.sort();
        Ok((String::from_utf8_lossy(&os_release).into_owned(), units))
    }

    // ANCHOR: attach
    /// イメージをアタッチし、PID 1にユニットファイルを読み直させます。
    /// 接頭辞はportablectlと同じくファイル名から決めます（portabledは空の接頭辞ならすべてを対象にします）。
    pub fn attach(
        &self,
        image: &str,
        options: &AttachOptions,
    ) -> Result<Vec<Change>, PortableError> {
        let prefix = image_prefix(image);
        let changes = self
            .portable
            .attach_image(
                image,
                &[prefix],
                &options.profile,
                options.runtime,
                &options.copy_mode,
            )
            .map_err(|error| from_zbus("AttachImage", error))?;

        self.reload()?;
        Ok(changes.into_iter().map(Change::from).collect())
    }
    // ANCHOR_END: attach

    /// ユニットを止めてからデタッチし、PID 1に読み直させます。
    pub fn detach(
        &self,
        image: &str,
        runtime: bool,
        stop: &[String],
    ) -> Result<Vec<Change>, PortableError> {
        for unit in stop {
            self.stop_unit(unit)?;
        }
        let changes = self
            .portable
            .detach_image(image, runtime)
            .map_err(|error| from_zbus("DetachImage", error))?;
        self.reload()?;
        Ok(changes.into_iter().map(Change::from).collect())
    }

    // ANCHOR: reattach
    /// 同じ接頭辞の古い版を新しい版に置き換え、PID 1に読み直させます。ユニットは止めも再起動もしません。
    /// 戻り値は（消した変更, 書いた変更）です。
    pub fn reattach(
        &self,
        image: &str,
        options: &AttachOptions,
    ) -> Result<(Vec<Change>, Vec<Change>), PortableError> {
        let prefix = image_prefix(image);
        let (removed, updated) = self
            .portable
            .reattach_image(
                image,
                &[prefix],
                &options.profile,
                options.runtime,
                &options.copy_mode,
            )
            .map_err(|error| from_zbus("ReattachImage", error))?;

        self.reload()?;
        let into_changes = |list: Vec<_>| list.into_iter().map(Change::from).collect();
        Ok((into_changes(removed), into_changes(updated)))
    }
    // ANCHOR_END: reattach

    pub fn reload(&self) -> Result<(), PortableError> {
        self.systemd
            .reload()
            .map_err(|error| from_zbus("Reload", error))
    }

    pub fn start_unit(&self, unit: &str) -> Result<(), PortableError> {
        let job = self
            .systemd
            .start_unit(unit, "replace")
            .map_err(|error| from_zbus("StartUnit", error))?;
        self.wait_job(unit, "起動", &job)
    }

    pub fn stop_unit(&self, unit: &str) -> Result<(), PortableError> {
        let job = self
            .systemd
            .stop_unit(unit, "replace")
            .map_err(|error| from_zbus("StopUnit", error))?;
        self.wait_job(unit, "停止", &job)
    }

    pub fn restart_unit(&self, unit: &str) -> Result<(), PortableError> {
        let job = self
            .systemd
            .restart_unit(unit, "replace")
            .map_err(|error| from_zbus("RestartUnit", error))?;
        self.wait_job(unit, "再起動", &job)
    }

    // ANCHOR: wait_job
    /// ジョブのJobRemovedを待ち、結果が`done`でなければエラーにします。
    fn wait_job(
        &self,
        unit: &str,
        verb: &'static str,
        job: &zbus::zvariant::OwnedObjectPath,
    ) -> Result<(), PortableError> {
        let job = job.to_string();
        match self.jobs.wait(&job, JOB_TIMEOUT) {
            Some(result) if result == "done" => Ok(()),
            Some(result) => Err(PortableError::JobFailed {
                unit: unit.to_owned(),
                verb,
                result,
            }),
            None => Err(PortableError::JobTimeout {
                unit: unit.to_owned(),
                job,
                seconds: JOB_TIMEOUT.as_secs(),
            }),
        }
    }
    // ANCHOR_END: wait_job

    pub fn unit_states(&self, units: &[String]) -> Result<Vec<UnitState>, PortableError> {
        let names: Vec<&str> = units.iter().map(String::as_str).collect();
        let rows = self
            .systemd
            .list_units_by_names(&names)
            .map_err(|error| from_zbus("ListUnitsByNames", error))?;
        let rows =
            rows.into_iter().map(
                |(name, _, load_state, active_state, sub_state, ..)| UnitState {
                    name,
                    load_state,
                    active_state,
                    sub_state,
                },
            );
        Ok(rows.collect())
    }

    /// アタッチで現れたユニットを起動します。ソケットを先に起動し、同名のソケットがあるサービスは起動しません
    /// （portablectl 252の`--now`は変更の順に起動し、サービスが先になるとソケットがbindに失敗します）。
    pub fn start_attached(&self, changes: &[Change]) -> Result<Vec<String>, PortableError> {
        let units = attached_units(changes);
        let activated = |unit: &str| {
            unit.strip_suffix(".service")
                .is_some_and(|stem| units.contains(&format!("{stem}.socket")))
        };
        let mut order: Vec<&String> = units
            .iter()
            .filter(|unit| unit.ends_with(".socket"))
            .collect();
        order.extend(
            units
                .iter()
                .filter(|unit| unit.ends_with(".service") && !activated(unit)),
        );
        for unit in &order {
            self.start_unit(unit)?;
        }
        Ok(order.into_iter().cloned().collect())
    }
}

/// イメージ（ファイルかディレクトリ）を、操作するsystemdから見える`/var/lib/portables/`へコピーし、
/// そこでのパスを返します。`root`はそのルートのホスト側のパスです。
pub fn stage_image(root: &Path, image: &Path) -> Result<String, PortableError> {
    let stage_error = |source| PortableError::Stage {
        path: image.display().to_string(),
        source,
    };
    let name = image
        .file_name()
        .ok_or_else(|| stage_error(std::io::Error::other("ファイル名がありません")))?;
    let dir = root.join("var/lib/portables");
    std::fs::create_dir_all(&dir).map_err(stage_error)?;

    // 置き換え中のファイルをportabledが読まないよう、別名へコピーしてから名前を変えます。
    let staging = dir.join(format!(".{}.partial", name.to_string_lossy()));
    let target = dir.join(name);
    let _ = std::fs::remove_dir_all(&staging).or_else(|_| std::fs::remove_file(&staging));
    let status = Command::new("cp")
        .arg("-a")
        .arg(image)
        .arg(&staging)
        .status()
        .map_err(stage_error)?;
    if !status.success() {
        return Err(stage_error(std::io::Error::other(format!(
            "cpが失敗しました（{status}）"
        ))));
    }
    let _ = std::fs::remove_dir_all(&target).or_else(|_| std::fs::remove_file(&target));
    std::fs::rename(&staging, &target).map_err(stage_error)?;
    Ok(format!("/var/lib/portables/{}", name.to_string_lossy()))
}
