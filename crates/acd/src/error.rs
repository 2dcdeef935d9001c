/// Why the ACD refused a command.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum AcdError {
    #[error("unknown {entity} `{id}`")]
    NotFound { entity: &'static str, id: String },
    /// The command referred to something that is no longer current
    /// (an offer that timed out, a contact that already ended).
    #[error("{0}")]
    Stale(String),
    /// The command is not allowed in the current state.
    #[error("{0}")]
    Invalid(String),
    /// The routing task has stopped (server shutting down).
    #[error("routing is not running")]
    Stopped,
    #[error("storage: {0}")]
    Store(String),
}

impl From<hotline_store::StoreError> for AcdError {
    fn from(e: hotline_store::StoreError) -> Self {
        AcdError::Store(e.to_string())
    }
}
