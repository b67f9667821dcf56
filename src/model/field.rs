//! Three-state values: every model field that a source may not know is a [`Field`].

use std::fmt;

/// Why a value is not known.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Unknown {
    /// Terraform computes it during apply (`after_unknown` in a plan).
    AfterApply,
    /// An expression that could not be evaluated (an unresolved variable, a local, …).
    Unresolved(String),
    /// A live API call was denied; the string is the missing permission (`ec2:DescribeFlowLogs`).
    Denied(String),
    /// The inputs do not hold it (a referenced resource outside the scanned inputs, …).
    NotInInputs(String),
    /// A live API call failed for another reason (throttled past its retries, timed out,
    /// the service is not available in the region). Boxed: fields stay small.
    Failed(Box<FailedCall>),
    /// Outside what cbaudit itself knows (an AWS managed policy its snapshot does not
    /// hold); the string says what and why in full.
    NotKnownToCbaudit(String),
    /// The source cannot produce resources of this kind at all (AWS Config does not record
    /// DB subnet groups); the string says so, and what would read them.
    NotReadBySource(String),
}

/// A live call that failed: the operation (its IAM action) and the error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FailedCall {
    pub operation: String,
    pub error: String,
}

impl Unknown {
    pub fn failed(operation: impl Into<String>, error: impl Into<String>) -> Unknown {
        Unknown::Failed(Box::new(FailedCall {
            operation: operation.into(),
            error: error.into(),
        }))
    }
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unknown::AfterApply => f.write_str("known only after apply"),
            Unknown::Unresolved(what) => write!(f, "cannot be evaluated before apply ({what})"),
            Unknown::Denied(permission) => {
                write!(f, "not readable: permission {permission} denied")
            }
            Unknown::NotInInputs(what) => write!(
                f,
                "{what} {} not in the scanned inputs",
                super::grammar::be(what)
            ),
            Unknown::NotKnownToCbaudit(what) | Unknown::NotReadBySource(what) => f.write_str(what),
            Unknown::Failed(call) => {
                write!(f, "not readable: {} failed: {}", call.operation, call.error)
            }
        }
    }
}

/// A value that is known, sensitive (known, but never shown), unknown, or absent (not set).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Field<T> {
    Known(T),
    /// Known to the process, usable by rules, never printed in any output.
    Sensitive(T),
    Unknown(Unknown),
    /// Not set: the source says the attribute is absent, so AWS or provider defaults apply.
    #[default]
    Absent,
}

impl<T> Field<T> {
    /// The value, whether plain or sensitive.
    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Known(v) | Field::Sensitive(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_known(&self) -> bool {
        self.get().is_some()
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    pub fn is_sensitive(&self) -> bool {
        matches!(self, Field::Sensitive(_))
    }

    pub fn unknown(&self) -> Option<&Unknown> {
        match self {
            Field::Unknown(u) => Some(u),
            _ => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Known(v) => Field::Known(f(v)),
            Field::Sensitive(v) => Field::Sensitive(f(v)),
            Field::Unknown(u) => Field::Unknown(u),
            Field::Absent => Field::Absent,
        }
    }

    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Known(v) => Field::Known(v),
            Field::Sensitive(v) => Field::Sensitive(v),
            Field::Unknown(u) => Field::Unknown(u.clone()),
            Field::Absent => Field::Absent,
        }
    }

    /// Treats an absent value as `default` (the documented AWS/provider default).
    pub fn or_default_value(self, default: T) -> Field<T> {
        match self {
            Field::Absent => Field::Known(default),
            other => other,
        }
    }

    /// A printable form that never reveals a sensitive value.
    pub fn shown(&self) -> Shown<'_, T> {
        Shown(self)
    }
}

/// Helpers for rules: read a field once, without spelling out its four states.
impl<T> Field<T> {
    /// `Ok(Some(v))` when known (plain or sensitive), `Ok(None)` when absent, `Err` with why
    /// when unknown. `match f.value() { Ok(Some(v)) => …, Ok(None) => …, Err(u) => … }`.
    pub fn value(&self) -> Result<Option<&T>, &Unknown> {
        match self {
            Field::Known(v) | Field::Sensitive(v) => Ok(Some(v)),
            Field::Unknown(u) => Err(u),
            Field::Absent => Ok(None),
        }
    }

    /// [`Field::value`] with an owned [`Unknown`], for `?` in helpers that return
    /// `Result<_, Unknown>`.
    pub fn try_value(&self) -> Result<Option<&T>, Unknown> {
        self.value().map_err(Unknown::clone)
    }

