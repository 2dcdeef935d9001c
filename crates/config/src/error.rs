use std::fmt;
use std::path::PathBuf;

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or holds a wrong value.
    #[error("{0}")]
    File(Located),
    /// An environment variable holds a wrong value.
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    /// The values parse but do not make sense together.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
}

/// A message tied to a place in a file.
#[derive(Debug)]
pub struct Located {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.path, self.line, self.column, self.message)
    }
}

impl Located {
    /// Turns a byte offset in `text` into a 1-based line and column.
    pub(crate) fn at(path: &str, text: &str, offset: usize, message: String) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Located { path: path.to_owned(), line, column, message }
    }
}
