//! ポータブルサービスのイメージ: マニフェストから作り（[`build`]）、アタッチの前に確かめます（[`validate`]）。

pub mod build;
pub mod listing;
pub mod manifest;
pub mod validate;

pub use build::{build_directory, build_raw};
pub use manifest::Manifest;
pub use validate::{ValidationError, validate_directory};

/// イメージのファイル名から、portablectlと同じ規則でユニット名の接頭辞を取り出します。
///
/// 最初の`_`より前、`_`がなければ`.raw`を除いた名前全体です。`my_app_1.raw`の接頭辞は`my`です。
// ANCHOR: prefix
pub fn image_prefix(file_name: &str) -> &str {
    // TODO: 最初の`_`より前を返し、`_`がなければ`.raw`を除いた名前全体を返してください。
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
