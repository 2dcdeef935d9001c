//! The simulated phones' signaling: [`core`] (a UDP socket and the
//! transaction layer), [`agent`] (agents' phones: register, auto-answer),
//! [`caller`] (callers: INVITE at a rate, talk, BYE).

pub mod agent;
pub mod caller;
pub mod core;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// When each caller (by its number) sent its INVITE, so an agent's phone
/// can tell how long after it the server rang it.
pub type InviteClock = Arc<Mutex<HashMap<String, Instant>>>;
