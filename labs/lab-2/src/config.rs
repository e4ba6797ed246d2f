//! ホストの設定: エンジンの種類とリクエストごとの制限です。

use std::time::Duration;

/// wasmをどう実行するかです。
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// Craneliftでネイティブコードにコンパイルします (JIT / AOT)。
    Cranelift,
    /// Pulley（wasmtimeのインタープリター）のバイトコードにコンパイルします。
    /// 実行可能メモリを使わないため、`MemoryDenyWriteExecute=yes`の下でも動きます。
    Pulley,
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineKind::Cranelift => f.write_str("cranelift"),
            EngineKind::Pulley => f.write_str("pulley"),
        }
    }
}

// ANCHOR: limits
/// リクエストごとにゲストへ課す制限です。既定値は/healthには十分で、攻撃には狭い値です。
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// 1リクエストの壁時計の時間の上限です。WASMの実行中はエポック割り込み、ホストの呼び出しで待つ間はtokioのタイムアウトで止めます。
    pub timeout: Duration,
    /// ゲストの線形メモリ1つあたりの上限（バイト）です。
    pub memory_bytes: usize,
    /// 応答本文の上限（バイト）です。超えたら接続を切ります。
    pub max_body_bytes: u64,
    /// 同時に存在できるインスタンスの数です（プーリングアロケーターの枠）。超えたリクエストには503を返します。
    pub max_instances: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_millis(500),
            memory_bytes: 16 << 20,
            max_body_bytes: 1 << 20,
            max_instances: 64,
        }
    }
}
// ANCHOR_END: limits

/// エンジンを作るための設定です。
#[derive(Debug, Clone, Copy)]
pub struct EngineOptions {
    pub kind: EngineKind,
    /// プーリングアロケーターを使うかどうかです（ベンチマークで比べるため）。
    pub pooling: bool,
    pub limits: Limits,
}

impl EngineOptions {
    pub fn new(kind: EngineKind, limits: Limits) -> Self {
        EngineOptions {
            kind,
            pooling: true,
            limits,
        }
    }
}

/// エポックを進める間隔です。WASMを実行中のゲストは、この間隔でtokioに譲り、時間制限を確かめます。
pub const EPOCH_TICK: Duration = Duration::from_millis(10);
