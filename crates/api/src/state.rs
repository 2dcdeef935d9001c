use std::sync::Arc;

use hotline_acd::AcdHandle;
use hotline_events::EventBus;
use hotline_store::{Store, TenantStore};

use crate::limiter::LoginLimiter;

/// Settings of the API that come from the configuration file.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    pub tenant: String,
    pub session_ttl_ms: i64,
    /// A session unused this long ends.
    pub session_idle_ms: i64,
    /// Roles that must sign in with a second factor.
    pub totp_required_roles: Vec<String>,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    pub max_failures_per_user: u32,
    pub max_failures_per_ip: u32,
    pub failure_window_ms: i64,
    pub secure_cookie: bool,
    pub max_body_bytes: usize,
    /// Serve the demo center's stand-ins for outside systems (`/demo/...`).
    pub demo: bool,
    /// Folder of uploaded prompts (`<name>.wav`, 8 kHz PCM).
    pub prompts_dir: std::path::PathBuf,
    /// What the configuration file set at start, by section, without
    /// secrets (shown read-only to admins).
    pub config_view: serde_json::Value,
    /// Folder of spoken prompts (`tts:` text), shared with telephony's cache.
    pub tts_dir: std::path::PathBuf,
    /// Where call recordings are read from (the telephony layer writes them).
    pub recordings: Option<RecordingStore>,
    /// Digest realm of agents' SIP extensions.
    pub sip_realm: String,
    /// Web origins besides this server's own whose pages may place public
    /// calls (a company website embedding the "call us" button).
    pub call_page_origins: Vec<String>,
}

/// The recording storage, shared with the telephony layer.
#[derive(Clone)]
pub struct RecordingStore(pub Arc<dyn hotline_telephony::recordings::RecordingStorage>);

impl std::fmt::Debug for RecordingStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordingStore")
    }
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            tenant: "default".into(),
            session_idle_ms: 60 * 60_000,
            totp_required_roles: Vec::new(),
            trusted_proxies: Vec::new(),
            session_ttl_ms: 12 * 3_600_000,
            max_failures_per_user: 5,
            max_failures_per_ip: 20,
            failure_window_ms: 900_000,
            secure_cookie: false,
            max_body_bytes: 1 << 20,
            demo: false,
            prompts_dir: std::path::PathBuf::from("./data/prompts"),
            tts_dir: std::path::PathBuf::from("./data/tts"),
            config_view: serde_json::Value::Null,
            recordings: None,
            sip_realm: "hotline".into(),
            call_page_origins: Vec::new(),
        }
    }
}

/// Shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub store: Store,
    pub acd: AcdHandle,
    pub bus: EventBus,
    pub settings: ApiSettings,
    pub limiter: LoginLimiter,
    /// Browser agents' softphones (absent when SIP is off).
    pub telephony: Option<hotline_telephony::sip_server::TelephonyHandle>,
    /// Password changes, reloads and the guard of the SIP side (absent when SIP is off).
    pub sip_control: Option<hotline_telephony::sip_server::Control>,
    /// Single-use tickets for the event stream.
    pub tickets: crate::sessions::Tickets,
    /// Ended sessions, for the streams they had open.
    pub sessions_ended: crate::sessions::Ended,
    /// Users whose roles or standing an admin changed (their ids), for their open streams.
    pub users_changed: tokio::sync::broadcast::Sender<String>,
    /// Limits on public calls.
    pub public_calls: crate::public_calls::PublicCalls,
    /// The center's run-time settings (name, language, who sees numbers).
    pub center: crate::center::Center,
    /// Versions of admin-edited objects served lately (optimistic concurrency).
    pub revisions: crate::revision::Revisions,
    /// Supervisors' alerts and each queue's thresholds.
    pub alerts: crate::alerts::Alerts,
}

impl AppState {
    pub fn new(store: Store, acd: AcdHandle, bus: EventBus, settings: ApiSettings) -> Self {
        let limiter = LoginLimiter::new(settings.max_failures_per_user, settings.max_failures_per_ip, settings.failure_window_ms);
        AppState(Arc::new(Inner {
            store,
            acd,
            bus,
            settings,
            limiter,
            telephony: None,
            sip_control: None,
            tickets: Default::default(),
            sessions_ended: tokio::sync::broadcast::channel(256).0,
            users_changed: tokio::sync::broadcast::channel(256).0,
            public_calls: Default::default(),
            revisions: Default::default(),
            center: Default::default(),
            alerts: Default::default(),
        }))
    }

    /// Connects the API to telephony: browser softphones, and the SIP side's control.
    pub fn with_telephony(self, handle: hotline_telephony::sip_server::TelephonyHandle, control: hotline_telephony::sip_server::Control) -> Self {
        let inner = Arc::try_unwrap(self.0).unwrap_or_else(|_| unreachable!("with_telephony is called before the state is shared"));
        AppState(Arc::new(Inner { telephony: Some(handle), sip_control: Some(control), ..inner }))
    }

    /// Reads the center's settings from the store (at start).
    pub async fn load_center_settings(&self) -> Result<(), hotline_store::StoreError> {
        let pairs = self.db().settings().await?;
        self.0.center.set(crate::center::CenterSettings::from_pairs(&pairs));
        Ok(())
    }

    /// After a change to the dial plan, agents or credentials: the SIP side
    /// reloads them now; returns once new calls see the change.
    pub(crate) async fn telephony_changed(&self) {
        if let Some(c) = &self.0.sip_control {
            c.reload().await;
        }
    }

    /// Telephony, or 503 `telephony_off` when SIP is not running.
    pub(crate) fn telephony(&self) -> Result<hotline_telephony::sip_server::TelephonyHandle, crate::error::ApiError> {
        self.0.telephony.clone().ok_or_else(|| {
            crate::error::ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "telephony_off", "telephony is not running")
        })
    }

    pub(crate) fn db(&self) -> TenantStore {
        self.0.store.tenant(&self.0.settings.tenant)
    }
}
