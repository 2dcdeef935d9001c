//! The post-call survey: when the agent hangs up, a caller of a queue with a
//! survey flow is moved into it ("press 1 to 5"); what the flow collects is
//! reported with `Output::SurveyResult` when it ends, and the call ends
//! normally. A caller who hangs up during the survey simply ends the call.

use std::sync::Arc;

use hotline_ivr::{Flow, Output as IvrOutput, Session, Time as IvrTime};

use super::{Orchestrator, Phase};
use crate::types::*;

impl Orchestrator {
    /// The survey flow of the call's queue, if it has one.
    pub(super) fn survey_flow(&self, call: CallId) -> Option<Arc<Flow>> {
        let queue = self.calls.get(&call)?.wait.queue.as_deref()?;
        self.cfg.queues.iter().find(|e| e.queue == queue)?.survey.clone()
    }

    /// Starts the survey of the call's queue; `false` if it has none.
    pub(super) fn start_survey(&mut self, call: CallId) -> bool {
        let now = IvrTime(self.now.0);
        let Some(flow) = self.survey_flow(call) else { return false };
        let Some(c) = self.calls.get(&call) else { return false };
        let vars = [("caller".to_string(), c.from.clone())].into_iter().collect();
        let session = Session::start(flow, vars, now);
        if let Some(c) = self.calls.get_mut(&call) {
            c.ivr = Some(session);
            c.phase = Phase::Survey;
        }
        self.emit(Output::StopMedia { call });
        self.drain_ivr(call);
        true
    }

    /// Handles one output of the survey session; `true` when the survey ended.
    pub(super) fn survey_output(&mut self, call: CallId, out: IvrOutput) -> bool {
        match out {
            IvrOutput::Play(prompt) => self.emit(Output::Play { call, prompt }),
            IvrOutput::StopPrompt => self.emit(Output::StopMedia { call }),
            IvrOutput::Lookup { backend, params } => self.emit(Output::Lookup { call, backend, params }),
            IvrOutput::Failed(_) => {}
            IvrOutput::Hangup | IvrOutput::Enqueue { .. } | IvrOutput::Transfer { .. } | IvrOutput::Voicemail { .. } => {
                let Some(c) = self.calls.get(&call) else { return true };
                let vars = c.ivr.as_ref().map(|s| s.public_vars()).unwrap_or_default();
                let contact = c.contact.clone();
                self.emit(Output::SurveyResult { contact, vars });
                self.emit(Output::Hangup { call, side: Side::Caller, cause: Cause::NormalClearing });
                self.end(call, Cause::NormalClearing);
                return true;
            }
        }
        false
    }
}
