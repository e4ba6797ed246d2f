//! portabledのD-Busクライアント。アタッチ、デタッチ、リアタッチと、その後のPID 1の操作をします。
//!
//! portabledはユニットファイルを置くだけで、PID 1に読み直させません。
//! そのためクライアントが`Reload`を呼び、必要ならユニットを起動します（portablectlも同じです）。

mod changes;
mod client;
mod errors;
mod jobs;
pub mod proxies;

pub use changes::{Change, attached_units};
pub use client::{AttachOptions, ImageInfo, Portable, UnitState, stage_image};
pub use errors::{PortableError, explain};
