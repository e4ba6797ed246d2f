//! `ExecStart=`のバイナリを確かめます: あるか、実行できるか、必要なインタープリターがイメージにあるか。

use std::fs;
use std::path::Path;

use super::{ValidationError, is_executable, resolve_in_image};
use crate::image::build::UNIT_DIR;

/// 相対パスの`ExecStart=`を探すディレクトリ（systemd 252の既定の検索パスの一部）。
const SEARCH_DIRS: &[&str] = &[
    "/usr/local/bin",
    "/usr/bin",
    "/bin",
    "/usr/local/sbin",
    "/usr/sbin",
    "/sbin",
];

pub(super) fn check_exec_start(root: &Path, unit: &str, errors: &mut Vec<ValidationError>) {
    if !unit.ends_with(".service") {
        return;
    }
    let text = ["etc/systemd/system", UNIT_DIR, "lib/systemd/system"]
        .iter()
        .find_map(|dir| fs::read_to_string(root.join(dir).join(unit)).ok())
        .unwrap_or_default();

    for line in text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("ExecStart="))
    {
        // 先頭の`-` `@` `:` `+` `!`は実行方法の印で、パスではありません。
        let command = line.trim_start_matches(['-', '@', ':', '+', '!']);
        let Some(program) = command.split_whitespace().next() else {
            continue;
        };
        check_program(root, unit, program, errors);
    }
}

fn check_program(root: &Path, unit: &str, program: &str, errors: &mut Vec<ValidationError>) {
    let candidates: Vec<String> = match program.starts_with('/') {
        true => vec![program.to_owned()],
        false => SEARCH_DIRS
            .iter()
            .map(|dir| format!("{dir}/{program}"))
            .collect(),
    };
    let found = candidates.iter().find_map(|path| {
        let host = resolve_in_image(root, path)?;
        host.is_file().then_some((path.clone(), host))
    });
    let Some((path, host)) = found else {
        errors.push(ValidationError::ExecMissing {
            unit: unit.to_owned(),
            path: program.to_owned(),
        });
        return;
    };

    let (executable, mode) = is_executable(&host).unwrap_or((false, 0));
    if !executable {
        errors.push(ValidationError::ExecNotExecutable {
            unit: unit.to_owned(),
            path,
            mode,
        });
        return;
    }
    if let Some(interpreter) = interpreter_of(&host)
        && resolve_in_image(root, &interpreter).is_none_or(|host| !host.is_file())
    {
        errors.push(ValidationError::InterpreterMissing {
            unit: unit.to_owned(),
            path,
            interpreter,
        });
    }
}

// ANCHOR: interpreter
/// スクリプトなら`#!`の行のプログラムを、動的リンクのELFなら`PT_INTERP` (ld.so)のパスを返します。
/// 静的リンクのELFには`PT_INTERP`がないので`None`です。
pub fn interpreter_of(path: &Path) -> Option<String> {
    let bytes = fs::read(path).ok()?;
    if let Some(line) = bytes.strip_prefix(b"#!") {
        let line = String::from_utf8_lossy(line.split(|byte| *byte == b'\n').next()?).into_owned();
        return line.split_whitespace().next().map(str::to_owned);
    }

    // NOTE: 64ビット、リトルエンディアンのELFだけを読みます（x86_64とaarch64）。
    if bytes.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let read_u16 =
        |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize);
    let read_u64 =
        |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?) as usize);
    let (table, entry_size, count) = (read_u64(0x20)?, read_u16(0x36)?, read_u16(0x38)?);

    // プログラムヘッダーのうちp_type == PT_INTERP (3)のものが、インタープリターのパスを指します。
    (0..count)
        .map(|index| table + index * entry_size)
        .find_map(|header| {
            if bytes.get(header..header + 4)? != 3u32.to_le_bytes() {
                return None;
            }
            let (offset, size) = (read_u64(header + 8)?, read_u64(header + 32)?);
            let name = bytes.get(offset..offset + size)?;
            Some(
                String::from_utf8_lossy(name)
                    .trim_end_matches('\0')
                    .to_owned(),
            )
        })
}
// ANCHOR_END: interpreter
