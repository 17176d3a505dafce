//! Diagnostics: the errors and warnings Terraform shows the user, each optionally pointing at
//! the attribute it is about, so that `terraform plan` underlines the right line of HCL.

use std::fmt;

/// How Terraform treats a diagnostic: an error stops the operation, a warning is only shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Fails the plan or apply.
    Error,
    /// Shown, and the operation goes on.
    Warning,
}

/// One step of an attribute path: `conditions[0].users.include_users`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// An attribute or block by name.
    Attr(String),
    /// An element of a map, by its key.
    Key(String),
    /// An element of a list, by its position.
    Index(i64),
}

/// Where in the configuration a diagnostic points, from the top-level attribute down.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttrPath(pub Vec<Step>);

impl AttrPath {
    /// A path to the top-level attribute or block `name`.
    pub fn root(name: &str) -> AttrPath {
        AttrPath(vec![Step::Attr(name.to_string())])
    }

    /// One step down, into the attribute or block `name`.
    pub fn attr(mut self, name: &str) -> AttrPath {
        self.0.push(Step::Attr(name.to_string()));
        self
    }

    /// One step down, into the `i`th element of a list (a block's `[0]`, for one).
    pub fn index(mut self, i: usize) -> AttrPath {
        self.0.push(Step::Index(i as i64));
        self
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One error or warning, as Terraform shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it stops the operation.
    pub severity: Severity,
    /// The one line Terraform prints after `Error:` or `Warning:`.
    pub summary: String,
    /// What went wrong and what to do about it, below the summary.
    pub detail: String,
    /// The attribute it is about, so Terraform shows that line of HCL; `None` for the whole object.
    pub attribute: Option<AttrPath>,
}

/// Everything an operation has to tell the user; empty when all went well.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// A single error about no attribute in particular.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostics {
        let mut d = Diagnostics::default();
        d.push_error(summary, detail);
        d
    }

    /// A single error pointing at the attribute `path`.
    pub fn attr_error(
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Diagnostics {
        let mut d = Diagnostics::default();
        d.push_attr_error(path, summary, detail);
        d
    }

    /// Adds an error about no attribute in particular.
    pub fn push_error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.0.push(Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        });
    }

    /// Adds an error pointing at the attribute `path`.
    pub fn push_attr_error(
        &mut self,
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.0.push(Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: Some(path),
        });
    }

    /// Adds a warning pointing at the attribute `path`.
    pub fn push_attr_warning(
        &mut self,
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.0.push(Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            attribute: Some(path),
        });
    }

    /// Adds a warning about no attribute in particular.
    pub fn push_warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.0.push(Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        });
    }

    /// Adds everything `other` reports, in order.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether the operation must stop; warnings alone do not stop it.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether there is nothing to tell the user, not even a warning.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            match &d.attribute {
                Some(p) => writeln!(f, "{:?}: {} ({p}): {}", d.severity, d.summary, d.detail)?,
                None => writeln!(f, "{:?}: {}: {}", d.severity, d.summary, d.detail)?,
            }
        }
        Ok(())
    }
}
