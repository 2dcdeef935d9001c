//! The routing task: owns the engine, turns commands into engine inputs and
//! engine outputs into events, rows and replies.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use hotline_events::{Event, EventBus};
use hotline_routing::{self as r, AgentId, ContactId, Engine, Input, OfferId, Output, QueueId, SkillId, Time};
use hotline_store::{AgentPresence, Interaction, Store};
use tokio::sync::mpsc;
use tracing::{debug, info, info_span, warn};

use crate::convert::{self, agent_profile, queue_config};
use crate::error::AcdError;
use crate::handle::{AcdHandle, AgentSnapshot, Command, NewContact, OfferSnapshot, QueueSnapshot, StatusRequest};
use crate::ids::Interner;
use crate::now_ms;
use crate::persist::{spawn_writer, Persist};
use crate::queue_log::{row, secs};

/// How the driver runs.
#[derive(Debug, Clone)]
pub struct AcdOptions {
    pub tenant: String,
    /// Largest batch of rows the writer puts in one go.
    pub persist_batch: usize,
    /// Local time offset that decides when "today" starts for daily counters.
    pub utc_offset_minutes: i32,
    /// Where rows wait while the database is away (`None`: in memory only).
    pub journal: Option<std::path::PathBuf>,
}

/// Loads queues and agents from the store, restores agent presence saved
/// before a restart, and starts the routing task.
pub async fn start(store: Store, bus: EventBus, opts: AcdOptions) -> Result<(AcdHandle, tokio::task::JoinHandle<()>), AcdError> {
    let t = store.tenant(&opts.tenant);
    let skills = t.list_skills().await?;
    let queues = t.list_queues().await?;
    let agents = t.list_agents().await?;
    let presence = t.list_presence().await?;
    let now = now_ms();
    let closed = t.close_open_interactions(now, "interrupted").await?;
    if closed > 0 {
        warn!(closed, "closed interactions left open by the previous run");
    }

    let (persist, writer) = spawn_writer(store.clone(), opts.tenant.clone(), opts.persist_batch, opts.journal.clone());
    let mut d = Driver::new(bus, persist, opts.utc_offset_minutes);
    d.known_skills = skills.iter().map(|s| s.id.clone()).collect();
    for q in queues.iter().filter(|q| q.enabled) {
        d.queue_names.intern(&q.id, r::QueueId);
    }
    for q in queues.iter().filter(|q| q.enabled) {
        d.apply_queue(now, q)?;
    }
    for a in &agents {
        d.apply_agent(now, a);
    }
    for p in presence {
        let Some(agent) = d.agent_ids.get(&p.agent_id) else { continue };
        let status = match p.status.as_str() {
            "available" => r::Status::Available,
            "not_ready" => r::Status::NotReady { reason: p.reason.clone().unwrap_or_default() },
            _ => continue,
        };
        if let Some(profile) = d.profiles.get(&agent).cloned() {
            d.handle(now, Input::AgentLogin { agent, profile, status });
        }
    }
    info!(queues = queues.len(), agents = agents.len(), "routing started");

    let (tx, rx) = mpsc::channel(1024);
    let task = tokio::spawn(async move {
        d.run(rx).await;
        // Dropping the driver closes the writer's channel; let it finish.
        drop(d);
        let _ = writer.await;
    });
    Ok((AcdHandle { tx }, task))
}

struct AgentInfo {
    id: String,
    extension: String,
    name: String,
}

struct OfferRec {
    contact: ContactId,
    agent: AgentId,
    queue: QueueId,
    expires_at: i64,
    offered_at: i64,
}

struct Driver {
    engine: Engine,
    bus: EventBus,
    persist: mpsc::UnboundedSender<Persist>,
    skill_names: Interner<SkillId>,
    queue_names: Interner<QueueId>,
    agent_ids: Interner<AgentId>,
    known_skills: HashSet<String>,
    configured_queues: HashSet<QueueId>,
    agents: HashMap<AgentId, AgentInfo>,
    profiles: HashMap<AgentId, r::AgentProfile>,
    last_status: HashMap<AgentId, r::Status>,
    contacts: HashMap<ContactId, Interaction>,
    by_interaction: HashMap<String, ContactId>,
    offers: HashMap<OfferId, OfferRec>,
    next_contact: u64,
    utc_offset_ms: i64,
    day: i64,
}

