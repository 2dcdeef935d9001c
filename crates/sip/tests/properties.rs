//! Properties: no input makes the parser, the framer or the transaction
//! layer panic, and what parses prints to bytes that parse to the same.

mod common;

use common::{torture, torture_names};
use hotline_sip::transaction::{Input, TransactionLayer, Transport};
use hotline_sip::{next_frame, Framed, Message, Time};
use proptest::prelude::*;

fn check(bytes: &[u8]) {
    if let Ok(m) = Message::parse(bytes) {
        let printed = m.to_bytes();
        assert_eq!(Message::parse(&printed).as_ref(), Ok(&m));
        assert_eq!(
            next_frame(&printed),
            Framed::Message {
                skip: 0,
                len: printed.len()
            }
        );
    }
    let mut rest = bytes;
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
        assert!(step > 0, "framing always makes progress");
        rest = &rest[step..];
    }
    let mut layer = TransactionLayer::default();
    let from = "192.0.2.1:5060".parse().unwrap();
    for transport in [Transport::Udp, Transport::Tcp] {
        layer
            .handle_input(
                Time(0),
                Input::Receive {
                    from,
                    transport,
                    bytes: bytes.to_vec(),
                },
            )
            .unwrap();
    }
    layer.handle_input(Time(100_000), Input::Timeout).unwrap();
    while layer.poll_output().is_some() {}
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..700)) {
        check(&bytes);
    }

    #[test]
    fn sip_looking_text(text in "(INVITE|SIP/2.0|REGISTER|ACK)[ -~\r\n]{0,300}") {
        check(text.as_bytes());
    }

    /// Damaged torture messages: one byte changed, then cut short.
    #[test]
    fn damaged_torture_messages(which in 0usize..64, at in any::<usize>(), byte in any::<u8>(), cut in any::<usize>()) {
        let names = torture_names();
        let mut m = torture(&names[which % names.len()]);
        let i = at % m.len();
        m[i] = byte;
        m.truncate(m.len() - cut % (m.len() / 2 + 1));
        check(&m);
    }
}

#[test]
fn every_torture_message() {
    for name in torture_names() {
        check(&torture(&name));
    }
}
