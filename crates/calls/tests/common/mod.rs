//! The script runner shared by the call-flow tests: feeds timed inputs to an
//! orchestrator, firing its timers at their own times as the driver does,
//! and prints every output with the time it came out.
#![allow(dead_code)]

use hotline_calls::*;

/// Runs `script`; `show` prints one output (or `None` to use its Debug form).
pub fn play(o: &mut Orchestrator, script: &[(u64, Input)], show: fn(&Output) -> Option<String>) -> String {
    let mut text = String::new();
    for (t, input) in script {
        while let Some(d) = o.next_deadline().filter(|d| d.0 < *t) {
            o.handle(d, Input::Tick);
            drain(o, d.0, &mut text, show);
        }
        o.handle(Time(*t), input.clone());
        drain(o, *t, &mut text, show);
    }
    text
}

fn drain(o: &mut Orchestrator, t: u64, text: &mut String, show: fn(&Output) -> Option<String>) {
    while let Some(out) = o.poll_output() {
        let line = show(&out).unwrap_or_else(|| format!("{out:?}"));
        text.push_str(&format!("{t:<6} {line}\n"));
    }
}