    /// The value, an absent field read as `default` (the documented AWS/provider default),
    /// `Err` with why when unknown.
    pub fn value_or<'a>(&'a self, default: &'a T) -> Result<&'a T, &'a Unknown> {
        self.value().map(|v| v.unwrap_or(default))
    }

    /// Whether the field is known (plain or sensitive) and equal to `v`:
    /// `f.is(&true)` for `matches!(f, Field::Known(true) | Field::Sensitive(true))`.
    pub fn is(&self, v: &T) -> bool
    where
        T: PartialEq,
    {
        self.get() == Some(v)
    }

    /// The value when known; when unknown, remembers the first reason in `doubt` (for a
    /// rule that looks at many fields and is unknown only if none decides). `None` for an
    /// absent or unknown field.
    pub fn get_noting(&self, doubt: &mut Option<Unknown>) -> Option<&T> {
        if let Field::Unknown(u) = self {
            doubt.get_or_insert_with(|| u.clone());
        }
        self.get()
    }

    /// States the setting for a message: `"{attr} is not set ({when_absent})"` when absent,
    /// else `"{attr} is {value}"` (sensitive values print as `(sensitive)`).
    pub fn setting(&self, attr: &str, when_absent: &str) -> String
    where
        T: fmt::Display,
    {
        if self.is_absent() {
            format!("{attr} is not set ({when_absent})")
        } else {
            format!("{attr} is {}", self.shown())
        }
    }
}

/// Display adapter for [`Field`]: sensitive values print as `(sensitive)`.
pub struct Shown<'a, T>(&'a Field<T>);

impl<T: fmt::Display> fmt::Display for Shown<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Field::Known(v) => v.fmt(f),
            Field::Sensitive(_) => f.write_str("(sensitive)"),
            Field::Unknown(_) => f.write_str("(known after apply)"),
            Field::Absent => f.write_str("(not set)"),
        }
    }
}

/// What a rule gets when it asks for a value it needs: the value, or why it cannot decide.
pub enum Need<'a, T> {
    Value(&'a T),
    Unknown(&'a Unknown),
    Absent,
}

impl<T> Field<T> {
    pub fn need(&self) -> Need<'_, T> {
        match self {
            Field::Known(v) | Field::Sensitive(v) => Need::Value(v),
            Field::Unknown(u) => Need::Unknown(u),
            Field::Absent => Need::Absent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_values_are_never_shown() {
        let f = Field::Sensitive("hunter2".to_string());
        assert_eq!(f.shown().to_string(), "(sensitive)");
        assert_eq!(f.get().map(String::as_str), Some("hunter2"));
    }

    #[test]
    fn absent_takes_the_documented_default() {
        let f: Field<bool> = Field::Absent;
        assert_eq!(f.or_default_value(true), Field::Known(true));
        let u: Field<bool> = Field::Unknown(Unknown::AfterApply);
        assert!(u.or_default_value(true).unknown().is_some());
    }

    #[test]
    fn rule_helpers_read_all_four_states() {
        let known = Field::Known(3);
        let secret = Field::Sensitive(3);
        let absent: Field<i32> = Field::Absent;
        let unknown: Field<i32> = Field::Unknown(Unknown::AfterApply);
        assert_eq!(known.value(), Ok(Some(&3)));
        assert_eq!(secret.value(), Ok(Some(&3)));
        assert_eq!(absent.value(), Ok(None));
        assert_eq!(unknown.value(), Err(&Unknown::AfterApply));
        assert_eq!(unknown.try_value(), Err(Unknown::AfterApply));
        assert_eq!(absent.value_or(&7), Ok(&7));
        assert_eq!(known.value_or(&7), Ok(&3));
        assert!(known.is(&3) && secret.is(&3) && !known.is(&4) && !absent.is(&3));
        let mut doubt = None;
        assert_eq!(absent.get_noting(&mut doubt), None);
        assert_eq!(doubt, None);
        assert_eq!(unknown.get_noting(&mut doubt), None);
        assert_eq!(known.get_noting(&mut doubt), Some(&3));
        assert_eq!(doubt, Some(Unknown::AfterApply));
        let other: Field<i32> = Field::Unknown(Unknown::Denied("x:Y".into()));
        other.get_noting(&mut doubt);
        assert_eq!(doubt, Some(Unknown::AfterApply), "the first reason is kept");
        assert_eq!(absent.setting("n", "default 1"), "n is not set (default 1)");
        assert_eq!(known.setting("n", "default 1"), "n is 3");
        assert_eq!(secret.setting("n", "default 1"), "n is (sensitive)");
    }
}
