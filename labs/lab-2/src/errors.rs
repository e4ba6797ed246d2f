//! コンポーネントを読み込むときの失敗と、その日本語のメッセージです。

use std::path::{Path, PathBuf};

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Precompiled};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::host::HostState;

/// 読み込みの失敗です。どれも「何が・どの値で・次に何をするか」を言います。
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "コンポーネント `{}` が見つかりません。パスを確かめてください (組み込みのゲストのパスは `lab-2 guests` で表示できます)。(ENOENT)",
        path.display()
    )]
    NotFound { path: PathBuf },

    #[error("`{}` を読めません: {source}。", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "`{}` はWebAssemblyのファイルではありません (先頭が `\\0asm` ではありません)。`cargo build --target wasm32-wasip2` で作った .wasmを指定してください。",
        path.display()
    )]
    NotWasm { path: PathBuf },

    #[error(
        "`{}` はコアモジュールで、コンポーネントではありません。`--target wasm32-wasip2` でビルドし直すか、`wasm-tools component new` でコンポーネントに変換してください。",
        path.display()
    )]
    CoreModule { path: PathBuf },

    #[error(
        "`{}` はこのエンジンの設定ではロードできないAOT成果物です: {detail}。同じ `--engine` を付けて `lab-2 compile` をやり直してください。",
        path.display()
    )]
    Incompatible { path: PathBuf, detail: String },

    #[error(
        "`{}` がインポートする `{import}` を、このホストは提供していません。このホストが渡すのはwasi:http/proxyワールドとWASI 0.2の標準インターフェースだけです。ゲストから `{import}` を使うコードを取り除いてビルドし直すか、ホストのリンカーにその実装を追加してください。",
        path.display()
    )]
    MissingImport { path: PathBuf, import: String },

    #[error(
        "`{}` は `wasi:http/incoming-handler` をエクスポートしていません。ゲストでwasi:http/proxyワールドを実装してください ({detail})。",
        path.display()
    )]
    NotProxy { path: PathBuf, detail: String },

    #[error("`{}` をコンパイルできません: {detail}", path.display())]
    Compile { path: PathBuf, detail: String },
}

// ANCHOR: load
/// `.wasm` (コンポーネント) か `.cwasm` (AOT成果物) を読み込みます。
pub fn load_component(engine: &Engine, path: &Path) -> Result<Component, LoadError> {
    let bytes = read_file(path)?;

    // AOT成果物なら、コンパイルせずにそのまま読み込みます。
    match Engine::detect_precompiled(&bytes) {
        Some(Precompiled::Component) => return deserialize(engine, path),
        Some(Precompiled::Module) => return Err(LoadError::CoreModule { path: path.into() }),
        None => {}
    }

    check_component(path, &bytes)?;
    Component::new(engine, &bytes).map_err(|e| LoadError::Compile {
        path: path.into(),
        detail: format!("{e:#}"),
    })
}

// ANCHOR: check_component
/// wasmのバイナリは先頭4バイトが `\0asm`、続く4バイトでコアモジュールかコンポーネントかが分かります。
pub fn check_component(path: &Path, bytes: &[u8]) -> Result<(), LoadError> {
    match bytes.get(..8) {
        Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => Err(LoadError::CoreModule { path: path.into() }),
        Some([0, b'a', b's', b'm', ..]) => Ok(()),
        _ => Err(LoadError::NotWasm { path: path.into() }),
    }
}
// ANCHOR_END: check_component
// ANCHOR_END: load

/// ファイルを読みます。無いときは専用のエラーにします。
pub fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound { path: path.into() },
        _ => LoadError::Read {
            path: path.into(),
            source,
        },
    })
}

/// AOT成果物をメモリにマップして読み込みます。
fn deserialize(engine: &Engine, path: &Path) -> Result<Component, LoadError> {
    // SAFETY: 読み込むのは、このプログラムの `compile` が書いたファイルだけ、という前提です。
    // wasmtimeはヘッダーでエンジンの設定の一致を確かめますが、中身の機械語は検証しません。
    unsafe { Component::deserialize_file(engine, path) }.map_err(|e| LoadError::Incompatible {
        path: path.into(),
        detail: format!("{e:#}"),
    })
}

// ANCHOR: pre
/// インポートを解決して事前インスタンス化します。足りないインポートはその名前で報告します。
pub fn pre_instantiate(
    linker: &Linker<HostState>,
    component: &Component,
    path: &Path,
) -> Result<ProxyPre<HostState>, LoadError> {
    let instance_pre = linker.instantiate_pre(component).map_err(|e| {
        let detail = format!("{e:#}");
        LoadError::MissingImport {
            path: path.into(),
            import: missing_import(linker, component, &detail).unwrap_or(detail),
        }
    })?;
    ProxyPre::new(instance_pre).map_err(|e| LoadError::NotProxy {
        path: path.into(),
        detail: format!("{e:#}"),
    })
}
// ANCHOR_END: pre

/// リンカーのエラーの文面に現れるインポート名を探します。
fn missing_import(
    linker: &Linker<HostState>,
    component: &Component,
    detail: &str,
) -> Option<String> {
    let engine = linker.engine();
    component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .find(|name| detail.contains(&format!("`{name}`")))
}
