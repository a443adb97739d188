//! Errors and warnings, each tied to a place in the SDL.

use std::fmt;

use crate::yaml::Pos;

/// What kind of problem an [`SdlError`] is; stable, so callers can match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not valid YAML.
    Syntax,
    /// A key that this place does not allow (top level, GPU and storage blocks).
    UnknownField,
    /// A required field is absent.
    MissingField,
    /// A value has the wrong type (e.g. a list where a number belongs).
    InvalidType,
    /// A value has the right type but is not allowed (out of range, bad format).
    InvalidValue,
    /// A name refers to something that does not exist (profile, service, endpoint, volume).
    UnknownReference,
    /// Two things clash (duplicate mount, port, host, conflicting TEE types, denoms).
    Conflict,
    /// The `version` is missing or unsupported.
    Version,
    /// A rule of the on-chain deployment group validation (limits, totals, prices).
    GroupLimit,
    /// A rule of the manifest validation (names, image, ports, hosts).
    Manifest,
}

/// One problem in an SDL, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SdlError {
    /// The category of the problem.
    pub kind: ErrorKind,
    /// Path into the document, e.g. `services.web.expose[0].port` (empty: whole document).
    pub path: String,
    /// Line and column of the offending node, when known.
    pub pos: Option<Pos>,
    /// What is wrong. Texts follow the Go reference parser (`SDL invalid: ...`,
    /// `sdl: ...`) so that they can be searched for.
    pub message: String,
    /// What would have been accepted, when that can be said briefly.
    pub expected: Option<String>,
    /// A "did you mean" hint, e.g. for a misspelt key.
    pub suggestion: Option<String>,
}

impl SdlError {
    /// A new error.
    pub fn new(
        kind: ErrorKind,
        path: impl Into<String>,
        pos: Option<Pos>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            path: path.into(),
            pos,
            message: message.into(),
            expected: None,
            suggestion: None,
        }
    }

    /// Sets what was expected.
    pub fn expected(mut self, e: impl Into<String>) -> Self {
        self.expected = Some(e.into());
        self
    }

    /// Sets a hint.
    pub fn suggest(mut self, s: Option<String>) -> Self {
        self.suggestion = s;
        self
    }
}

impl fmt::Display for SdlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.path.is_empty(), self.pos) {
            (false, Some(p)) => write!(f, "{} ({p}): ", self.path)?,
            (false, None) => write!(f, "{}: ", self.path)?,
            (true, Some(p)) => write!(f, "{p}: ")?,
            (true, None) => {}
        }
        f.write_str(&self.message)?;
        if let Some(e) = &self.expected {
            write!(f, "; expected {e}")?;
        }
        if let Some(s) = &self.suggestion {
            write!(f, "; {s}")?;
        }
        Ok(())
    }
}

/// All the errors found in one SDL (never empty when returned by [`crate::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SdlErrors(pub Vec<SdlError>);

impl SdlErrors {
    /// The individual errors, in document order where that is known.
    pub fn errors(&self) -> &[SdlError] {
        &self.0
    }

    /// Whether any error has this kind.
    pub fn has_kind(&self, kind: ErrorKind) -> bool {
        self.0.iter().any(|e| e.kind == kind)
    }
}

impl fmt::Display for SdlErrors {
    /// One error per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Something accepted but probably not meant: an unknown key that is ignored, a value
/// that the Akash JSON schema would refuse but the parser accepts, and so on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdlWarning {
    /// Path into the document.
    pub path: String,
    /// Line and column, when known.
    pub pos: Option<Pos>,
    /// What was noticed.
    pub message: String,
    /// A "did you mean" hint, if any.
    pub suggestion: Option<String>,
}

impl fmt::Display for SdlWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{} ({p}): {}", self.path, self.message)?,
            None => write!(f, "{}: {}", self.path, self.message)?,
        }
        if let Some(s) = &self.suggestion {
            write!(f, "; {s}")?;
        }
        Ok(())
    }
}

/// "did you mean `x`?" for the closest candidate to `word`, if one is close enough.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
        let limit = (c.len().max(word.len()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("imgae", ["image", "command"]).as_deref(),
            Some("did you mean `image`?")
        );
        assert_eq!(
            did_you_mean("exposee", ["expose", "env"]).as_deref(),
            Some("did you mean `expose`?")
        );
        assert_eq!(did_you_mean("zzzzzz", ["image", "expose"]), None);
        assert_eq!(did_you_mean("Image", ["image"]).as_deref(), Some("did you mean `image`?"));
    }

    #[test]
    fn display_has_path_position_expected_and_hint() {
        let e = SdlError::new(
            ErrorKind::InvalidValue,
            "services.web.expose[0].port",
            Some(Pos { line: 7, column: 15 }),
            "port value must be 0 < value <= 65535",
        )
        .expected("an integer from 1 to 65535")
        .suggest(Some("did you mean `as`?".into()));
        assert_eq!(
            e.to_string(),
            "services.web.expose[0].port (line 7, column 15): port value must be 0 < value <= 65535; \
             expected an integer from 1 to 65535; did you mean `as`?"
        );
        let all = SdlErrors(vec![e.clone(), e]);
        assert_eq!(all.to_string().lines().count(), 2);
    }
}
