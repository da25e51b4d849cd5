use std::collections::BTreeMap;
use std::fmt;

/// Validation failures keyed by the offending field, in the shape the API's
/// problem+json `errors` object and the admin forms both show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>, BTreeMap<String, Vec<Problem>>);

/// One thing wrong with a field that names what to fix (which photo, how
/// many characters): a code the interfaces translate (`problems.{code}` in
/// their string files, `{name}` replaced by each value), and its English
/// sentence, which the API shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub english: String,
}

impl Problem {
    pub fn new(code: &'static str, english: impl Into<String>) -> Self {
        Problem {
            code,
            args: Vec::new(),
            english: english.into(),
        }
    }

    /// The value the translated sentence shows for `{name}`.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english)
    }
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// Records a problem of `field`; its message is every problem's English
    /// sentence, unless a plain message came first.
    pub fn add_problem(&mut self, field: impl Into<String>, problem: Problem) {
        let field = field.into();
        if self.0.contains_key(&field) && !self.1.contains_key(&field) {
            return;
        }
        let problems = self.1.entry(field.clone()).or_default();
        problems.push(problem);
        let message = problems
            .iter()
            .map(|p| p.english.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        self.0.insert(field, message);
    }

    /// The problems recorded for `field`, in order (none for a plain message).
    pub fn problems(&self, field: &str) -> &[Problem] {
        self.1.get(field).map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `Ok(())` when nothing was recorded, so validators can end with `errors.into_result()`.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self))
        }
    }
}

#[cfg(test)]
mod problem_tests {
    use super::*;

    #[test]
    fn problems_of_a_field_read_as_one_english_message_and_stay_apart_for_translation() {
        let mut errors = FieldErrors::new();
        errors.add_problem(
            "gallery",
            Problem::new("not_in_library", "media:9 is not here").with("photo", "media:9"),
        );
        errors.add_problem(
            "gallery",
            Problem::new("no_alt_ar", "media:3 has no alt text").with("photo", "media:3"),
        );
        errors.add("title", "write a title");
        errors.add_problem("title", Problem::new("x", "ignored"));
        let messages: Vec<(&str, &str)> = errors.iter().collect();
        assert_eq!(
            messages,
            [
                ("gallery", "media:9 is not here; media:3 has no alt text"),
                ("title", "write a title")
            ]
        );
        let codes: Vec<&str> = errors.problems("gallery").iter().map(|p| p.code).collect();
        assert_eq!(codes, ["not_in_library", "no_alt_ar"]);
        assert!(errors.problems("title").is_empty());
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (field, message) in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            write!(f, "{field}: {message}")?;
            first = false;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("unknown {what} `{value}`; expected one of: {expected}")]
    UnknownValue {
        what: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl DomainError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        DomainError::Invalid(errors)
    }
}
