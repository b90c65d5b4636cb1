//! Durations in policies: `7d`, `2w 3d`, `1h30m`, `90s`, or ISO 8601
//! (`P30D`, `PT12H`, `P1W`). Months and years are refused: they have no
//! fixed length, so a policy must say what it means in days.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// A whole number of seconds, written and read the way policies spell it.
/// Serializes canonically (`"1d 12h"`), so equal durations hash alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span(u64);

const UNITS: [(&str, u64); 5] = [
    ("w", 604_800),
    ("d", 86_400),
    ("h", 3_600),
    ("m", 60),
    ("s", 1),
];

impl Span {
    /// An instant given as RFC 3339 (`2026-11-30T00:00:00Z`) or as a
    /// duration before `now` (`2d`, `36h`): what "since" means everywhere.
    pub fn since(
        text: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<chrono::DateTime<chrono::Utc>> {
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
            return Ok(t.with_timezone(&chrono::Utc));
        }
        Span::parse(text)
            .map(|span| now - span.to_chrono())
            .map_err(|_| {
                Error::invalid(format!(
                    "{text:?} is neither an RFC 3339 time nor a duration like 2d"
                ))
            })
    }

    /// A span of `seconds`.
    pub const fn seconds(seconds: u64) -> Span {
        Span(seconds)
    }

    /// A span of `hours`.
    pub const fn hours(hours: u64) -> Span {
        Span(hours * 3_600)
    }

    /// A span of `days`.
    pub const fn days(days: u64) -> Span {
        Span(days * 86_400)
    }

    /// The length in seconds.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The span as a `chrono` duration.
    pub fn to_chrono(self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.0).unwrap_or(i64::MAX))
    }

    /// Parses `7d`, `2w 3d`, `1h30m`, `90s` or ISO 8601 `P…`; an
    /// `InvalidArgument` error says what is wrong.
    pub fn parse(text: &str) -> Result<Span> {
        let t = text.trim();
        let bad = |why: &str| {
            Error::invalid(format!(
                "duration {text:?} {why}; write it like \"7d\", \"2w 3d\", \"12h\", \"90m\" or \"P30D\""
            ))
        };
        if t.is_empty() {
            return Err(bad("is empty"));
        }
        if let Some(iso) = t.strip_prefix('P').or_else(|| t.strip_prefix('p')) {
            return parse_iso(iso).map_err(|why| bad(&why));
        }
        let mut total: u64 = 0;
        let mut rest = t;
        while !rest.is_empty() {
            rest = rest.trim_start();
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(bad("needs a number before each unit"));
            }
            let n: u64 = rest[..digits]
                .parse()
                .map_err(|_| bad("has a number too large"))?;
            rest = rest[digits..].trim_start();
            let unit_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let unit = rest[..unit_len].to_ascii_lowercase();
            rest = &rest[unit_len..];
            let factor = match unit.as_str() {
                "w" | "week" | "weeks" => 604_800,
                "d" | "day" | "days" => 86_400,
                "h" | "hour" | "hours" => 3_600,
                "m" | "min" | "mins" | "minute" | "minutes" => 60,
                "s" | "sec" | "secs" | "second" | "seconds" => 1,
                "mo" | "month" | "months" | "y" | "year" | "years" => {
                    return Err(bad(
                        "uses months or years, which have no fixed length; use days",
                    ))
                }
                "" => return Err(bad("needs a unit after each number (w, d, h, m or s)")),
                other => return Err(bad(&format!("has an unknown unit {other:?}"))),
            };
            total = n
                .checked_mul(factor)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(|| bad("is too long"))?;
        }
        Ok(Span(total))
    }
}

/// ISO 8601 after the `P`: `nW`, `nD`, then `T` with `nH`, `nM`, `nS`.
fn parse_iso(s: &str) -> std::result::Result<Span, String> {
    let (date, time) = match s.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return Err("has an empty time part after T".into()),
        None => (s, None),
    };
    let mut total: u64 = 0;
    let mut add = |part: &str, units: &[(char, u64)]| -> std::result::Result<(), String> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let c = c.to_ascii_uppercase();
            if matches!(c, 'Y') || (c == 'M' && units[0].0 == 'W') {
                return Err("uses months or years, which have no fixed length; use days".into());
            }
            let factor = units
                .iter()
                .find(|(u, _)| *u == c)
                .map(|(_, f)| *f)
                .ok_or_else(|| format!("has an unknown designator {c:?}"))?;
            let n: u64 = num
                .parse()
                .map_err(|_| "needs a number before each designator")?;
            num.clear();
            total = n
                .checked_mul(factor)
                .and_then(|v| total.checked_add(v))
                .ok_or("is too long")?;
        }
        if num.is_empty() {
            Ok(())
        } else {
            Err("ends with a number without a designator".into())
        }
    };
    add(date, &[('W', 604_800), ('D', 86_400)])?;
    if let Some(t) = time {
        add(t, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    }
    if s.is_empty() {
        return Err("is empty after P".into());
    }
    Ok(Span(total))
}

impl fmt::Display for Span {
    /// The canonical spelling: largest units first, e.g. `1d 12h`; `0s` for zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        let mut first = true;
        for (unit, size) in UNITS {
            if rest >= size {
                if !first {
                    f.write_str(" ")?;
                }
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
                first = false;
            }
        }
        Ok(())
    }
}

impl FromStr for Span {
    type Err = Error;
    fn from_str(s: &str) -> Result<Span> {
        Span::parse(s)
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Span, D::Error> {
        let text = String::deserialize(d)?;
        Span::parse(&text).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

impl schemars::JsonSchema for Span {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A duration: \"7d\", \"2w 3d\", \"12h\", \"90m\", \"30s\", or ISO 8601 \
                            \"P30D\", \"PT12H\". Months and years are refused.",
            "examples": ["1h", "7d", "2w 3d", "P30D"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spellings_people_use() {
        for (text, secs) in [
            ("7d", 7 * 86_400),
            ("2w 3d", 17 * 86_400),
            ("1h30m", 5_400),
            ("90s", 90),
            ("12 hours", 43_200),
            ("P30D", 30 * 86_400),
            ("PT12H", 43_200),
            ("P1W", 604_800),
            ("P1DT2H30M", 86_400 + 9_000),
            ("0s", 0),
        ] {
            assert_eq!(Span::parse(text).unwrap().as_secs(), secs, "{text}");
        }
    }

    #[test]
    fn refuses_what_has_no_fixed_length_or_no_unit() {
        for text in [
            "", "7", "d", "1mo", "2 years", "P1M", "P1Y", "1x", "P", "PT", "-3d", "1.5d",
        ] {
            let e = Span::parse(text).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument, "{text}");
        }
        assert!(Span::parse("1mo").unwrap_err().message().contains("days"));
    }

    #[test]
    fn prints_canonically() {
        assert_eq!(Span::parse("36h").unwrap().to_string(), "1d 12h");
        assert_eq!(Span::parse("P14D").unwrap().to_string(), "2w");
        assert_eq!(Span::parse("90m").unwrap().to_string(), "1h 30m");
        assert_eq!(Span::default().to_string(), "0s");
        let json = serde_json::to_string(&Span::parse("P1D").unwrap()).unwrap();
        assert_eq!(json, "\"1d\"");
    }
}
