//! What the API asks of the SIP task besides browser calls: a changed
//! password, an immediate reload after a configuration change, the state
//! of the guard (bans and what it refused) and lifting a ban.

use std::net::IpAddr;
use std::sync::Arc;

use hotline_sip::guard::GuardStats;
use hotline_store::SipCredential;
use tokio::sync::{mpsc, oneshot};

use super::trunks::{self, TrunkView};
use super::Server;
use crate::ports::MediaCounters;

pub(super) enum ControlRequest {
    Credential(SipCredential),
    Reload { done: oneshot::Sender<()> },
    Security { reply: oneshot::Sender<SecurityView> },
    Unban { ip: IpAddr, reply: oneshot::Sender<bool> },
    Trunks { reply: oneshot::Sender<Vec<TrunkView>> },
}


/// The phone side's defences as they stand.
#[derive(Debug, Clone, Default)]
pub struct SecurityView {
    pub guard: GuardStats,
    /// Banned addresses with the seconds left on each ban.
    pub banned: Vec<(IpAddr, u64)>,
    /// Outside calls refused by the calling permissions, since start.
    pub outside_denied: u64,
    /// RTP packets refused from strangers, since start.
    pub rtp_strangers: u64,
}

/// The API's side of the control channel. Cheap to clone.
#[derive(Clone)]
pub struct Control {
    pub(super) tx: mpsc::Sender<ControlRequest>,
    pub(super) media: Arc<MediaCounters>,
}

impl Control {
    /// An extension's password changed: the SIP task uses it at once.
    pub async fn credential_changed(&self, c: SipCredential) {
        let _ = self.tx.send(ControlRequest::Credential(c)).await;
    }

    /// Reloads the dial plan, credentials and extensions now; returns once
    /// new calls see them (or telephony is not running).
    pub async fn reload(&self) {
        let (done, rx) = oneshot::channel();
        if self.tx.send(ControlRequest::Reload { done }).await.is_ok() {
            let _ = rx.await;
        }
    }

    /// The guard's figures and bans.
    pub async fn security(&self) -> Option<SecurityView> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(ControlRequest::Security { reply }).await.ok()?;
        rx.await.ok()
    }

    /// Lifts the ban of `ip`; whether it was banned.
    pub async fn unban(&self, ip: IpAddr) -> bool {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(ControlRequest::Unban { ip, reply }).await.is_err() {
            return false;
        }
        rx.await.unwrap_or(false)
    }

    /// The trunks and their registration state.
    pub async fn trunks(&self) -> Vec<TrunkView> {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(ControlRequest::Trunks { reply }).await.is_err() {
            return Vec::new();
        }
        rx.await.unwrap_or_default()
    }

    /// RTP packets refused from strangers (read without asking the SIP task).
    pub fn rtp_strangers(&self) -> u64 {
        self.media.rtp_strangers.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Server {
    pub(super) fn control(&mut self, r: ControlRequest) {
        match r {
            ControlRequest::Credential(c) => {
                tracing::info!(extension = %c.extension, "SIP credentials changed");
                self.credentials.set(c);
            }
            ControlRequest::Reload { done } => {
                let _ = self.directory.send(Some(done));
            }
            ControlRequest::Security { reply } => {
                let now = self.now();
                let guard = self.registrar.guard();
                let banned = guard.banned(now).into_iter().map(|(ip, until)| (ip, until.since(now).div_ceil(1000))).collect();
                let view = SecurityView {
                    guard: guard.stats(now),
                    banned,
                    outside_denied: self.outside_denied,
                    rtp_strangers: self.services.ports.counters().rtp_strangers.load(std::sync::atomic::Ordering::Relaxed),
                };
                let _ = reply.send(view);
            }
            ControlRequest::Unban { ip, reply } => {
                let now = self.now();
                let was = self.registrar.guard().is_banned(ip, now);
                self.registrar.guard().unban(ip);
                if was {
                    tracing::info!(%ip, "SIP ban lifted");
                }
                let _ = reply.send(was);
            }
            ControlRequest::Trunks { reply } => {
                let _ = reply.send(self.trunks.iter().map(trunks::Trunk::view).collect());
            }
        }
    }
}
