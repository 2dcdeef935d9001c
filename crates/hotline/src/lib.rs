//! The `hotline` binary's wiring: configuration → logging → store →
//! routing → HTTP. Kept as a library so tests can start a real server
//! in-process on a free port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use hotline_config::{redact_url, Config, LogFormat};
use hotline_events::EventBus;
use hotline_store::Store;
use hotline_telephony::recordings::{FileStorage, RecordingStorage};
use tokio::net::TcpListener;

mod https;

/// Command-line values that override the configuration file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Overrides {
    /// Configuration file (TOML). Without it, defaults and HOTLINE_* variables apply.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Data folder (embedded database, recordings).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Database URL (postgres://… or sqlite://…); overrides the configuration.
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Reads the configuration: file, then environment, then command line.
pub fn load_config(o: &Overrides) -> anyhow::Result<Config> {
    let mut config = hotline_config::load(o.config.as_deref(), std::env::vars())?;
    if let Some(d) = &o.data {
        config.data.dir = d.clone();
    }
    if let Some(u) = &o.database_url {
        config.database.url = u.clone();
    }
    Ok(config)
}

pub fn check_config(file: &Path) -> anyhow::Result<()> {
    let config = hotline_config::load(Some(file), std::env::vars())?;
    println!("{}: ok", file.display());
    println!("  http: {}", config.server.http_listen);
    println!("  database: {}", redact_url(&config.database_url()));
    println!("  data: {}", config.data.dir.display());
    Ok(())
}

fn init_logging(config: &Config) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_env("HOTLINE_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("{},sqlx=warn,tower_http=info", config.log.level.as_str())));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second initialisation (tests start several servers) is harmless.
    let _ = match config.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data.dir)
            .with_context(|| format!("cannot create data folder {}", config.data.dir.display()))?;
    }
    let store = Store::connect(&url).await.with_context(|| format!("cannot open database {}", redact_url(&url)))?;
    let applied = store.migrate().await.context("database migration failed")?;
    for m in applied {
        tracing::info!(version = m.version, name = %m.name, "migration applied");
    }
    Ok(store)
}

pub async fn migrate(o: Overrides) -> anyhow::Result<()> {
    let config = load_config(&o)?;
    init_logging(&config);
    open_store(&config).await?;
    println!("database is up to date");
    Ok(())
}

/// `hotline serve`.
pub async fn serve(o: Overrides, demo: bool) -> anyhow::Result<()> {
    let config = load_config(&o)?;
    init_logging(&config);
    let listener = TcpListener::bind(config.server.http_listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.http_listen))?;
    run(config, demo, listener, shutdown_signal()).await
}

