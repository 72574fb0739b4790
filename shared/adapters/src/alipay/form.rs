//! `application/x-www-form-urlencoded` parameters, decoded exactly once, and the sign
//! string Alipay signs over them.

use std::collections::HashSet;

use percent_encoding::percent_decode;

/// The largest form read: Alipay's notifications are a few KiB.
pub const MAX_FORM_BYTES: usize = 32 * 1024;

/// The most parameters read: Alipay's notifications carry a few dozen.
pub const MAX_FORM_FIELDS: usize = 128;

/// A body that is not a well-formed form.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Nothing in it.
    #[error("the form is empty")]
    Empty,
    /// A value or name that is not UTF-8 once decoded.
    #[error("the form is not UTF-8 once decoded")]
    NotUtf8,
    /// A parameter given twice: which one was signed would be ambiguous.
    #[error("parameter `{0}` is given more than once")]
    Duplicate(String),
    /// Longer than [`MAX_FORM_BYTES`].
    #[error("the form is longer than {MAX_FORM_BYTES} bytes")]
    TooLong,
    /// More than [`MAX_FORM_FIELDS`] parameters.
    #[error("the form has more than {MAX_FORM_FIELDS} parameters")]
    TooManyFields,
}

/// Form parameters in the order they came.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes a form body: `+` is a space and `%XX` a byte, applied once; the bytes must be
    /// UTF-8 (as `charset=utf-8` promises) and no name may repeat. Linear in the body, which
    /// is refused past [`MAX_FORM_BYTES`] or [`MAX_FORM_FIELDS`] before any decoding.
    pub fn parse(body: &[u8]) -> Result<Self, FormError> {
        if body.len() > MAX_FORM_BYTES {
            return Err(FormError::TooLong);
        }
        let pairs = body.split(|&b| b == b'&').filter(|pair| !pair.is_empty());
        if pairs.clone().count() > MAX_FORM_FIELDS {
            return Err(FormError::TooManyFields);
        }
        let mut params = Params::default();
        let mut names = HashSet::new();
        for pair in pairs {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            let name = decode_component(name)?;
            if !names.insert(name.clone()) {
                return Err(FormError::Duplicate(name));
            }
            params.0.push((name, decode_component(value)?));
        }
        if params.0.is_empty() {
            return Err(FormError::Empty);
        }
        Ok(params)
    }

    /// Adds a parameter.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Every parameter in the order it came.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The value of `name` if present and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|value| !value.is_empty())
    }

    /// The sign string: every parameter but `excluded` ones and empty values, sorted by name
    /// (byte order), joined as `name=value` with `&`; values exactly as decoded.
    pub fn sign_content(&self, excluded: &[&str]) -> String {
        let mut kept: Vec<&(String, String)> =
            self.0.iter().filter(|(name, value)| !value.is_empty() && !excluded.contains(&name.as_str())).collect();
        kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let pairs: Vec<String> = kept.iter().map(|(name, value)| format!("{name}={value}")).collect();
        pairs.join("&")
    }

    /// The form-encoded body.
    pub fn encode(&self) -> String {
        serde_urlencoded::to_string(&self.0).unwrap_or_default()
    }
}

fn decode_component(raw: &[u8]) -> Result<String, FormError> {
    let spaced: Vec<u8> = raw.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
    let bytes: Vec<u8> = percent_decode(&spaced).collect();
    String::from_utf8(bytes).map_err(|_| FormError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_value_exactly_once() {
        let params = Params::parse(b"a=1%2B1+%3D+2&b=%25252F&c=%E4%B8%AD%E6%96%87&d=&e").unwrap();
        assert_eq!(params.get("a"), Some("1+1 = 2"));
        assert_eq!(params.get("b"), Some("%252F"), "decoding twice would give %2F or /");
        assert_eq!(params.get("c"), Some("中文"));
        assert_eq!((params.get("d"), params.get("e"), params.non_empty("d")), (Some(""), Some(""), None));
    }

    #[test]
    fn the_sign_string_sorts_by_bytes_and_drops_empty_and_excluded() {
        let params = Params::parse(b"b=2&sign=xyz&a=1&sign_type=RSA2&B=upper&empty=&c=%26%3D").unwrap();
        assert_eq!(params.sign_content(&["sign", "sign_type"]), "B=upper&a=1&b=2&c=&=");
        assert_eq!(params.sign_content(&["sign"]), "B=upper&a=1&b=2&c=&=&sign_type=RSA2");
    }

    #[test]
    fn refuses_ambiguous_or_undecodable_forms() {
        assert_eq!(Params::parse(b""), Err(FormError::Empty));
        assert_eq!(Params::parse(b"&&"), Err(FormError::Empty));
        assert_eq!(Params::parse(b"a=1&a=2"), Err(FormError::Duplicate("a".into())));
        assert_eq!(Params::parse(b"a=%FF%FE"), Err(FormError::NotUtf8));
    }

    #[test]
    fn refuses_oversized_forms_before_decoding() {
        let many: Vec<String> = (0..=MAX_FORM_FIELDS).map(|i| format!("f{i}=")).collect();
        assert_eq!(Params::parse(many.join("&").as_bytes()), Err(FormError::TooManyFields));
        assert!(Params::parse(many[..MAX_FORM_FIELDS].join("&").as_bytes()).is_ok());
        assert_eq!(Params::parse(&vec![b'a'; MAX_FORM_BYTES + 1]), Err(FormError::TooLong));
    }

    #[test]
    fn encoding_then_parsing_gives_the_same_values() {
        let mut params = Params::default();
        params.push("subject", "A&B=C+D%E 中文");
        params.push("biz_content", r#"{"x":"y"}"#);
        assert_eq!(Params::parse(params.encode().as_bytes()).unwrap(), params);
    }
}
