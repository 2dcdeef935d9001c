//! Time as the caller gives it: milliseconds since an epoch the driver
//! chooses. Nothing in this crate reads a clock. The same type as the
//! guard's, so the registrar hands it over as it is.

pub use hotline_guard::Time;
