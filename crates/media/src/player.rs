//! Playing a prompt (or music on hold) as 20 ms frames of 8 kHz samples.

use std::sync::Arc;

use crate::jitter::{Frame, FRAME};

/// Yields a prompt's frames in order; the last is padded with silence.
/// Looping players (music on hold) start over at the end.
#[derive(Debug, Clone)]
pub struct Player {
    samples: Arc<[i16]>,
    pos: usize,
    looped: bool,
}

impl Player {
    pub fn new(samples: Arc<[i16]>, looped: bool) -> Player {
        Player { samples, pos: 0, looped }
    }

    /// The next frame, or `None` when a prompt that does not loop is over
    /// (the moment to report "prompt done").
    pub fn next_frame(&mut self) -> Option<Frame> {
        if self.samples.is_empty() {
            return None;
        }
        if self.pos >= self.samples.len() {
            if !self.looped {
                return None;
            }
            self.pos = 0;
        }
        let end = (self.pos + FRAME).min(self.samples.len());
        let mut f = [0; FRAME];
        f[..end - self.pos].copy_from_slice(&self.samples[self.pos..end]);
        self.pos = end;
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_padding_end_and_loop() {
        let s: Arc<[i16]> = (1..=400).collect::<Vec<i16>>().into();
        let mut p = Player::new(s.clone(), false);
        let frames: Vec<Frame> = std::iter::from_fn(|| p.next_frame()).collect();
        assert_eq!(frames.len(), 3);
        assert_eq!((frames[2][79], frames[2][80]), (400, 0), "the last frame is padded");
        let mut l = Player::new(s, true);
        let firsts: Vec<i16> = (0..4).map(|_| l.next_frame().unwrap()[0]).collect();
        assert_eq!(firsts, [1, 161, 321, 1], "music on hold starts over");
        assert_eq!(Player::new(Arc::from(vec![]), true).next_frame(), None);
    }
}
