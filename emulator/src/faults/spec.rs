//! The flat JSON form of faults and rules, and the `--fault` shorthand:
//! parsing, defaults and validation (the vocabulary is documented on
//! [`FaultRule`]).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Fault, FaultRule, FaultSpecError};

/// Parses and validates one rule in the JSON form.
pub(super) fn parse_json(text: &str) -> Result<FaultRule, FaultSpecError> {
    let wire: Wire = serde_json::from_str(text)
        .map_err(|e| FaultSpecError::new(format!("invalid fault rule: {e}")))?;
    FaultRule::try_from(wire)
}

/// Parses `--fault`: a JSON rule, or `KIND[:ARG]@PATH[xCOUNT]`.
pub(super) fn parse_cli(spec: &str) -> Result<FaultRule, FaultSpecError> {
    if spec.trim_start().starts_with('{') {
        return FaultRule::from_json(spec);
    }
    let (head, tail) = spec.rsplit_once('@').ok_or_else(|| {
        FaultSpecError::new(format!(
            "{spec:?} is neither a JSON rule nor KIND[:ARG]@PATH[xCOUNT] (no '@')"
        ))
    })?;
    let (path, times) = split_count(tail)?;
    let (kind_name, arg) = match head.split_once(':') {
        Some((k, a)) => (k, Some(a)),
        None => (head, None),
    };
    let kind = Kind::parse(kind_name)?;
    let mut wire = Wire::bare(kind);
    wire.path = Some(path.to_owned());
    wire.times = Some(times);
    if let Some(arg) = arg {
        let number = || {
            arg.parse::<u64>().map_err(|_| {
                FaultSpecError::new(format!(
                    "{kind_name}: {arg:?} is not a whole non-negative number"
                ))
            })
        };
        match kind {
            Kind::Status => wire.status = Some(number()?),
            Kind::Latency => wire.delay_ms = Some(number()?),
            Kind::PrimaryRateLimit => wire.reset_in_seconds = Some(number()?),
            Kind::SecondaryRateLimit => wire.retry_after_seconds = Some(number()?),
            Kind::Redirect => wire.location = Some(arg.to_owned()),
            Kind::LinkHeader => wire.value = Some(arg.to_owned()),
            Kind::ForeignRealm => wire.realm = Some(arg.to_owned()),
            _ => {
                return Err(FaultSpecError::new(format!(
                    "{kind_name} takes no argument, got {arg:?}"
                )))
            }
        }
    }
    FaultRule::try_from(wire)
}

/// Splits `PATH[xCOUNT]` into the path and `Some(n)` / `None` (forever);
/// without a count, once.
fn split_count(tail: &str) -> Result<(&str, Option<u32>), FaultSpecError> {
    let Some((path, count)) = tail.rsplit_once('x') else {
        return Ok((tail, Some(1)));
    };
    if count == "*" {
        return Ok((path, None));
    }
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Ok((tail, Some(1)));
    }
    match count.parse::<u32>() {
        Ok(0) => Err(FaultSpecError::new(
            "x0: the count must be at least 1 (x* for every matching request)",
        )),
        Ok(n) => Ok((path, Some(n))),
        Err(_) => Err(FaultSpecError::new(format!(
            "x{count}: the count is too large (x* for every matching request)"
        ))),
    }
}

/// The kinds, with their one spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Status,
    Latency,
    PrimaryRateLimit,
    SecondaryRateLimit,
    DropConnection,
    TruncatedBody,
    MalformedJson,
    Redirect,
    LinkLoop,
    LinkHeader,
    DigestMismatch,
    ForeignRealm,
    TokenExpired,
}

