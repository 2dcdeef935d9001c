//! Any bytes, as a datagram and as a TCP stream: the parser and the framer
//! must never panic, and a message that parses prints to bytes that parse
//! to the same message.
//!
//! Run with `cargo fuzz run sip_parse` from this folder (nightly toolchain).
#![no_main]

use hotline_sip::{frame, Frame, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::parse(data) {
        let printed = m.to_bytes();
        let again = Message::parse(&printed).expect("what we print parses");
        assert_eq!(again.start, m.start);
        assert_eq!(again.body, m.body);
        assert_eq!(frame(&printed), Frame::Complete(printed.len()));
    }
    let mut rest = data;
    while let Frame::Complete(n) = frame(rest) {
        let _ = Message::parse(&rest[..n]);
        rest = &rest[n..];
    }
});
