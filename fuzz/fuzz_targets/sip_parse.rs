//! Any bytes, as a datagram, as a TCP stream, and through the transaction
//! layer: nothing may panic, and a message that parses prints to bytes that
//! parse to the same message and frame as exactly one message.
//!
//! From `fuzz/`: `cargo +nightly fuzz run sip_parse corpus/sip_parse seeds/sip_parse`
//! (`seeds/` holds the RFC 4475 torture messages as wire bytes; new inputs
//! go to `corpus/`, which is not committed).
#![no_main]

use hotline_sip::transaction::{Input, TransactionLayer, Transport};
use hotline_sip::{next_frame, Framed, Message, Time};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // As a datagram.
    if let Ok(m) = Message::parse(data) {
        let printed = m.to_bytes();
        let again = Message::parse(&printed).expect("what we print parses");
        assert_eq!(again, m, "printing keeps the message");
        assert_eq!(
            next_frame(&printed),
            Framed::Message {
                skip: 0,
                len: printed.len()
            }
        );
    }
    // As a stream: every step consumes bytes until more are needed or the
    // stream must close.
    let mut rest = data;
    loop {
        let step = match next_frame(rest) {
            Framed::Message { skip, len } => {
                let frame = rest.get(skip..skip + len).expect("frame within the buffer");
                let _ = Message::parse(frame);
                skip + len
            }
            Framed::KeepAlive { len, .. } => len,
            Framed::NeedMore | Framed::Close(_) => break,
        };
        assert!(step > 0 && step <= rest.len());
        rest = &rest[step..];
    }
    // Through the transaction layer, then all its timers.
    let mut layer = TransactionLayer::default();
    let from = "192.0.2.1:5060".parse().expect("address");
    for transport in [Transport::Udp, Transport::Tcp] {
        layer
            .handle_input(
                Time(0),
                Input::Receive {
                    from,
                    transport,
                    bytes: data.to_vec(),
                },
            )
            .expect("received bytes never error");
    }
    while let Some(t) = layer.poll_timeout() {
        layer
            .handle_input(t, Input::Timeout)
            .expect("timeouts never error");
        while layer.poll_output().is_some() {}
    }
});