impl Kind {
    const ALL: [Kind; 13] = [
        Kind::Status,
        Kind::Latency,
        Kind::PrimaryRateLimit,
        Kind::SecondaryRateLimit,
        Kind::DropConnection,
        Kind::TruncatedBody,
        Kind::MalformedJson,
        Kind::Redirect,
        Kind::LinkLoop,
        Kind::LinkHeader,
        Kind::DigestMismatch,
        Kind::ForeignRealm,
        Kind::TokenExpired,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Status => "status",
            Kind::Latency => "latency",
            Kind::PrimaryRateLimit => "primary_rate_limit",
            Kind::SecondaryRateLimit => "secondary_rate_limit",
            Kind::DropConnection => "drop_connection",
            Kind::TruncatedBody => "truncated_body",
            Kind::MalformedJson => "malformed_json",
            Kind::Redirect => "redirect",
            Kind::LinkLoop => "link_loop",
            Kind::LinkHeader => "link_header",
            Kind::DigestMismatch => "digest_mismatch",
            Kind::ForeignRealm => "foreign_realm",
            Kind::TokenExpired => "token_expired",
        }
    }

    fn parse(name: &str) -> Result<Kind, FaultSpecError> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = Kind::ALL.iter().map(|k| k.name()).collect();
                FaultSpecError::new(format!(
                    "unknown fault kind {name:?}; expected one of {}",
                    names.join(", ")
                ))
            })
    }

    /// The fields of the JSON form this kind takes besides the rule fields.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Status => &["status"],
            Kind::Latency => &["delay_ms"],
            Kind::PrimaryRateLimit => &["reset_in_seconds"],
            Kind::SecondaryRateLimit => &["retry_after_seconds", "status"],
            Kind::Redirect => &["location", "status"],
            Kind::LinkHeader => &["value"],
            Kind::ForeignRealm => &["realm"],
            Kind::DropConnection
            | Kind::TruncatedBody
            | Kind::MalformedJson
            | Kind::LinkLoop
            | Kind::DigestMismatch
            | Kind::TokenExpired => &[],
        }
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        let name = String::deserialize(d)?;
        Kind::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// The flat JSON object that both [`Fault`] and [`FaultRule`] travel as.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Wire {
    kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reset_in_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    realm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    /// Absent: `None` (once); `null`: `Some(None)` (forever); a number: `Some(Some(n))`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    times: Option<Option<u32>>,
}

/// Tells a present `null` (`Some(None)`) from an absent field (`None`, the default).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u32>>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None => Ok(Some(None)),
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Some(Some(n))),
            None => Err(serde::de::Error::custom(format!(
                "times must be a whole number of at least 1, or null for every matching request, got {v}"
            ))),
        },
    }
}

impl Wire {
    fn bare(kind: Kind) -> Wire {
        Wire {
            kind,
            status: None,
            delay_ms: None,
            reset_in_seconds: None,
            retry_after_seconds: None,
            location: None,
            value: None,
            realm: None,
            method: None,
            path: None,
            times: None,
        }
    }