/// Starts everything on `listener` and runs until `shutdown` completes.
pub async fn run(mut config: Config, demo: bool, listener: TcpListener, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    for missing in missing_parts(&config) {
        println!("missing: {missing}");
        tracing::warn!("missing: {missing}");
    }
    let store = open_store(&config).await?;
    if demo {
        let hash = tokio::task::spawn_blocking(|| hotline_api::auth::hash_password("demo"))
            .await?
            .map_err(|e| anyhow::anyhow!("hashing the demo password: {}", e.message))?;
        let report = store.seed_demo(&hash).await.context("seeding the demo center")?;
        tracing::info!(created = report.created, skipped = report.skipped, "demo center ready");
        demo_telephony(&store, &mut config, listener.local_addr()?).await?;
    }
    let bus = EventBus::new(4096);
    let (acd, acd_task) = hotline_acd::start(
        store.clone(),
        bus.clone(),
        hotline_acd::AcdOptions {
            tenant: config.routing.tenant.clone(),
            persist_batch: config.routing.persist_batch,
            utc_offset_minutes: config.routing.utc_offset_minutes,
            journal: Some(config.data.dir.join("journal").join("persist.jsonl")),
        },
    )
    .await
    .context("starting routing")?;
    let recordings = recording_storage(&config);
    let sip = if config.sip.enabled { Some(start_sip(&config, &store, acd.clone(), bus.clone(), recordings.clone()).await?) } else { None };
    let settings = hotline_api::ApiSettings {
        tenant: config.routing.tenant.clone(),
        session_ttl_ms: i64::from(config.auth.session_ttl_hours) * 3_600_000,
        session_idle_ms: i64::from(config.auth.session_idle_minutes.max(1)) * 60_000,
        totp_required_roles: config.auth.totp_required_roles.clone(),
        trusted_proxies: config.server.trusted_proxies.clone(),
        max_failures_per_user: config.auth.max_failures_per_user,
        max_failures_per_ip: config.auth.max_failures_per_ip,
        failure_window_ms: i64::from(config.auth.failure_window_secs) * 1000,
        // Over HTTPS the session cookie is only ever sent back over HTTPS.
        secure_cookie: config.auth.secure_cookie || !config.server.tls_cert.as_os_str().is_empty(),
        max_body_bytes: config.server.max_body_bytes,
        demo,
        prompts_dir: prompts_dir(&config),
        tts_dir: config.data.dir.join("tts"),
        config_view: config_view(&config),
        recordings: recordings.map(hotline_api::RecordingStore),
        sip_realm: config.sip.realm.clone(),
        call_page_origins: config.server.call_page_origins.clone(),
    };
    let mut state = hotline_api::AppState::new(store, acd.clone(), bus, settings);
    state.load_center_settings().await.context("reading the center's settings")?;
    let mut sip_task = None;
    if let Some(server) = sip {
        state = state.with_telephony(server.handle, server.control);
        sip_task = Some(server.task);
    }
    // Expired sessions are removed, and end what they held (streams, agents' routing).
    hotline_api::sessions::spawn_sweeper(state.clone(), std::time::Duration::from_secs(30));
    // Supervisors' alerts: the floor checked against each queue's thresholds.
    hotline_api::alerts::load(&state).await.context("reading the alert rules")?;
    hotline_api::alerts::spawn(state.clone(), std::time::Duration::from_secs(1));
    let app = hotline_api::router(state);
    let addr = listener.local_addr()?;
    let tls = if config.server.tls_cert.as_os_str().is_empty() {
        None
    } else {
        Some(hotline_telephony::tls::acceptor(&config.server.tls_cert, &config.server.tls_key).context("[server] tls_cert / tls_key")?)
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(database = %redact_url(&config.database_url()), "Hotline listening on {scheme}://{addr}");
    // Tests and scripts read this line to find the port.
    println!("listening on {scheme}://{addr}");
    match tls {
        Some(acceptor) => https::serve(listener, acceptor, app, shutdown).await,
        None => {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown)
                .await?
        }
    }
    if let Some(t) = sip_task {
        t.abort();
    }
    // Routing stops; its writer writes (or journals) every row before we exit.
    acd.stop().await;
    if tokio::time::timeout(std::time::Duration::from_secs(30), acd_task).await.is_err() {
        tracing::error!("the persistence writer did not finish within 30 s");
    }
    Ok(())
}

/// Where call recordings are kept (`None`: calls are not recorded).
fn recording_storage(config: &Config) -> Option<Arc<dyn RecordingStorage>> {
    if !config.recording.enabled {
        return None;
    }
    let dir = if config.recording.dir.as_os_str().is_empty() { config.data.dir.join("recordings") } else { config.recording.dir.clone() };
    Some(Arc::new(FileStorage::new(dir)))
}

/// Where uploaded prompts live.
fn prompts_dir(config: &Config) -> PathBuf {
    if config.media.prompts_dir.as_os_str().is_empty() {
        config.data.dir.join("prompts")
    } else {
        config.media.prompts_dir.clone()
    }
}

