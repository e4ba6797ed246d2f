//! コンポーネントを読み込むときの失敗と、その日本語のメッセージです。

use std::path::{Path, PathBuf};

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Precompiled};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::host::HostState;

/// 読み込みの失敗です。どれも「何が・どの値で・次に何をするか」を示します。
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "コンポーネント`{}`が見つかりません。パスを確かめてください（組み込みのゲストのパスは`lab-2 guests`で表示できます）。(ENOENT)",
        path.display()
    )]
    NotFound { path: PathBuf },

    #[error("`{}`を読めません: {source}。", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "`{}`はWebAssemblyのファイルではありません（先頭が`\\0asm`ではありません）。`cargo build --target wasm32-wasip2`で作った.wasmを指定してください。",
        path.display()
    )]
    NotWasm { path: PathBuf },

    #[error(
        "`{}`はコアモジュールで、コンポーネントではありません。`--target wasm32-wasip2`でビルドし直すか、`wasm-tools component new`でコンポーネントに変換してください。",
        path.display()
    )]
    CoreModule { path: PathBuf },

    #[error(
        "`{}`は、このエンジンでは読み込めないAOT成果物です。{hint}（{detail}）",
        path.display()
    )]
    Incompatible {
        path: PathBuf,
        hint: String,
        detail: String,
    },

    #[error(
        "メモリの上限{limit_mib} MiB（`--memory-mib {limit_mib}`）は、`{}`のゲストが起動時に必要とする{min_bytes}バイト（約{min_mib} MiB）より小さいので、配信できません。`--memory-mib {min_mib}`以上を指定してください（既定は16です）。",
        path.display()
    )]
    MemoryTooSmall {
        path: PathBuf,
        limit_mib: usize,
        min_bytes: u64,
        min_mib: u64,
    },

    #[error(
        "`{}`がインポートする`{import}`を、このホストは提供していません。このホストが渡すのはwasi:http/proxyワールドとWASI 0.2の標準インターフェースだけです。ゲストから`{import}`を使うコードを取り除いてビルドし直すか、ホストのリンカーにその実装を追加してください。",
        path.display()
    )]
    MissingImport { path: PathBuf, import: String },

    #[error(
        "`{}`は`wasi:http/incoming-handler`をエクスポートしていません。ゲストでwasi:http/proxyワールドを実装してください（{detail}）。",
        path.display()
    )]
    NotProxy { path: PathBuf, detail: String },

    #[error("`{}`をコンパイルできません: {detail}", path.display())]
    Compile { path: PathBuf, detail: String },

    #[error(
        "`{}`の機械語を置く実行可能メモリを、OSが拒みました（systemdの`MemoryDenyWriteExecute=yes`など）。`--engine pulley`でコンパイルした.cwasmを使うか、実行可能メモリを許す設定で動かしてください。（{detail}）",
        path.display()
    )]
    ExecutableMemoryDenied { path: PathBuf, detail: String },
}

/// 実行可能メモリを作れなかったとき（`mprotect`の`PROT_EXEC`が拒まれたとき）のwasmtimeの文言です。
const EXEC_DENIED: &str = "unable to make memory executable";

/// 実行可能メモリを拒まれたエラーなら[`LoadError::ExecutableMemoryDenied`]にします。
fn exec_denied(path: &Path, detail: &str) -> Option<LoadError> {
    detail
        .contains(EXEC_DENIED)
        .then(|| LoadError::ExecutableMemoryDenied {
            path: path.into(),
            detail: detail.into(),
        })
}

// ANCHOR: load
/// `.wasm`（コンポーネント）か`.cwasm`（AOT成果物）を読み込みます。
pub fn load_component(
    engine: &Engine,
    path: &Path,
    memory_limit: usize,
) -> Result<Component, LoadError> {
    let bytes = read_file(path)?;

    // AOT成果物なら、コンパイルせずにそのまま読み込みます。
    match Engine::detect_precompiled(&bytes) {
        Some(Precompiled::Component) => return deserialize(engine, path),
        Some(Precompiled::Module) => return Err(LoadError::CoreModule { path: path.into() }),
        None => {}
    }

    check_component(path, &bytes)?;
    check_memory(path, &bytes, memory_limit)?;
    Component::new(engine, &bytes).map_err(|e| {
        let detail = format!("{e:#}");
        exec_denied(path, &detail).unwrap_or(LoadError::Compile {
            path: path.into(),
            detail,
        })
    })
}

// ANCHOR: check_component
/// WASMのバイナリは先頭4バイトが`\0asm`、続く4バイトでコアモジュールかコンポーネントかが分かります。
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

/// 線形メモリの初期サイズが上限に収まるかを、コンパイルの前に確かめます。
fn check_memory(path: &Path, bytes: &[u8], memory_limit: usize) -> Result<(), LoadError> {
    let min_bytes = min_memory_bytes(bytes);
    if min_bytes <= memory_limit as u64 {
        return Ok(());
    }
    Err(LoadError::MemoryTooSmall {
        path: path.into(),
        limit_mib: memory_limit >> 20,
        min_bytes,
        min_mib: min_bytes.div_ceil(1 << 20),
    })
}

/// コンポーネントの中のコアモジュールが定義する線形メモリのうち、最大の初期サイズ（バイト）です。
fn min_memory_bytes(bytes: &[u8]) -> u64 {
    let mut largest = 0;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let Ok(wasmparser::Payload::MemorySection(memories)) = payload else {
            continue;
        };
        for memory in memories.into_iter().flatten() {
            let page_bytes = 1u64 << memory.page_size_log2.unwrap_or(16);
            largest = largest.max(memory.initial.saturating_mul(page_bytes));
        }
    }
    largest
}

// ANCHOR: deserialize
/// AOT成果物をメモリにマップして読み込みます。
fn deserialize(engine: &Engine, path: &Path) -> Result<Component, LoadError> {
    // SAFETY: `deserialize_file`がunsafeなのは、成果物の中身がそのまま実行される機械語だからです。
    // wasmtimeはヘッダーでバージョンとエンジンの設定の一致を確かめますが、機械語そのものは検証しません。
    // 偽の成果物を読み込めば、サンドボックスの外でネイティブコードが走ります。
    // だから読み込むのは、このプログラムの`compile`が書き、他人が書き換えられない場所に置いたファイルだけです。
    unsafe { Component::deserialize_file(engine, path) }.map_err(|e| {
        let detail = format!("{e:#}");
        exec_denied(path, &detail).unwrap_or_else(|| LoadError::Incompatible {
            path: path.into(),
            hint: engine_hint(&detail),
            detail,
        })
    })
}
// ANCHOR_END: deserialize

/// 読み込めなかった理由から、どうすればよいかを組み立てます。
fn engine_hint(detail: &str) -> String {
    if !detail.contains("compiled for architecture") {
        return "このlab-2と同じ`--engine`で`lab-2 compile`をやり直してください。".into();
    }
    let needed = match detail.contains("'pulley") {
        true => "pulley",
        false => "cranelift",
    };
    format!(
        "このファイルには`--engine {needed}`が必要です。`--engine {needed}`を付けて配信するか、使いたい`--engine`で`lab-2 compile`をやり直してください。"
    )
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
