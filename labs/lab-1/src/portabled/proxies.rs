//! zbusのプロキシ: `org.freedesktop.portable1.Manager`と`org.freedesktop.systemd1.Manager`。
//! シグネチャはsystemd 252のD-Busインターフェースに合わせています。

use std::collections::HashMap;

use zbus::zvariant::OwnedObjectPath;

/// portabledが返す変更1件: (種類, パス, リンク先またはコピー元)。
pub type ChangeTuple = (String, String, String);

/// GetImageMetadataの戻り値: (イメージのパス, os-releaseの中身, ユニット名ごとのユニットファイルの中身)。
pub type MetadataTuple = (String, Vec<u8>, HashMap<String, Vec<u8>>);

/// ListImagesの1行: (名前, 種類, 読み取り専用, 作成時刻 µs, 更新時刻 µs, 使用量, 状態, オブジェクトパス)。
pub type ImageTuple = (String, String, bool, u64, u64, u64, String, OwnedObjectPath);

// ANCHOR: portable_proxy
#[zbus::proxy(
    interface = "org.freedesktop.portable1.Manager",
    default_service = "org.freedesktop.portable1",
    default_path = "/org/freedesktop/portable1",
    gen_async = false,
    blocking_name = "PortableManagerProxy"
)]
pub trait PortableManager {
    /// 検索パス（/etc/portables、/run/portables、/var/lib/portablesなど）のイメージ。`a(ssbtttso)`
    fn list_images(&self) -> zbus::Result<Vec<ImageTuple>>;

    /// os-releaseと、`matches`に一致するユニットファイルの中身。`(s ay a{say})`
    fn get_image_metadata(&self, image: &str, matches: &[&str]) -> zbus::Result<MetadataTuple>;

    /// `detached`、`attached`、`attached-runtime`、`enabled`、`running`など。
    fn get_image_state(&self, image: &str) -> zbus::Result<String>;

    /// `matches`が空だと、接頭辞を問わずすべてのユニットをアタッチします。`copy_mode`は"" / "copy" / "symlink"。
    fn attach_image(
        &self,
        image: &str,
        matches: &[&str],
        profile: &str,
        runtime: bool,
        copy_mode: &str,
    ) -> zbus::Result<Vec<ChangeTuple>>;

    fn detach_image(&self, image: &str, runtime: bool) -> zbus::Result<Vec<ChangeTuple>>;

    /// 古い版をデタッチして新しい版をアタッチします。戻り値は（消した変更, 書いた変更）。
    fn reattach_image(
        &self,
        image: &str,
        matches: &[&str],
        profile: &str,
        runtime: bool,
        copy_mode: &str,
    ) -> zbus::Result<(Vec<ChangeTuple>, Vec<ChangeTuple>)>;
}
// ANCHOR_END: portable_proxy

/// ListUnitsByNamesの1行（名前, 説明, load, active, sub, following, パス, ジョブID, ジョブ種別, ジョブパス）。
pub type UnitTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    OwnedObjectPath,
    u32,
    String,
    OwnedObjectPath,
);

// ANCHOR: systemd_proxy
#[zbus::proxy(
    interface = "org.freedesktop.systemd1.Manager",
    default_service = "org.freedesktop.systemd1",
    default_path = "/org/freedesktop/systemd1",
    gen_async = false,
    blocking_name = "SystemdManagerProxy"
)]
pub trait SystemdManager {
    /// ジョブの終わりなどのシグナルを送ってもらうよう頼みます。
    fn subscribe(&self) -> zbus::Result<()>;

    /// ユニットファイルを読み直します（`systemctl daemon-reload`）。返るのは読み直しが終わってからです。
    fn reload(&self) -> zbus::Result<()>;

    fn start_unit(&self, name: &str, mode: &str) -> zbus::Result<OwnedObjectPath>;
    fn stop_unit(&self, name: &str, mode: &str) -> zbus::Result<OwnedObjectPath>;
    fn restart_unit(&self, name: &str, mode: &str) -> zbus::Result<OwnedObjectPath>;
    fn list_units_by_names(&self, names: &[&str]) -> zbus::Result<Vec<UnitTuple>>;

    /// ジョブが終わると届きます。`result`は`done`、`failed`、`canceled`、`timeout`など。
    #[zbus(signal)]
    fn job_removed(
        &self,
        id: u32,
        job: OwnedObjectPath,
        unit: String,
        result: String,
    ) -> zbus::Result<()>;
}
// ANCHOR_END: systemd_proxy
