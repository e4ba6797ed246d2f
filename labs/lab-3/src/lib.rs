//! lab-3: rusqlite (`bundled`) で作る組み込み SQLite メトリクスストアです。
//!
//! SQLite の C ソースはこのクレートと一緒にビルドされ、バイナリに組み込まれます。
//! 実行時にシステムの `libsqlite3` も外部プロセスも要りません。

pub mod bench;
pub mod collect;
pub mod error;
pub mod import;
pub mod maintenance;
pub mod query;
pub mod record;
pub mod retention;
pub mod rollup;
pub mod sample;
pub mod store;
pub mod time;
pub mod validate;

pub use error::{SampleError, StoreError};
pub use sample::Sample;
pub use store::Store;
