//! AOT（事前）コンパイル: `.wasm`を機械語（またはPulleyのバイトコード）の`.cwasm`にします。

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wasmtime::Engine;

use crate::config::EngineKind;
use crate::errors::{LoadError, check_component, read_file};

/// コンパイルの結果です。
#[derive(Debug, serde::Serialize)]
pub struct CompileReport {
    pub input: PathBuf,
    pub output: PathBuf,
    pub input_bytes: u64,
    pub output_bytes: u64,
    pub elapsed: Duration,
}

// ANCHOR: compile
/// コンポーネントをコンパイルし、このエンジンの設定で読み込めるAOT成果物を書き出します。
pub fn compile(engine: &Engine, input: &Path, output: &Path) -> Result<CompileReport, LoadError> {
    let bytes = read_file(input)?;
    check_component(input, &bytes)?;

    // Cranelift（またはPulley向けのCranelift）でコンパイルします。エンジンの設定も埋め込まれます。
    let started = Instant::now();
    let artifact = engine
        .precompile_component(&bytes)
        .map_err(|e| LoadError::Compile {
            path: input.into(),
            detail: format!("{e:#}"),
        })?;
    let elapsed = started.elapsed();

    std::fs::write(output, &artifact).map_err(|source| LoadError::Read {
        path: output.into(),
        source,
    })?;
    Ok(CompileReport {
        input: input.into(),
        output: output.into(),
        input_bytes: bytes.len() as u64,
        output_bytes: artifact.len() as u64,
        elapsed,
    })
}
// ANCHOR_END: compile

impl CompileReport {
    /// 人向けの1行の報告です。
    pub fn render(&self, kind: EngineKind) -> String {
        format!(
            "`{}`（{}）を{kind}で`{}`（{}）にコンパイルしました（{} ms）。",
            self.input.display(),
            format_size(self.input_bytes),
            self.output.display(),
            format_size(self.output_bytes),
            self.elapsed.as_millis()
        )
    }
}

/// バイト数をKiB / MiBで表します。
pub fn format_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}
