//! Money as a whole number of fen (1/100 yuan). No floats anywhere near it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of money in fen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(u64);

/// A yuan amount that is not a plain non-negative decimal with at most two significant decimals.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an amount in yuan such as 9.90")]
pub struct MoneyError(String);

impl Money {
    /// Nothing.
    pub const ZERO: Money = Money(0);

    /// `fen` fen.
    pub const fn from_fen(fen: u64) -> Self {
        Self(fen)
    }

    /// `yuan` whole yuan.
    pub const fn from_yuan(yuan: u64) -> Self {
        Self(yuan * 100)
    }

    /// The amount in fen.
    pub const fn fen(self) -> u64 {
        self.0
    }

    /// Whether this is nothing at all.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses a decimal yuan amount exactly: `9.9`, `9.90` and `9.900` are all 990 fen;
    /// `9.901`, `-1`, `1e3` and `9.` are errors.
    pub fn parse_yuan(text: &str) -> Result<Self, MoneyError> {
        let error = || MoneyError(text.to_owned());
        let (whole, fraction) = text.split_once('.').unwrap_or((text, "00"));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(fraction) {
            return Err(error());
        }
        let (cents, rest) = fraction.split_at(fraction.len().min(2));
        if rest.bytes().any(|b| b != b'0') {
            return Err(error());
        }
        let cents: u64 = format!("{cents:0<2}").parse().map_err(|_| error())?;
        let whole: u64 = whole.parse().map_err(|_| error())?;
        whole.checked_mul(100).and_then(|fen| fen.checked_add(cents)).map(Self).ok_or_else(error)
    }

    /// The amount in yuan with exactly two decimals, as Alipay expects (`9.90`).
    pub fn to_yuan_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "¥{}", self.to_yuan_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan_exactly() {
        for (text, fen) in
            [("9.9", 990), ("9.90", 990), ("9.900", 990), ("0.01", 1), ("10", 1000), ("6000.00", 600_000)]
        {
            assert_eq!(Money::parse_yuan(text), Ok(Money::from_fen(fen)), "{text}");
        }
    }

    #[test]
    fn rejects_anything_but_plain_decimals() {
        for text in ["", ".5", "9.", "-1", "+1", "1e3", "9.901", "9,90", " 9.90", "NaN", "18446744073709551616"] {
            assert!(Money::parse_yuan(text).is_err(), "{text:?} should be rejected");
        }
    }

    #[test]
    fn formats_with_two_decimals() {
        assert_eq!(Money::from_fen(990).to_yuan_string(), "9.90");
        assert_eq!(Money::from_fen(5).to_yuan_string(), "0.05");
        assert_eq!(Money::from_yuan(6000).to_string(), "¥6000.00");
    }
}
