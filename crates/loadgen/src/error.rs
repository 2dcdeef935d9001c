//! What can go wrong in a load run.

use std::net::SocketAddr;

/// A load run that could not start or could not go on.
#[derive(Debug, thiserror::Error)]
pub enum LoadgenError {
    #[error("bad option --{option}: {message}")]
    Option {
        option: &'static str,
        message: String,
    },
    #[error("cannot bind {what} on {addr}: {source}")]
    Bind {
        what: &'static str,
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("no free RTP port in {min}-{max}")]
    PortsExhausted { min: u16, max: u16 },
    #[error("no agent registered: {0}")]
    Registration(String),
    #[error("{0} stopped unexpectedly")]
    TaskGone(&'static str),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl LoadgenError {
    pub(crate) fn option(option: &'static str, message: impl Into<String>) -> LoadgenError {
        LoadgenError::Option {
            option,
            message: message.into(),
        }
    }
}
