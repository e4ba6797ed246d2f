//! ポータブルサービスのイメージ: マニフェストから作り（[`build`]）、アタッチの前に確かめます（[`validate`]）。

pub mod build;
pub mod listing;
pub mod manifest;
pub mod validate;

pub use build::{build_directory, build_raw};
pub use manifest::Manifest;
pub use validate::{ValidationError, validate_directory};

/// イメージのパスから、portablectlと同じ規則でユニット名の接頭辞を取り出します。
///
/// 最後の`/`までのディレクトリの部分を除いたファイル名について、最初の`_`より前、`_`がなければ`.raw`を除いた名前全体です。
/// `my_app_1.raw`の接頭辞は`my`、`/var/lib/portables/hello.raw`の接頭辞は`hello`です。
// ANCHOR: prefix
pub fn image_prefix(file_name: &str) -> &str {
    // TODO: まず最後の`/`までのディレクトリの部分を除き、そのファイル名の最初の`_`より前を返してください。
    // `_`がなければ`.raw`を除いた名前全体を返します（`/var/lib/portables/hello.raw`なら`hello`）。
    let _ = file_name;
    todo!("演習1: image_prefixを実装してください")
}

/// ユニット名が接頭辞に一致するかを返します。接頭辞の直後は`-`、`.`、`@`か名前の終わりです。
pub fn unit_matches_prefix(unit: &str, prefix: &str) -> bool {
    // TODO: 接頭辞の直後が`-`、`.`、`@`か名前の終わりのときだけtrueを返してください。
    let _ = (unit, prefix);
    todo!("演習1: unit_matches_prefixを実装してください")
}
// ANCHOR_END: prefix

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_stops_at_first_underscore() {
        assert_eq!(image_prefix("my_app_1.raw"), "my");
    }

    #[test]
    fn prefix_without_version() {
        assert_eq!(image_prefix("/var/lib/portables/hello.raw"), "hello");
    }

    #[test]
    fn unit_match_needs_separator() {
        assert!(!unit_matches_prefix("helloworld.service", "hello"));
    }

    #[test]
    fn unit_match_dash_and_at() {
        assert!(
            unit_matches_prefix("hello-api.service", "hello")
                && unit_matches_prefix("hello@1.service", "hello")
        );
    }
}
