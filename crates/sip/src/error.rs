//! Why a message was refused.

/// A message that cannot be processed. `Display` is a reason phrase fit for
/// `SIP/2.0 400 <reason>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("Not UTF-8 Headers")]
    NotUtf8,
    #[error("Empty Message")]
    Empty,
    #[error("Bad Start Line")]
    StartLine,
    #[error("Unsupported SIP Version")]
    Version,
    #[error("Bad Request-URI")]
    RequestUri,
    #[error("Bad Status Code")]
    StatusCode,
    #[error("Bad Method")]
    Method,
    #[error("Malformed Header Line")]
    HeaderLine,
    #[error("Missing {0}")]
    Missing(&'static str),
    #[error("Invalid {0}")]
    Invalid(&'static str),
    #[error("Duplicate {0}")]
    Duplicate(&'static str),
    #[error("Body Length Mismatch")]
    BodyLength,
    #[error("CSeq Method Mismatch")]
    CSeqMethod,
    #[error("Message Too Large")]
    TooLarge,
}
