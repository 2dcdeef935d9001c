//! A call's recording, written off the media task: the media task hands each
//! tick's pair of frames to a writer task over a channel and never touches
//! the disk. The writer buffers them in the [`Recorder`] and does every file
//! operation — create, the periodic flush with its header rewrite, the final
//! sync and the read-back for the SHA-256 — on tokio's blocking pool, so a
//! slow or failing disk delays only the recording, never the audio of this
//! or any other call. Frames that arrive while a flush runs wait in the
//! channel; none are dropped.

use hotline_calls::CallId;
use hotline_media::jitter::Frame;
use hotline_media::recorder::Recorder;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{MediaEvent, RecordingTarget};
use crate::recordings::{RecordingStorage, Sink};

/// Frames per flush: one second of audio at 20 ms a frame.
const FLUSH_EVERY: u64 = 50;

/// The media task's end of a recording being written.
pub(super) struct RecordingWriter {
    frames: mpsc::UnboundedSender<(Frame, Frame)>,
    done: JoinHandle<()>,
}

impl RecordingWriter {
    /// Starts writing `target`; the writer reports [`MediaEvent::Recorded`]
    /// (with the error, if the file cannot be created or written) when it ends.
    pub(super) fn start(call: CallId, target: RecordingTarget, events: mpsc::UnboundedSender<MediaEvent>) -> RecordingWriter {
        let (frames, rx) = mpsc::unbounded_channel();
        let done = tokio::spawn(write(call, target, rx, events));
        RecordingWriter { frames, done }
    }

    /// One tick: the caller's frame (left) and the agent's (right).
    pub(super) fn push(&self, caller: Frame, agent: Frame) {
        // A writer that failed has already reported why; its frames go nowhere.
        let _ = self.frames.send((caller, agent));
    }

    /// Ends the recording; the handle completes once it is reported.
    pub(super) fn finish(self) -> JoinHandle<()> {
        drop(self.frames);
        self.done
    }
}

async fn write(call: CallId, t: RecordingTarget, mut frames: mpsc::UnboundedReceiver<(Frame, Frame)>, events: mpsc::UnboundedSender<MediaEvent>) {
    let RecordingTarget { id, path, storage } = t;
    let report = |duration_ms, sha256| {
        let _ = events.send(MediaEvent::Recorded { call, id: id.clone(), duration_ms, sha256 });
    };
    let created = {
        let (storage, path) = (storage.clone(), path.clone());
        blocking(move || storage.create(&path).and_then(Recorder::new)).await
    };
    let mut recorder = match created {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(%call, error = %e, "cannot start the recording");
            return report(0, Err(e.to_string()));
        }
    };
    let mut n: u64 = 0;
    while let Some((caller, agent)) = frames.recv().await {
        recorder.push(true, &caller);
        recorder.push(false, &agent);
        n += 1;
        if n.is_multiple_of(FLUSH_EVERY) {
            let task = tokio::task::spawn_blocking(move || {
                let flushed = recorder.flush();
                (recorder, flushed)
            });
            match task.await {
                Ok((back, flushed)) => {
                    recorder = back;
                    if let Err(e) = flushed {
                        tracing::error!(%call, error = %e, "recording write failed");
                    }
                }
                // Only when the runtime shuts down: the recording cannot go on.
                Err(e) => return report(0, Err(format!("recording IO task: {e}"))),
            }
        }
    }
    let finished = blocking(move || finish(recorder, &*storage, &path)).await;
    match finished {
        Ok((ms, sha)) => report(ms, Ok(sha)),
        Err(e) => report(0, Err(e.to_string())),
    }
}

/// Pads, flushes and syncs the file, and hashes it as it is on disk.
fn finish(recorder: Recorder<Box<dyn Sink>>, storage: &dyn RecordingStorage, path: &str) -> std::io::Result<(u64, String)> {
    let (_, ms, sha) = recorder.finish(|w| {
        w.sync()?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut storage.open(path)?, &mut bytes)?;
        Ok(bytes)
    })?;
    Ok((ms, sha))
}

/// Runs file IO on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> std::io::Result<T> + Send + 'static) -> std::io::Result<T> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| Err(std::io::Error::other(format!("recording IO task: {e}"))))
}