/// Starts the SIP server: registrar, calls, media and recording.
async fn start_sip(
    config: &Config,
    store: &Store,
    acd: hotline_acd::AcdHandle,
    bus: EventBus,
    recordings: Option<Arc<dyn RecordingStorage>>,
) -> anyhow::Result<hotline_telephony::sip_server::SipServer> {
    use hotline_telephony::{lookups::Lookups, ports::PortPool, prompt_library::PromptLibrary, tts};
    let sip = &config.sip;
    let public_ip = if sip.public_ip.is_empty() {
        None
    } else {
        Some(sip.public_ip.parse().with_context(|| format!("[sip] public_ip `{}` is not an IP address", sip.public_ip))?)
    };
    let opts = hotline_telephony::sip_server::SipOptions {
        listen: sip.listen,
        realm: sip.realm.clone(),
        registrar: hotline_sip::registrar::RegistrarConfig {
            min_expires: sip.min_expires_secs,
            max_expires: sip.max_expires_secs,
            default_expires: sip.default_expires_secs,
            guard: guard_config(sip),
            ..Default::default()
        },
        auto_ready: sip.auto_ready_on_register,
        sha256: sip.digest_sha256,
        public_ip,
        reconcile_every: std::time::Duration::from_secs(u64::from(sip.reconcile_interval_secs.max(1))),
        trusted_sources: sip.trusted_sources.clone(),
        tcp: hotline_telephony::transport::TcpLimits {
            max_connections: sip.tcp_max_connections as usize,
            max_per_source: sip.tcp_max_per_source as usize,
            idle: std::time::Duration::from_secs(u64::from(sip.tcp_idle_secs.max(1))),
        },
        max_header_lines: sip.max_header_lines as usize,
        force_rport: sip.force_rport,
        srtp: srtp_policy(&config.media),
        tls: sip_tls(config)?,
        calling: calling_policy(&config.calling),
        utc_offset_minutes: config.routing.utc_offset_minutes,
    };
    let tenant = store.tenant(&config.routing.tenant);
    let media_ip = public_ip.unwrap_or(if sip.listen.ip().is_unspecified() { std::net::IpAddr::from([0, 0, 0, 0]) } else { sip.listen.ip() });
    let prompts = prompts_dir(config);
    let speech = tts::CachedTts::new(Box::new(tts::EspeakNg::default()) as Box<dyn tts::Tts>, config.data.dir.join("tts"));
    let services = hotline_telephony::sip_server::CallServices {
        ports: PortPool::new(media_ip, config.media.rtp_port_min, config.media.rtp_port_max),
        prompts: PromptLibrary::new(prompts, Some(speech)),
        recordings,
        lookups: Lookups::new(config.lookups.clone()).with_customers(tenant.clone()),
        menus: config.menus.clone(),
        trunks: config.trunks.clone(),
        media: hotline_telephony::media::MediaSettings {
            jitter_frames: (config.media.jitter_buffer_ms as usize / 20).max(1),
            rtp_timeout: (config.media.rtp_timeout_secs > 0).then(|| std::time::Duration::from_secs(u64::from(config.media.rtp_timeout_secs))),
        },
        bus,
    };
    // Nonces are signed with a secret of this run: a restart simply re-challenges.
    let secret: [u8; 32] = rand::random();
    let server = hotline_telephony::sip_server::start(opts, services, tenant, acd, secret)
        .await
        .with_context(|| format!("cannot listen for SIP on {}", sip.listen))?;
    tracing::info!("SIP listening on udp/tcp {}", server.addr);
    println!("sip on {}", server.addr);
    if let Some(tls) = server.tls_addr {
        println!("sip over tls on {tls}");
    }
    Ok(server)
}

/// What the admin's settings page shows of the configuration: by section,
/// what is safe to show (no passwords, keys or database credentials).
fn config_view(config: &Config) -> serde_json::Value {
    let db = config.database_url();
    let backend = if db.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    serde_json::json!({
        "server": { "http_listen": config.server.http_listen.to_string(), "https": !config.server.tls_cert.as_os_str().is_empty(),
                    "trusted_proxies": config.server.trusted_proxies, "call_page_origins": config.server.call_page_origins },
        "database": { "backend": backend },
        "auth": { "session_ttl_hours": config.auth.session_ttl_hours, "session_idle_minutes": config.auth.session_idle_minutes,
                  "totp_required_roles": config.auth.totp_required_roles, "max_failures_per_user": config.auth.max_failures_per_user },
        "routing": { "tenant": config.routing.tenant, "utc_offset_minutes": config.routing.utc_offset_minutes },
        "sip": { "enabled": config.sip.enabled, "listen": config.sip.listen.to_string(), "realm": config.sip.realm, "public_ip": config.sip.public_ip },
        "media": { "rtp_ports": format!("{}-{}", config.media.rtp_port_min, config.media.rtp_port_max), "jitter_buffer_ms": config.media.jitter_buffer_ms,
                   "rtp_timeout_secs": config.media.rtp_timeout_secs },
        "recording": { "enabled": config.recording.enabled },
        "calling": { "default_class": config.calling.default_class, "emergency": config.calling.emergency,
                     "max_concurrent_per_extension": config.calling.max_concurrent_per_extension },
        "trunks": config.trunks.iter().map(|t| serde_json::json!({ "name": t.name, "gateway": t.gateway, "register": t.register })).collect::<Vec<_>>(),
    })
}

/// Optional parts this machine lacks, one line each: what is missing, what
/// that disables, and how to get it.
fn missing_parts(config: &Config) -> Vec<String> {
    let mut missing = Vec::new();
    if config.sip.enabled && !hotline_telephony::tts::EspeakNg::default().available() {
        missing.push("espeak-ng: IVR prompts written as text (tts:…) are silent; install it with `apt-get install espeak-ng` (or run scripts/setup.sh)".to_owned());
    }
    if !hotline_api::routes::web::is_built() {
        missing.push("the web app: the browser desktop and the call page are not served; build it with `make build` (needs Node.js and npm)".to_owned());
    }
    missing
}

