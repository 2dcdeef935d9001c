//! # hotline-loadgen: load for a running Hotline server, over real SIP and RTP
//!
//! `hotline loadgen` plays both ends of a contact center in one process:
//!
//! - **agents' phones** ([`sip::agent`]): every extension registers with
//!   digest authentication, answers the server's INVITEs (180, then 200
//!   with SDP: PCMU or PCMA and telephone-event), sends a 500 Hz tone and
//!   measures what the server relays to it, until the server's BYE;
//! - **callers** ([`sip::caller`]): INVITEs to the service number at a
//!   rate while fewer than a limit are on the line, ACK, a 400 Hz tone
//!   both ways, RFC 4733 keys if the IVR needs them, a hold time once the
//!   agent's audio arrives, BYE.
//!
//! Signaling uses `hotline-sip` (messages, the transaction layer with its
//! retransmissions, dialogs, client digest); media uses `hotline-media`
//! (RTP packets, G.711, RFC 4733, RTCP receive statistics). One task sends
//! every stream's 20 ms frames ([`rtp::sender`]); a task per stream
//! measures loss and RFC 3550 jitter ([`rtp::receiver`]). Each frame
//! carries a small tag ([`rtp::tone`]) that survives the server's G.711
//! relay, so a caller knows when its agent's audio (not the IVR's) arrives
//! and loss can be counted end to end as well as per leg.
//!
//! The report ([`report::Report`]) gives the setup rate, setup latencies,
//! calls held at once, loss and jitter percentiles across streams at both
//! ends, failures by cause, and the server's CPU from /proc.

pub mod config;
pub mod cpu;
mod error;
pub mod report;
pub mod rtp;
mod run;
pub mod sdp;
pub mod sip;
pub mod stats;

pub use config::Args;
pub use error::LoadgenError;
pub use report::Report;
pub use run::run;

/// `hotline loadgen`: runs the load and prints the report (text, or JSON
/// with `--json`).
pub async fn main(args: Args) -> Result<(), LoadgenError> {
    let report = run(&args).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.text());
    }
    Ok(())
}