impl Driver {
    fn new(bus: EventBus, persist: mpsc::UnboundedSender<Persist>, utc_offset_minutes: i32) -> Self {
        let utc_offset_ms = i64::from(utc_offset_minutes) * 60_000;
        Driver {
            engine: Engine::new(),
            bus,
            persist,
            skill_names: Interner::new(),
            queue_names: Interner::new(),
            agent_ids: Interner::new(),
            known_skills: HashSet::new(),
            configured_queues: HashSet::new(),
            agents: HashMap::new(),
            profiles: HashMap::new(),
            last_status: HashMap::new(),
            contacts: HashMap::new(),
            by_interaction: HashMap::new(),
            offers: HashMap::new(),
            next_contact: 1,
            utc_offset_ms,
            day: (now_ms() + utc_offset_ms).div_euclid(86_400_000),
        }
    }

    async fn run(&mut self, mut rx: mpsc::Receiver<Command>) {
        loop {
            let now = now_ms();
            self.new_day_check(now);
            let sleep = self
                .engine
                .next_deadline()
                .map(|Time(at)| Duration::from_millis((at as i64 - now).max(0) as u64));
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    Some(Command::Stop) | None => break,
                    Some(cmd) => self.command(cmd),
                },
                () = tokio::time::sleep(sleep.unwrap_or(Duration::from_secs(3600))), if sleep.is_some() => {
                    self.handle(now_ms(), Input::Tick);
                }
            }
        }
    }

    fn new_day_check(&mut self, now: i64) {
        let day = (now + self.utc_offset_ms).div_euclid(86_400_000);
        if day != self.day {
            self.day = day;
            self.handle(now, Input::ResetDailyCounters);
        }
    }

    /// Feeds one input and processes every output. Returns why the engine
    /// refused the input, if it did.
    fn handle(&mut self, now: i64, input: Input) -> Option<String> {
        self.engine.handle(Time(now as u64), input);
        let mut refused = None;
        while let Some(out) = self.engine.poll_output() {
            if let Output::Rejected { input, reason } = &out {
                refused = Some(format!("{input}: {reason:?}"));
            }
            self.output(now, out);
        }
        refused
    }

    fn command(&mut self, cmd: Command) {
        let now = now_ms();
        match cmd {
            Command::SetStatus { agent_id, status, reply } => {
                let _ = reply.send(self.set_status(now, &agent_id, status));
            }
            Command::Persist(row) => self.persist(row),
            // Handled by `run`.
            Command::Stop => {}
            Command::Submit { contact, reply } => {
                let _ = reply.send(self.submit(now, contact));
            }
            Command::Accept { offer_id, agent_id, reply } => {
                let _ = reply.send(self.offer_reply(now, &offer_id, agent_id.as_deref(), true));
            }
            Command::Reject { offer_id, agent_id, reply } => {
                let _ = reply.send(self.offer_reply(now, &offer_id, agent_id.as_deref(), false));
            }
            Command::Finish { contact_id, agent_id, wrap_up_code, cause, reply } => {
                let _ = reply.send(self.finish(now, &contact_id, agent_id.as_deref(), wrap_up_code, cause));
            }
            Command::EndWrapUp { agent_id, reply } => {
                let r = self.agent_id(&agent_id).and_then(|a| {
                    self.handle(now, Input::EndWrapUp(a));
                    self.snapshot(a)
                });
                let _ = reply.send(r);
            }
            Command::Abandon { contact_id, cause, reply } => {
                let r = self.contact_id(&contact_id).map(|c| {
                    if let Some(row) = self.contacts.get_mut(&c) {
                        row.hangup_cause = cause;
                    }
                    self.handle(now, Input::ContactAbandoned(c));
                });
                let _ = reply.send(r);
            }
            Command::Agent { agent_id, reply } => {
                let _ = reply.send(self.agent_id(&agent_id).and_then(|a| self.snapshot(a)));
            }
            Command::Interaction { id, reply } => {
                let row = self.by_interaction.get(&id).and_then(|c| self.contacts.get(c)).cloned();
                let _ = reply.send(Ok(row));
            }
            Command::Place { contact_id, reply } => {
                let _ = reply.send(self.contact_id(&contact_id).map(|c| self.engine.place(c)));
            }
            Command::Agents { reply } => {
                let mut ids: Vec<AgentId> = self.agents.keys().copied().collect();
                ids.sort_by(|a, b| self.agents[a].extension.cmp(&self.agents[b].extension));
                let _ = reply.send(ids.into_iter().map(|a| self.snapshot(a)).collect());
            }
            Command::Queues { reply } => {
                let mut ids: Vec<QueueId> = self.configured_queues.iter().copied().collect();
                ids.sort_by_key(|q| q.0);
                let snaps = ids
                    .into_iter()
                    .filter_map(|q| {
                        let stats = self.engine.queue_stats(q, Time(now as u64))?;
                        Some(QueueSnapshot { queue_id: self.queue_names.name(q.0).to_owned(), stats })
                    })
                    .collect();
                let _ = reply.send(Ok(snaps));
            }
            Command::ReloadQueue { queue, reply } => {
                self.queue_names.intern(&queue.id, r::QueueId);
                let _ = reply.send(self.apply_queue(now, &queue));
            }
            Command::ReloadAgent { agent, reply } => {
                self.apply_agent(now, &agent);
                let _ = reply.send(Ok(()));
            }
        }
    }

    fn apply_queue(&mut self, now: i64, q: &hotline_store::Queue) -> Result<(), AcdError> {
        let id = self.queue_names.intern(&q.id, r::QueueId);
        let skills = &mut self.skill_names;
        let queues = &mut self.queue_names;
        let config = queue_config(q, id, |s| skills.intern(s, r::SkillId), |n| queues.intern(n, r::QueueId))?;
        self.configured_queues.insert(id);
        self.handle(now, Input::UpsertQueue(config));
        Ok(())
    }

    fn apply_agent(&mut self, now: i64, a: &hotline_store::Agent) {
        let id = self.agent_ids.intern(&a.id, r::AgentId);
        let skills = &mut self.skill_names;
        let queues = &mut self.queue_names;
        let profile = agent_profile(a, |s| skills.intern(s, r::SkillId), |n| queues.intern(n, r::QueueId));
        let logged_in = self.engine.agent(id).is_some_and(|v| v.status != r::Status::LoggedOut);
        self.agents.insert(id, AgentInfo { id: a.id.clone(), extension: a.extension.clone(), name: a.name.clone() });
        self.profiles.insert(id, profile.clone());
        if !a.enabled && logged_in {
            self.handle(now, Input::AgentLogout(id));
        } else if logged_in {
            self.handle(now, Input::AgentUpdate { agent: id, profile });
        }
    }

    fn agent_id(&self, id: &str) -> Result<AgentId, AcdError> {
        self.agent_ids
            .get(id)
            .filter(|a| self.agents.contains_key(a))
            .ok_or_else(|| AcdError::NotFound { entity: "agent", id: id.to_owned() })
    }

    fn contact_id(&self, id: &str) -> Result<ContactId, AcdError> {
        self.by_interaction
            .get(id)
            .copied()
            .ok_or_else(|| AcdError::NotFound { entity: "contact", id: id.to_owned() })
    }

    fn set_status(&mut self, now: i64, agent_id: &str, req: StatusRequest) -> Result<AgentSnapshot, AcdError> {
        let agent = self.agent_id(agent_id)?;
        let status = match req {
            StatusRequest::Available => r::Status::Available,
            StatusRequest::NotReady { reason } => r::Status::NotReady { reason },
            StatusRequest::LoggedOut => r::Status::LoggedOut,
        };
        let logged_in = self.engine.agent(agent).is_some_and(|v| v.status != r::Status::LoggedOut);
        let refused = match (&status, logged_in) {
            (r::Status::LoggedOut, false) => None,
            (r::Status::LoggedOut, true) => self.handle(now, Input::AgentLogout(agent)),
            (_, false) => {
                let profile = self.profiles.get(&agent).cloned().ok_or_else(|| AcdError::NotFound {
                    entity: "agent",
                    id: agent_id.to_owned(),
                })?;
                self.handle(now, Input::AgentLogin { agent, profile, status })
            }
            (_, true) => self.handle(now, Input::SetStatus { agent, status }),
        };
        if let Some(why) = refused {
            return Err(AcdError::Invalid(why));
        }
        self.snapshot(agent)
    }

    fn submit(&mut self, now: i64, c: NewContact) -> Result<String, AcdError> {
        let queue = self
            .queue_names
            .get(&c.queue_id)
            .filter(|q| self.configured_queues.contains(q))
            .ok_or_else(|| AcdError::NotFound { entity: "queue", id: c.queue_id.clone() })?;
        let channel = convert::channel(&c.channel)?;
        let mut required = Vec::new();
        for (skill, level) in c.skills.iter().map(|(s, l)| (s.as_str(), *l)).chain(c.language.as_deref().map(|l| (l, 1))) {
            if !self.known_skills.contains(skill) {
                return Err(AcdError::NotFound { entity: "skill", id: skill.to_owned() });
            }
            if !(1..=10).contains(&level) {
                return Err(AcdError::Invalid(format!("skill `{skill}`: level {level} is outside 1-10")));
            }
            required.push(r::SkillReq { skill: self.skill_names.intern(skill, r::SkillId), min_level: level });
        }
        let last_agent = match c.last_agent.as_deref() {
            Some(a) => Some(self.agent_id(a)?),
            None => None,
        };
        if let Some(given) = c.id.as_deref() {
            if given.is_empty() || given.len() > 64 || self.by_interaction.contains_key(given) {
                return Err(AcdError::Invalid(format!("contact id `{given}` is empty, too long or in use")));
            }
        }
        let id = ContactId(self.next_contact);
        self.next_contact += 1;
        let interaction = Interaction {
            id: c.id.clone().unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
            channel: c.channel.clone(),
            direction: "inbound".into(),
            queue_id: Some(c.queue_id.clone()),
            agent_id: None,
            customer_id: c.customer_id.clone(),
            from_addr: c.from_addr.clone(),
            to_addr: c.to_addr.clone(),
            sip_call_id: c.sip_call_id.clone(),
            priority: i64::from(c.priority),
            arrived_at: now,
            enqueued_at: None,
            offered_at: None,
            answered_at: None,
            ended_at: None,
            outcome: None,
            hangup_cause: None,
            wrap_up_code: None,
            notes: None,
            ivr: c.ivr.clone(),
        };
        let interaction_id = interaction.id.clone();
        let _span = info_span!("contact", id = %interaction_id, queue = %c.queue_id).entered();
        info!(channel = %c.channel, priority = c.priority, tier = c.tier, "contact arrived");
        self.persist(Persist::InsertInteraction(interaction.clone()));
        self.by_interaction.insert(interaction_id.clone(), id);
        self.contacts.insert(id, interaction);
        let spec = r::ContactSpec { id, queue, channel, required, priority: c.priority, tier: c.tier, last_agent };
        if let Some(why) = self.handle(now, Input::ContactArrived(spec)) {
            return Err(AcdError::Invalid(why));
        }
        Ok(interaction_id)
    }

    fn offer_reply(&mut self, now: i64, offer_id: &str, agent_id: Option<&str>, accept: bool) -> Result<AgentSnapshot, AcdError> {
        let offer = offer_id
            .parse::<u64>()
            .ok()
            .map(OfferId)
            .filter(|o| self.offers.contains_key(o))
            .ok_or_else(|| AcdError::Stale(format!("offer {offer_id} is no longer pending")))?;
        let agent = self.offers[&offer].agent;
        if let Some(expected) = agent_id {
            if self.agents.get(&agent).map(|a| a.id.as_str()) != Some(expected) {
                return Err(AcdError::NotFound { entity: "offer", id: offer_id.to_owned() });
            }
        }
        let input = if accept { Input::OfferAccepted(offer) } else { Input::OfferRejected(offer) };
        if let Some(why) = self.handle(now, input) {
            return Err(AcdError::Stale(why));
        }
        self.snapshot(agent)
    }

    fn finish(
        &mut self,
        now: i64,
        contact_id: &str,
        agent_id: Option<&str>,
        code: Option<String>,
        cause: Option<String>,
    ) -> Result<(), AcdError> {
        let contact = self.contact_id(contact_id)?;
        let row = &self.contacts[&contact];
        if row.answered_at.is_none() {
            return Err(AcdError::Invalid(format!("contact {contact_id} has not been answered")));
        }
        if agent_id.is_some() && row.agent_id.as_deref() != agent_id {
            return Err(AcdError::NotFound { entity: "contact", id: contact_id.to_owned() });
        }
        if let Some(row) = self.contacts.get_mut(&contact) {
            row.wrap_up_code = code;
            row.hangup_cause = cause;
        }
        match self.handle(now, Input::ContactFinished(contact)) {
            Some(why) => Err(AcdError::Stale(why)),
            None => Ok(()),
        }
    }

    fn snapshot(&self, agent: AgentId) -> Result<AgentSnapshot, AcdError> {
        let info = self.agents.get(&agent).ok_or_else(|| AcdError::NotFound { entity: "agent", id: agent.0.to_string() })?;
        let view = self.engine.agent(agent);
        let (status, reason) = view.as_ref().map_or(("logged_out", None), |v| convert::status_name(&v.status));
        let state = view.as_ref().map_or("idle", |v| convert::state_name(&v.state));
        let offer = view.as_ref().and_then(|v| v.offer).and_then(|o| {
            let rec = self.offers.get(&o)?;
            let row = self.contacts.get(&rec.contact)?;
            Some(OfferSnapshot {
                offer_id: o.0.to_string(),
                contact_id: row.id.clone(),
                channel: row.channel.clone(),
                queue_id: self.queue_names.name(rec.queue.0).to_owned(),
                expires_at: rec.expires_at,
            })
        });
        Ok(AgentSnapshot {
            agent_id: info.id.clone(),
            extension: info.extension.clone(),
            name: info.name.clone(),
            status: status.to_owned(),
            reason,
            state: state.to_owned(),
            offer,
            active: view
                .as_ref()
                .map(|v| v.active.iter().filter_map(|c| self.contacts.get(c).map(|i| i.id.clone())).collect())
                .unwrap_or_default(),
            active_voice: view
                .as_ref()
                .map(|v| {
                    let rows = v.active.iter().filter_map(|c| self.contacts.get(c));
                    rows.filter(|i| i.channel == "voice").map(|i| i.id.clone()).collect()
                })
                .unwrap_or_default(),
            handled_today: view.as_ref().map_or(0, |v| v.handled_today),
            wrap_up_until: view.as_ref().and_then(|v| v.wrap_up_until).map(|Time(t)| t as i64),
        })
    }

    fn persist(&self, p: Persist) {
        if self.persist.send(p).is_err() {
            warn!("persistence writer has stopped; a row was not saved");
        }
    }

    fn publish(&self, now: i64, e: Event) {
        self.bus.publish(now, e);
    }

    fn agent_str(&self, a: AgentId) -> String {
        self.agents.get(&a).map(|i| i.id.clone()).unwrap_or_default()
    }

    /// One engine output → bus event, rows, bookkeeping.
    fn output(&mut self, now: i64, out: Output) {
        match out {
            Output::Queued { contact, queue } => {
                let q = self.queue_names.name(queue.0).to_owned();
                let Some(row) = self.contacts.get_mut(&contact) else { return };
                row.enqueued_at.get_or_insert(now);
                row.queue_id = Some(q.clone());
                let (row, id) = (row.clone(), row.id.clone());
                let from = row.from_addr.clone().unwrap_or_default();
                self.persist(Persist::UpdateInteraction(row.clone()));
                self.persist(Persist::QueueEvent(self::row(now, Some(&id), Some(&q), None, "ENTERQUEUE", vec![String::new(), from])));
                self.publish(now, Event::ContactQueued { contact_id: id, queue_id: q, channel: row.channel });
            }
            Output::Offer { offer, contact, agent, queue, expires_at } => {
                let expires_at = expires_at.0 as i64;
                self.offers.insert(offer, OfferRec { contact, agent, queue, expires_at, offered_at: now });
                let agent_id = self.agent_str(agent);
                let q = self.queue_names.name(queue.0).to_owned();
                let Some(row) = self.contacts.get_mut(&contact) else { return };
                row.offered_at.get_or_insert(now);
                let row = row.clone();
                debug!(contact = %row.id, agent = %agent_id, "offer");
                self.persist(Persist::UpdateInteraction(row.clone()));
                self.publish(
                    now,
                    Event::ContactOffered { contact_id: row.id, queue_id: q, agent_id, offer_id: offer.0.to_string(), expires_at },
                );
            }
            Output::OfferEnded { offer, contact, agent, end } => {
                let rec = self.offers.remove(&offer);
                let agent_id = self.agent_str(agent);
                let contact_id = self.contacts.get(&contact).map(|c| c.id.clone()).unwrap_or_default();
                let ring_ms = rec.as_ref().map_or(0, |r| (now - r.offered_at).max(0) as u64);
                let q = rec.as_ref().map(|r| self.queue_names.name(r.queue.0).to_owned());
                let verb = match end {
                    r::OfferEnd::Rejected | r::OfferEnd::TimedOut => Some("RINGNOANSWER"),
                    r::OfferEnd::Rescinded => Some("RINGCANCELED"),
                    r::OfferEnd::Accepted => None,
                };
                if let Some(verb) = verb {
                    self.persist(Persist::QueueEvent(row(now, Some(&contact_id), q.as_deref(), Some(&agent_id), verb, vec![ring_ms.to_string()])));
                }
                self.publish(
                    now,
                    Event::OfferEnded { contact_id, agent_id, offer_id: offer.0.to_string(), end: convert::offer_end_name(&end).to_owned() },
                );
            }
            Output::Assigned { contact, agent, queue, waited_ms } => {
                let agent_id = self.agent_str(agent);
                let q = self.queue_names.name(queue.0).to_owned();
                let Some(row) = self.contacts.get_mut(&contact) else { return };
                row.answered_at = Some(now);
                row.agent_id = Some(agent_id.clone());
                row.queue_id = Some(q.clone());
                row.outcome = Some("answered".into());
                let row = row.clone();
                let ring = row.offered_at.map_or(0, |o| (now - o).max(0) as u64);
                info!(contact = %row.id, agent = %agent_id, waited_ms, "answered");
                self.persist(Persist::UpdateInteraction(row.clone()));
                self.persist(Persist::QueueEvent(self::row(
                    now,
                    Some(&row.id),
                    Some(&q),
                    Some(&agent_id),
                    "CONNECT",
                    vec![secs(waited_ms), String::new(), secs(ring)],
                )));
                self.publish(now, Event::ContactAnswered { contact_id: row.id, queue_id: q, agent_id, waited_ms });
            }
            Output::StepChanged { contact, queue, step } => {
                let id = self.contacts.get(&contact).map(|c| c.id.as_str()).unwrap_or_default();
                debug!(contact = %id, queue = self.queue_names.name(queue.0), step, "routing step widened");
            }
            Output::Overflowed { contact, from, to } => {
                let (f, t) = (self.queue_names.name(from.0).to_owned(), self.queue_names.name(to.0).to_owned());
                let Some(row) = self.contacts.get_mut(&contact) else { return };
                row.queue_id = Some(t.clone());
                let row = row.clone();
                info!(contact = %row.id, from = %f, to = %t, "overflow");
                self.persist(Persist::UpdateInteraction(row.clone()));
                self.persist(Persist::QueueEvent(self::row(now, Some(&row.id), Some(&f), None, "OVERFLOW", vec![t.clone()])));
                self.publish(now, Event::ContactOverflowed { contact_id: row.id, from_queue: f, to_queue: t });
            }
            Output::GaveUp { contact, queue, action, waited_ms } => {
                let q = self.queue_names.name(queue.0).to_owned();
                let action = convert::give_up_name(&action);
                if let Some(row) = self.end_contact(now, contact, "gave_up", Some(action)) {
                    self.persist(Persist::QueueEvent(self::row(now, Some(&row.id), Some(&q), None, "EXITWITHTIMEOUT", vec![String::new(), String::new(), secs(waited_ms)])));
                    self.publish(now, Event::ContactGaveUp { contact_id: row.id, queue_id: q, action: action.to_owned(), waited_ms });
                }
            }
            Output::Abandoned { contact, queue, waited_ms } => {
                let q = self.queue_names.name(queue.0).to_owned();
                if let Some(row) = self.end_contact(now, contact, "abandoned", Some("caller_hangup")) {
                    info!(contact = %row.id, waited_ms, "abandoned");
                    self.persist(Persist::QueueEvent(self::row(now, Some(&row.id), Some(&q), None, "ABANDON", vec![String::new(), String::new(), secs(waited_ms)])));
                    self.publish(now, Event::ContactAbandoned { contact_id: row.id, queue_id: q, waited_ms });
                }
            }
            Output::Finished { contact, agent } => {
                let agent_id = self.agent_str(agent);
                if let Some(row) = self.end_contact(now, contact, "answered", Some("normal_clearing")) {
                    let hold = match (row.enqueued_at, row.answered_at) {
                        (Some(e), Some(a)) => (a - e).max(0) as u64,
                        _ => 0,
                    };
                    let talk = row.answered_at.map_or(0, |a| (now - a).max(0) as u64);
                    let q = row.queue_id.clone();
                    self.persist(Persist::QueueEvent(self::row(now, Some(&row.id), q.as_deref(), Some(&agent_id), "COMPLETEAGENT", vec![secs(hold), secs(talk), String::new()])));
                    self.publish(now, Event::ContactFinished { contact_id: row.id, agent_id });
                }
            }
            Output::AgentChanged { agent, status, state } => self.agent_changed(now, agent, status, state),
            Output::Rejected { input, reason } => {
                debug!(input, ?reason, "engine refused input");
            }
        }
    }

    /// Closes a contact's interaction row and forgets it.
    fn end_contact(&mut self, now: i64, contact: ContactId, outcome: &str, cause: Option<&str>) -> Option<Interaction> {
        let mut row = self.contacts.remove(&contact)?;
        self.by_interaction.remove(&row.id);
        row.ended_at = Some(now);
        row.outcome = Some(outcome.to_owned());
        // A cause given by whoever ended the contact wins over the default.
        row.hangup_cause = row.hangup_cause.take().or_else(|| cause.map(str::to_owned));
        self.persist(Persist::UpdateInteraction(row.clone()));
        Some(row)
    }

    fn agent_changed(&mut self, now: i64, agent: AgentId, status: r::Status, state: r::AgentState) {
        let Some(info) = self.agents.get(&agent) else { return };
        let (id, extension) = (info.id.clone(), info.extension.clone());
        let (status_name, reason) = convert::status_name(&status);
        let previous = self.last_status.insert(agent, status.clone());
        if previous.as_ref() != Some(&status) {
            let was_logged_in = previous.as_ref().is_some_and(|p| *p != r::Status::LoggedOut);
            // A login straight into "not ready" is a login followed by a pause,
            // as Asterisk logs it, so pause reports see the reason.
            let verbs: &[&str] = match (&status, was_logged_in) {
                (r::Status::LoggedOut, _) => &["AGENTLOGOFF"],
                (r::Status::Available, false) => &["AGENTLOGIN"],
                (r::Status::NotReady { .. }, false) => &["AGENTLOGIN", "PAUSE"],
                (r::Status::NotReady { .. }, true) => &["PAUSE"],
                (r::Status::Available, true) => &["UNPAUSE"],
            };
            info!(agent = %extension, status = status_name, reason = reason.as_deref().unwrap_or(""), "agent status");
            for verb in verbs {
                let data = if *verb == "PAUSE" { reason.iter().cloned().collect() } else { Vec::new() };
                self.persist(Persist::QueueEvent(row(now, None, None, Some(&id), verb, data)));
            }
            self.persist(Persist::Presence(AgentPresence {
                agent_id: id.clone(),
                status: status_name.to_owned(),
                reason: reason.clone(),
                updated_at: now,
            }));
        }
        self.publish(
            now,
            Event::AgentState { agent_id: id, extension, status: status_name.to_owned(), reason, state: convert::state_name(&state).to_owned() },
        );
    }
}
