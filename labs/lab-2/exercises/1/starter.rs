//! ゲストを止める仕組みと、止まった理由の分類です。

use wasmtime::{PoolConcurrencyLimitError, ResourceLimiter};
use wasmtime_wasi_http::p2::bindings::http::types::ErrorCode;

// ANCHOR: limiter
/// 線形メモリの上限を課すリミッターです。超えたmemory.growは専用のエラーでトラップにします。
pub struct MemoryLimiter {
    pub max_bytes: usize,
}

/// ゲストの実行が壁時計で時間制限を超えたことを表すエラーです（tokioのタイムアウト）。
#[derive(Debug, thiserror::Error)]
#[error("ゲストの実行が壁時計で{0:?}を超えました。")]
pub struct WallClockTimeout(pub std::time::Duration);

/// メモリの上限を超えたことを表すエラーです。止まった理由の分類に使います。
#[derive(Debug, thiserror::Error)]
#[error("ゲストがメモリを{desired}バイトに広げようとしましたが、上限は{max}バイトです。")]
pub struct MemoryLimitExceeded {
    pub desired: usize,
    pub max: usize,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_bytes {
            let max = self.max_bytes;
            return Err(wasmtime::Error::new(MemoryLimitExceeded { desired, max }));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // テーブル（関数参照の表）は/healthにはほとんど要らないので、小さく抑えます。
        Ok(desired <= 10_000)
    }
}
// ANCHOR_END: limiter

// ANCHOR: stop
/// ゲストが応答を返せなかった理由です。サンドボックスの表の「止めた仕組み」になります。
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// WASMを実行中に時間制限を超え、エポック割り込みで止めました。
    Timeout,
    /// ホストの呼び出しで待っている間に時間制限を超え、tokioのタイムアウトで止めました。
    WallClock,
    /// プーリングアロケーターの枠が埋まっていて、インスタンスを作れませんでした。
    Capacity,
    /// メモリの上限を超えました。
    Memory,
    /// wasmのスタックを使い切りました。
    StackOverflow,
    /// その他のトラップです（panicによるunreachableなど）。
    Trap(String),
    /// ゲストがエラーコードで応答しました。
    Guest(String),
    /// ゲストが応答を設定しないまま終わりました。
    NoResponse,
}

// ANCHOR: classify
/// wasmtimeのエラーから、どの仕組みで止まったかを取り出します。
/// 演習: `MemoryLimitExceeded`と`Trap::Interrupt`、`Trap::StackOverflow`を見分けてください。
/// ヒント: `err.downcast_ref::<T>()`は、エラーの中身が`T`なら`Some`を返します。
pub fn classify(err: &wasmtime::Error) -> Stop {
    if err.downcast_ref::<WallClockTimeout>().is_some() {
        return Stop::WallClock;
    }
    if err.chain().any(|e| e.is::<PoolConcurrencyLimitError>()) {
        return Stop::Capacity;
    }
    // いまは残りを何でも「その他のトラップ」にしてしまいます。
    Stop::Trap(format!("{err:#}"))
}
// ANCHOR_END: classify
// ANCHOR_END: stop

impl Stop {
    /// クライアントに返すステータスです。時間切れと満員は503（一時的な失敗）にします。
    pub fn status(&self) -> u16 {
        match self {
            Stop::Timeout | Stop::WallClock | Stop::Capacity => 503,
            _ => 500,
        }
    }

    /// 止めた仕組みの短い名前です。
    pub fn mechanism(&self) -> &'static str {
        match self {
            Stop::Timeout => "エポック割り込み（時間制限）",
            Stop::WallClock => "tokioのタイムアウト（壁時計の時間制限）",
            Stop::Capacity => "プーリングアロケーターの枠（同時インスタンス数）",
            Stop::Memory => "ResourceLimiter（メモリの上限）",
            Stop::StackOverflow => "max_wasm_stack（スタックの上限）",
            Stop::Trap(_) => "トラップ",
            Stop::Guest(_) => "ゲストのエラー応答",
            Stop::NoResponse => "応答なしで終了",
        }
    }

    /// クライアントに返す本文です。
    pub fn message(&self) -> String {
        match self {
            Stop::Timeout | Stop::WallClock => "ゲストが時間制限を超えたので止めました。".into(),
            Stop::Capacity => {
                "ホストは同時に処理できるリクエストの上限に達しています。少し待ってからやり直してください。"
                    .into()
            }
            Stop::Memory => "ゲストがメモリの上限を超えたので止めました。".into(),
            Stop::StackOverflow => "ゲストがスタックを使い切ったので止めました。".into(),
            Stop::Trap(detail) => format!("ゲストがトラップで止まりました: {detail}"),
            Stop::Guest(code) => format!("ゲストがエラーを返しました: {code}"),
            Stop::NoResponse => "ゲストが応答を設定しないまま終わりました。".into(),
        }
    }
}

/// ゲストが返したエラーコードを分類します。
pub fn from_error_code(code: &ErrorCode) -> Stop {
    Stop::Guest(format!("{code:?}"))
}
