//! Why a message was refused. Each [`ParseError`] prints as the reason
//! phrase of the response a server answers a broken request with
//! (`SIP/2.0 400 Missing Call-ID`); [`ParseError::status`] gives the code.

/// A message that cannot be processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but CRLFs (or nothing at all).
    #[error("Empty Message")]
    Empty,
    /// Larger than [`crate::MAX_MESSAGE`].
    #[error("Message Too Large")]
    TooLarge,
    /// No empty line after the headers.
    #[error("Incomplete Headers")]
    Incomplete,
    /// The start line and headers must be UTF-8 (RFC 3261 §7.3.1).
    #[error("Headers Not UTF-8")]
    NotUtf8,
    /// Not `Method SP Request-URI SP SIP/2.0`, with single spaces.
    #[error("Malformed Request-Line")]
    RequestLine,
    /// Not `SIP/2.0 SP code SP reason`.
    #[error("Malformed Status-Line")]
    StatusLine,
    /// The method is not a token.
    #[error("Invalid Method")]
    Method,
    #[error("Invalid Request-URI")]
    RequestUri,
    /// A well-formed `SIP/x.y` other than 2.0 (answered with 505).
    #[error("Version Not Supported")]
    Version,
    /// Not three digits from 100 to 699.
    #[error("Invalid Status Code")]
    StatusCode,
    /// A header line without a colon, with a name that is not a token,
    /// a continuation line before any header, or a stray CR or LF.
    #[error("Malformed Header Line")]
    HeaderLine,
    /// A mandatory header is absent.
    #[error("Missing {0}")]
    Missing(&'static str),
    /// A header the server reads has a value it cannot parse.
    #[error("Invalid {0}")]
    Invalid(&'static str),
    /// A header allowed once appears several times.
    #[error("Duplicate {0}")]
    Duplicate(&'static str),
    /// The CSeq method differs from the request method.
    #[error("CSeq Method Mismatch")]
    CSeqMethod,
    /// More header lines than the server takes (its `max_header_lines`).
    #[error("Too Many Header Lines")]
    TooManyHeaders,
    /// Fewer body bytes than Content-Length announces.
    #[error("Body Shorter Than Content-Length")]
    BodyTooShort,
}

impl ParseError {
    /// The status code to answer a request that failed with this error:
    /// 505 for another SIP version, 513 for an oversized message, else 400.
    pub fn status(&self) -> u16 {
        match self {
            ParseError::Version => 505,
            ParseError::TooLarge => 513,
            _ => 400,
        }
    }
}