    /// The fault fields and rule fields that are present, by name.
    fn present_fields(&self) -> [(&'static str, bool); 10] {
        [
            ("status", self.status.is_some()),
            ("delay_ms", self.delay_ms.is_some()),
            ("reset_in_seconds", self.reset_in_seconds.is_some()),
            ("retry_after_seconds", self.retry_after_seconds.is_some()),
            ("location", self.location.is_some()),
            ("value", self.value.is_some()),
            ("realm", self.realm.is_some()),
            ("method", self.method.is_some()),
            ("path", self.path.is_some()),
            ("times", self.times.is_some()),
        ]
    }

    /// The fault, checking that no field of another kind is present.
    fn fault(&self, rule_fields: bool) -> Result<Fault, FaultSpecError> {
        let kind = self.kind;
        for (name, present) in self.present_fields() {
            let rule_field = matches!(name, "method" | "path" | "times");
            if present && !(kind.fields().contains(&name) || (rule_field && rule_fields)) {
                return Err(FaultSpecError::new(if rule_field {
                    format!("`{name}` belongs to a fault rule, not to a fault")
                } else {
                    format!("`{name}` does not apply to a `{}` fault", kind.name())
                }));
            }
        }
        let needs = |field: &str, what: &str| {
            FaultSpecError::new(format!(
                "a `{}` fault needs `{field}` ({what})",
                kind.name()
            ))
        };
        let status =
            match self.status {
                None => None,
                Some(s) => Some(u16::try_from(s).map_err(|_| {
                    FaultSpecError::new(format!("status {s} is not an HTTP status"))
                })?),
            };
        let fault = match kind {
            Kind::Status => {
                Fault::Status(status.ok_or_else(|| needs("status", "an HTTP status, 100..=599"))?)
            }
            Kind::Latency => Fault::Latency {
                delay_ms: self
                    .delay_ms
                    .ok_or_else(|| needs("delay_ms", "milliseconds"))?,
            },
            Kind::PrimaryRateLimit => Fault::PrimaryRateLimit {
                reset_in_seconds: self
                    .reset_in_seconds
                    .unwrap_or(Fault::DEFAULT_RESET_IN_SECONDS),
            },
            Kind::SecondaryRateLimit => Fault::SecondaryRateLimit {
                retry_after_seconds: self.retry_after_seconds,
                status: status.unwrap_or(Fault::DEFAULT_SECONDARY_STATUS),
            },
            Kind::DropConnection => Fault::DropConnection,
            Kind::TruncatedBody => Fault::TruncatedBody,
            Kind::MalformedJson => Fault::MalformedJson,
            Kind::Redirect => Fault::Redirect {
                location: self
                    .location
                    .clone()
                    .ok_or_else(|| needs("location", "the `location` header"))?,
                status: status.unwrap_or(Fault::DEFAULT_REDIRECT_STATUS),
            },
            Kind::LinkLoop => Fault::LinkLoop,
            Kind::LinkHeader => Fault::LinkHeader {
                value: self
                    .value
                    .clone()
                    .ok_or_else(|| needs("value", "the exact `link` header"))?,
            },
            Kind::DigestMismatch => Fault::DigestMismatch,
            Kind::ForeignRealm => Fault::ForeignRealm {
                realm: self.realm.clone(),
            },
            Kind::TokenExpired => Fault::TokenExpired,
        };
        fault.validate()?;
        Ok(fault)
    }
}

impl TryFrom<Wire> for Fault {
    type Error = FaultSpecError;

    fn try_from(w: Wire) -> Result<Fault, FaultSpecError> {
        w.fault(false)
    }
}

impl TryFrom<Wire> for FaultRule {
    type Error = FaultSpecError;