/// SIP over TLS from `[sip]`: the certificate files, or in the demo a
/// self-signed certificate made once under the data folder.
fn sip_tls(config: &Config) -> anyhow::Result<Option<hotline_telephony::sip_server::TlsListen>> {
    let sip = &config.sip;
    if sip.tls_listen.is_empty() {
        return Ok(None);
    }
    let addr: SocketAddr = sip.tls_listen.parse().with_context(|| format!("[sip] tls_listen `{}`", sip.tls_listen))?;
    let (cert, key) = if sip.tls_cert.as_os_str().is_empty() {
        let names = vec!["localhost".to_owned(), addr.ip().to_string(), sip.listen.ip().to_string()];
        hotline_telephony::tls::self_signed(&config.data.dir.join("tls"), &names)?
    } else {
        (sip.tls_cert.clone(), sip.tls_key.clone())
    };
    let acceptor = hotline_telephony::tls::acceptor(&cert, &key)?;
    tracing::info!(%addr, cert = %cert.display(), "SIP over TLS");
    Ok(Some(hotline_telephony::sip_server::TlsListen { addr, acceptor }))
}

/// SRTP for phones from `[media]` (checked at load).
fn srtp_policy(m: &hotline_config::MediaConfig) -> hotline_telephony::sip_server::SrtpPolicy {
    use hotline_media::sdp::SrtpMode;
    let mode = |s: &str| SrtpMode::parse(s).unwrap_or_default();
    hotline_telephony::sip_server::SrtpPolicy { default: mode(&m.srtp), rules: m.srtp_rules.iter().map(|r| (r.extensions.clone(), mode(&r.srtp))).collect() }
}

/// The guard's settings from `[sip]`.
fn guard_config(sip: &hotline_config::SipConfig) -> hotline_sip::guard::GuardConfig {
    hotline_sip::guard::GuardConfig {
        requests_per_sec: sip.requests_per_sec,
        request_burst: sip.request_burst,
        flood_ban_after: sip.flood_ban_after,
        max_failures: sip.max_auth_failures as usize,
        throttle_after: sip.auth_throttle_after as usize,
        extension_max_failures: sip.extension_max_auth_failures as usize,
        window_ms: u64::from(sip.auth_failure_window_secs) * 1000,
        ban_ms: u64::from(sip.ban_secs) * 1000,
        ..Default::default()
    }
}

/// The calling permissions from `[calling]` (checked at load).
fn calling_policy(c: &hotline_config::CallingConfig) -> hotline_calls::outside::Policy {
    use hotline_calls::outside::{Policy, Reach, Rule};
    let reach = |class: &str| Reach::parse(class).unwrap_or(Reach::Internal);
    let default = Rule {
        extensions: Vec::new(),
        reach: reach(&c.default_class),
        allow_prefixes: Vec::new(),
        block_prefixes: Vec::new(),
        max_concurrent: c.max_concurrent_per_extension,
        daily_minutes: c.daily_minutes,
    };
    let rules = c
        .rules
        .iter()
        .map(|r| Rule {
            extensions: r.extensions.clone(),
            reach: if r.class.is_empty() { default.reach } else { reach(&r.class) },
            allow_prefixes: r.allow_prefixes.clone(),
            block_prefixes: r.block_prefixes.clone(),
            max_concurrent: if r.max_concurrent == 0 { default.max_concurrent } else { r.max_concurrent },
            daily_minutes: if r.daily_minutes == 0 { default.daily_minutes } else { r.daily_minutes },
        })
        .collect();
    Policy { default, rules, emergency: c.emergency.clone(), area_code: c.area_code.clone() }
}

/// The demo's telephony: extensions 8001–8006 with the password `demo`, the
/// greeting menu on `1000`, and agents ready when their phone registers.
async fn demo_telephony(store: &Store, config: &mut Config, http: SocketAddr) -> anyhow::Result<()> {
    if config.menus.is_empty() {
        config.menus.push(hotline_config::MenuConfig::demo());
    }
    config.sip.auto_ready_on_register = true;
    if config.sip.tls_listen.is_empty() && config.sip.listen.port() == 5060 {
        // SIP over TLS beside the usual port, with a self-signed certificate.
        config.sip.tls_listen = std::net::SocketAddr::new(config.sip.listen.ip(), 5061).to_string();
    }
    if config.calling == hotline_config::CallingConfig::default() {
        // Agents of the demo may call numbers at home (not abroad).
        config.calling.default_class = "national".into();
    }
    if !config.lookups.iter().any(|l| l.name == "orders") {
        // The demo shop's order system, served by this same process.
        let url = format!("http://{http}/demo/orders/{{order}}");
        config.lookups.push(hotline_config::LookupConfig { name: "orders".into(), url, ..Default::default() });
    }
    let tenant = store.tenant(&config.routing.tenant);
    let extensions: Vec<String> = tenant.list_agents().await?.into_iter().map(|a| a.extension).collect();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let created = hotline_telephony::credentials::seed(&tenant, &extensions, &config.sip.realm, "demo", now).await?;
    tracing::info!(extensions = extensions.len(), created, "demo SIP extensions ready");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
