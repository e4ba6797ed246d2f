//! D-Busのエラーを日本語で説明します。元のエラー名は検索できるよう残します。

/// portabledやsystemdとのやりとりが失敗したときのエラー。
#[derive(Debug, thiserror::Error)]
pub enum PortableError {
    #[error(
        "システムバス{address}に接続できません: {source}。`scripts/lab-machine.sh status`でラボマシンが起動しているか確認してください。"
    )]
    Connect {
        address: String,
        source: Box<zbus::Error>,
    },
    #[error("{operation}が失敗しました: {explanation}（portabledのメッセージ: {message}、{name}）")]
    Method {
        operation: String,
        explanation: &'static str,
        message: String,
        name: String,
    },
    #[error("{operation}が失敗しました: {source}")]
    Bus {
        operation: String,
        source: Box<zbus::Error>,
    },
    #[error(
        "ユニット{unit}のジョブ{job}が{seconds}秒で終わりません。`journalctl -u {unit}`を確認してください。"
    )]
    JobTimeout {
        unit: String,
        job: String,
        seconds: u64,
    },
    #[error(
        "ユニット{unit}の{verb}が失敗しました（ジョブの結果: {result}）。`journalctl -u {unit}`を確認してください。"
    )]
    JobFailed {
        unit: String,
        verb: &'static str,
        result: String,
    },
    #[error("イメージ{path}をラボマシンへコピーできません: {source}")]
    Stage {
        path: String,
        source: std::io::Error,
    },
}

// ANCHOR: explain
/// よく出会うD-Busエラー名の説明と、次にすること。
pub fn explain(name: &str) -> &'static str {
    match name {
        "org.freedesktop.DBus.Error.InvalidArgs" => {
            "引数かイメージの中身が受け付けられませんでした。`lab-1 inspect`でイメージを確かめてください"
        }
        "org.freedesktop.DBus.Error.FileNotFound" => {
            "イメージのファイルがありません。パスはportabledから見たパスです（`lab-1 attach`はホストのファイルを/var/lib/portablesにコピーしてから渡します）"
        }
        "org.freedesktop.portable1.NoSuchImage" => {
            "イメージが見つかりません。パスか名前（NAME_VERSION）を確認してください"
        }
        "org.freedesktop.systemd1.NoSuchUnit" => {
            "そのユニットはありません。`lab-1 status`でアタッチ済みのユニットを確認してください"
        }
        "org.freedesktop.systemd1.UnitExists" => {
            "同じ名前のユニットがすでにあります。別のイメージがアタッチ済みなら`lab-1 detach`してください"
        }
        "org.freedesktop.systemd1.UnitMasked" => {
            "ユニットがマスクされています。`systemctl unmask`してください"
        }
        "org.freedesktop.DBus.Error.AccessDenied"
        | "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired" => {
            "権限がありません。rootで実行してください"
        }
        "org.freedesktop.DBus.Error.ServiceUnknown" => {
            "portabledがありません。ラボマシンの中にsystemd-containerパッケージが入っているか確認してください"
        }
        "org.freedesktop.DBus.Error.UnknownMethod" => {
            "このメソッドはありません。systemdの版（252以降）を確認してください"
        }
        "org.freedesktop.DBus.Error.NoReply" | "org.freedesktop.DBus.Error.Timeout" => {
            "応答がありません。ラボマシンのsystemdの状態を確認してください"
        }
        _ => "D-Busのエラーです。メッセージとエラー名を確認してください",
    }
}
// ANCHOR_END: explain

/// zbusのエラーを、操作名を添えた [`PortableError`] にします。
pub fn from_zbus(operation: &str, error: zbus::Error) -> PortableError {
    match error {
        zbus::Error::MethodError(name, message, _) => PortableError::Method {
            operation: operation.to_owned(),
            explanation: explain(name.as_str()),
            message: message.unwrap_or_default(),
            name: name.to_string(),
        },
        source => PortableError::Bus {
            operation: operation.to_owned(),
            source: Box::new(source),
        },
    }
}