    fn try_from(w: Wire) -> Result<FaultRule, FaultSpecError> {
        let rule = FaultRule {
            fault: w.fault(true)?,
            method: w.method,
            path: w.path,
            times: w.times.unwrap_or(Some(1)),
        };
        rule.validate()?;
        Ok(rule)
    }
}

impl From<Fault> for Wire {
    fn from(f: Fault) -> Wire {
        let mut w = Wire::bare(f.kind_tag());
        match f {
            Fault::Status(s) => w.status = Some(s.into()),
            Fault::Latency { delay_ms } => w.delay_ms = Some(delay_ms),
            Fault::PrimaryRateLimit { reset_in_seconds } => {
                w.reset_in_seconds = Some(reset_in_seconds)
            }
            Fault::SecondaryRateLimit {
                retry_after_seconds,
                status,
            } => {
                w.retry_after_seconds = retry_after_seconds;
                w.status = Some(status.into());
            }
            Fault::Redirect { location, status } => {
                w.location = Some(location);
                w.status = Some(status.into());
            }
            Fault::LinkHeader { value } => w.value = Some(value),
            Fault::ForeignRealm { realm } => w.realm = realm,
            Fault::DropConnection
            | Fault::TruncatedBody
            | Fault::MalformedJson
            | Fault::LinkLoop
            | Fault::DigestMismatch
            | Fault::TokenExpired => {}
        }
        w
    }
}

impl From<FaultRule> for Wire {
    fn from(r: FaultRule) -> Wire {
        let mut w = Wire::from(r.fault);
        w.method = r.method;
        w.path = r.path;
        w.times = Some(r.times);
        w
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn json(text: &str) -> FaultRule {
        FaultRule::from_json(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn json_err(text: &str) -> String {
        FaultRule::from_json(text)
            .expect_err(text)
            .message()
            .to_owned()
    }

    fn cli(text: &str) -> FaultRule {
        FaultRule::from_cli(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn cli_err(text: &str) -> String {
        FaultRule::from_cli(text)
            .expect_err(text)
            .message()
            .to_owned()
    }

    #[test]
    fn json_rules_and_their_defaults() {
        assert_eq!(
            json(r#"{"kind":"status","status":502,"path":"/orgs/acme","method":"GET","times":2}"#),
            FaultRule::new(Fault::Status(502))
                .path("/orgs/acme")
                .method("GET")
                .times(2)
        );
        assert_eq!(
            json(r#"{"kind":"status","status":500}"#),
            FaultRule::new(Fault::Status(500)),
            "times absent: once"
        );
        assert_eq!(
            json(r#"{"kind":"drop_connection","times":null}"#),
            FaultRule::new(Fault::DropConnection).forever()
        );
        assert_eq!(
            json(r#"{"kind":"latency","delay_ms":250}"#).fault,
            Fault::latency(Duration::from_millis(250))
        );
        assert_eq!(
            json(r#"{"kind":"primary_rate_limit"}"#).fault,
            Fault::primary_rate_limit()
        );
        assert_eq!(
            json(r#"{"kind":"primary_rate_limit","reset_in_seconds":3600}"#).fault,
            Fault::PrimaryRateLimit {
                reset_in_seconds: 3600
            }
        );
        assert_eq!(
            json(r#"{"kind":"secondary_rate_limit"}"#).fault,
            Fault::SecondaryRateLimit {
                retry_after_seconds: None,
                status: 403
            }
        );
        assert_eq!(
            json(r#"{"kind":"secondary_rate_limit","retry_after_seconds":7,"status":429}"#).fault,
            Fault::SecondaryRateLimit {
                retry_after_seconds: Some(7),
                status: 429
            }
        );
        assert_eq!(
            json(r#"{"kind":"redirect","location":"http://x.invalid/"}"#).fault,
            Fault::redirect("http://x.invalid/")
        );
        assert_eq!(
            json(r#"{"kind":"link_header","value":"<<not a url>>; rel=next; garbage"}"#).fault,
            Fault::link_header("<<not a url>>; rel=next; garbage")
        );
        assert_eq!(
            json(r#"{"kind":"foreign_realm"}"#).fault,
            Fault::ForeignRealm { realm: None }
        );
        assert_eq!(
            json(r#"{"kind":"foreign_realm","realm":"https://evil.invalid/token"}"#).fault,
            Fault::ForeignRealm {
                realm: Some("https://evil.invalid/token".into())
            }
        );
        for (kind, fault) in [
            ("truncated_body", Fault::TruncatedBody),
            ("malformed_json", Fault::MalformedJson),
            ("link_loop", Fault::LinkLoop),
            ("digest_mismatch", Fault::DigestMismatch),
            ("token_expired", Fault::TokenExpired),
        ] {
            assert_eq!(json(&format!(r#"{{"kind":"{kind}"}}"#)).fault, fault);
            assert_eq!(fault.kind(), kind);
        }
    }

    #[test]
    fn json_round_trips() {
        let rules = [
            FaultRule::new(Fault::Status(502)).method("DELETE").times(3),
            FaultRule::new(Fault::latency(Duration::from_secs(2))).forever(),
            FaultRule::new(Fault::primary_rate_limit()).path("/x"),
            FaultRule::new(Fault::secondary_rate_limit()),
            FaultRule::new(Fault::SecondaryRateLimit {
                retry_after_seconds: Some(42),
                status: 429,
            }),
            FaultRule::new(Fault::DropConnection),
            FaultRule::new(Fault::TruncatedBody),
            FaultRule::new(Fault::MalformedJson),
            FaultRule::new(Fault::Redirect {
                location: "http://a.invalid/b".into(),
                status: 307,
            }),
            FaultRule::new(Fault::LinkLoop).path(""),
            FaultRule::new(Fault::link_header("")).method("GET"),
            FaultRule::new(Fault::link_header("<x>; rel=\"next\"")).forever(),
            FaultRule::new(Fault::DigestMismatch).path("/v2/"),
            FaultRule::new(Fault::foreign_realm()),
            FaultRule::new(Fault::ForeignRealm {
                realm: Some("http://127.0.0.1:1/token".into()),
            }),
            FaultRule::new(Fault::TokenExpired).times(2),
        ];
        for rule in rules {
            let text = rule.to_json();
            assert_eq!(FaultRule::from_json(&text).unwrap(), rule, "{text}");
            let fault_text = serde_json::to_string(&rule.fault).unwrap();
            assert!(fault_text.starts_with(&format!(r#"{{"kind":"{}""#, rule.fault.kind())));
            assert_eq!(
                serde_json::from_str::<Fault>(&fault_text).unwrap(),
                rule.fault
            );
        }
        assert_eq!(
            FaultRule::new(Fault::Status(502))
                .path("/orgs/acme")
                .forever()
                .to_json(),
            r#"{"kind":"status","status":502,"path":"/orgs/acme","times":null}"#
        );
    }

    #[test]
    fn json_errors_say_what_is_wrong() {
        assert!(json_err(r#"{"kind":"explode"}"#).contains("unknown fault kind \"explode\""));
        assert!(json_err(r#"{"status":500}"#).contains("missing field `kind`"));
        assert!(json_err(r#"{"kind":"status","colour":1}"#).contains("unknown field `colour`"));
        assert!(json_err(r#"{"kind":"status"}"#).contains("needs `status`"));
        assert!(json_err(r#"{"kind":"latency"}"#).contains("needs `delay_ms`"));
        assert!(json_err(r#"{"kind":"redirect"}"#).contains("needs `location`"));
        assert!(json_err(r#"{"kind":"status","status":42}"#).contains("between 100 and 599"));
        assert!(json_err(r#"{"kind":"status","status":600}"#).contains("between 100 and 599"));
        assert!(
            json_err(r#"{"kind":"redirect","location":"/x","status":200}"#)
                .contains("a redirect needs a 3xx status, got 200")
        );
        assert!(json_err(r#"{"kind":"secondary_rate_limit","status":500}"#).contains("403 or 429"));
        assert!(json_err(r#"{"kind":"drop_connection","status":500}"#)
            .contains("`status` does not apply to a `drop_connection` fault"));
        assert!(json_err(r#"{"kind":"status","status":500,"delay_ms":1}"#)
            .contains("`delay_ms` does not apply"));
        assert!(json_err(r#"{"kind":"status","status":500,"times":0}"#)
            .contains("times must be at least 1"));
        assert!(json_err(r#"{"kind":"status","status":500,"times":-1}"#)
            .contains("times must be a whole number of at least 1, or null"));
        assert!(json_err(r#"{"kind":"status","status":70000}"#).contains("not an HTTP status"));
        assert!(json_err(r#"{"kind":"status","status":500,"method":""}"#).contains("method"));
        assert!(json_err("not json").starts_with("invalid fault rule"));
        assert!(json_err(r#"{"kind":"link_header"}"#).contains("needs `value`"));
        assert!(json_err(r#"{"kind":"link_header","value":"a\nb"}"#)
            .contains("cannot hold control characters"));
        assert!(json_err(r#"{"kind":"foreign_realm","realm":""}"#).contains("must not be empty"));
        assert!(json_err(r#"{"kind":"digest_mismatch","value":"x"}"#)
            .contains("`value` does not apply to a `digest_mismatch` fault"));
        assert!(
            json_err(r#"{"kind":"token_expired","realm":"x"}"#).contains("`realm` does not apply")
        );
        let fault = serde_json::from_str::<Fault>(r#"{"kind":"status","status":500,"times":2}"#);
        assert!(fault
            .unwrap_err()
            .to_string()
            .contains("`times` belongs to a fault rule"));
    }

    #[test]
    fn cli_shorthand() {
        assert_eq!(
            cli("status:500@/orgs/acme/packages/npm/ui-kitx*"),
            FaultRule::new(Fault::Status(500))
                .path("/orgs/acme/packages/npm/ui-kit")
                .forever()
        );
        assert_eq!(
            cli("status:502@/orgsx2"),
            FaultRule::new(Fault::Status(502)).path("/orgs").times(2)
        );
        assert_eq!(
            cli("malformed_json@/orgs/acme"),
            FaultRule::new(Fault::MalformedJson).path("/orgs/acme"),
            "without a count: once"
        );
        assert_eq!(
            cli("drop_connection@x*"),
            FaultRule::new(Fault::DropConnection).path("").forever(),
            "an empty path matches every request"
        );
        assert_eq!(
            cli("latency:5000@/ax1").fault,
            Fault::latency(Duration::from_secs(5))
        );
        assert_eq!(
            cli("primary_rate_limit:3600@/a").fault,
            Fault::PrimaryRateLimit {
                reset_in_seconds: 3600
            }
        );
        assert_eq!(
            cli("primary_rate_limit@/a").fault,
            Fault::primary_rate_limit()
        );
        assert_eq!(
            cli("secondary_rate_limit:42@/a").fault,
            Fault::SecondaryRateLimit {
                retry_after_seconds: Some(42),
                status: 403
            }
        );
        assert_eq!(
            cli("secondary_rate_limit@/a").fault,
            Fault::secondary_rate_limit()
        );
        assert_eq!(
            cli("redirect:http://user@host.invalid:8080/x@/orgsx3"),
            FaultRule::new(Fault::redirect("http://user@host.invalid:8080/x"))
                .path("/orgs")
                .times(3),
            "the location runs to the last '@'"
        );
        assert_eq!(
            cli("link_loop@/users/octocat/packages/npm/x"),
            FaultRule::new(Fault::LinkLoop).path("/users/octocat/packages/npm/x"),
            "an x not followed by a count belongs to the path"
        );
        assert_eq!(
            cli("link_header:<<not a url>>; rel=next; garbage@/orgs/acmex*"),
            FaultRule::new(Fault::link_header("<<not a url>>; rel=next; garbage"))
                .path("/orgs/acme")
                .forever()
        );
        assert_eq!(
            cli("foreign_realm@/v2/"),
            FaultRule::new(Fault::foreign_realm()).path("/v2/")
        );
        assert_eq!(
            cli("foreign_realm:https://evil.invalid/token@/v2/x2"),
            FaultRule::new(Fault::ForeignRealm {
                realm: Some("https://evil.invalid/token".into())
            })
            .path("/v2/")
            .times(2)
        );
        assert_eq!(
            cli("digest_mismatch@/manifests/x*"),
            FaultRule::new(Fault::DigestMismatch)
                .path("/manifests/")
                .forever()
        );
        assert_eq!(
            cli("token_expired@/v2/"),
            FaultRule::new(Fault::TokenExpired).path("/v2/")
        );
        assert_eq!(
            cli(r#"{"kind":"secondary_rate_limit","status":429,"times":null}"#),
            FaultRule::new(Fault::SecondaryRateLimit {
                retry_after_seconds: None,
                status: 429
            })
            .forever()
        );
    }

    #[test]
    fn cli_errors_say_what_is_wrong() {
        assert!(cli_err("status:500").contains("no '@'"));
        assert!(cli_err("status@/x").contains("needs `status`"));
        assert!(cli_err("status:abc@/x").contains("not a whole"));
        assert!(cli_err("status:70000@/x").contains("status 70000 is not an HTTP status"));
        assert!(cli_err("status:42@/x").contains("between 100 and 599"));
        assert!(cli_err("latency@/x").contains("needs `delay_ms`"));
        assert!(cli_err("redirect@/x").contains("needs `location`"));
        assert!(cli_err("drop_connection:1@/x").contains("takes no argument"));
        assert!(cli_err("digest_mismatch:1@/x").contains("takes no argument"));
        assert!(cli_err("link_header@/x").contains("needs `value`"));
        assert!(cli_err("drop@/x").contains("unknown fault kind \"drop\""));
        assert!(cli_err("status:500@/xx0").contains("at least 1"));
        assert!(cli_err("status:500@/xx99999999999").contains("too large"));
        assert!(cli_err(r#"{"kind":"nope"}"#).contains("unknown fault kind"));
    }
}
