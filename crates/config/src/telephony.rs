//! `[sip]`, `[media]`, `[recording]` and `[[menus]]`: the telephony sections.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

/// `[sip]`: the SIP registrar and B2BUA.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SipConfig {
    /// Serve SIP at all. Default true.
    pub enabled: bool,
    /// Address for SIP over UDP and TCP. Default `127.0.0.1:5060`.
    pub listen: SocketAddr,
    /// Digest realm of agent extensions. Default `hotline`.
    pub realm: String,
    /// Address written into Contact headers and SDP when the listen address
    /// is a wildcard or behind NAT. Default: empty, the listen address.
    pub public_ip: String,
    /// An agent becomes available when their phone registers, and not ready
    /// ("unregistered") when the last registration ends. Default false;
    /// `--demo` turns it on.
    pub auto_ready_on_register: bool,
    /// Shortest registration accepted, in seconds (shorter ones get 423). Default 60.
    pub min_expires_secs: u32,
    /// Longest registration granted, in seconds. Default 3600.
    pub max_expires_secs: u32,
    /// Registration granted when the phone asks for none, in seconds. Default 600.
    pub default_expires_secs: u32,
    /// Failed authentications (REGISTER or INVITE) from one address within
    /// the window before it is banned: nothing it sends is answered, not
    /// even OPTIONS. Default 10.
    pub max_auth_failures: u32,
    /// The window failures and dropped requests are counted in, in seconds.
    /// Default 300.
    pub auth_failure_window_secs: u32,
    /// How long a ban lasts, in seconds. Default 1800.
    pub ban_secs: u32,
    /// Failures after which an address must wait before its next attempt
    /// is checked (1 s, doubling with each further failure); attempts sent
    /// sooner are refused unchecked and count as failures. Default 3.
    pub auth_throttle_after: u32,
    /// Failures on one extension, from any addresses, within the window
    /// before only the addresses that extension signed in from before may
    /// try its password (a distributed guess cannot go on, its own phone
    /// is not locked out). Default 20.
    pub extension_max_auth_failures: u32,
    /// New transactions (REGISTER, INVITE, OPTIONS, …) one address may start
    /// per second, sustained; more are dropped. 0 turns the limit off.
    /// Default 20.
    pub requests_per_sec: u32,
    /// Requests one address may send at once above that rate. Default 100.
    pub request_burst: u32,
    /// Requests dropped by the limit, within the window, before the
    /// address is banned. Default 100.
    pub flood_ban_after: u32,
    /// Addresses or CIDR blocks exempt from the request limit (an office
    /// behind one NAT address, a load generator). Trunks are always exempt.
    /// Default none.
    pub trusted_sources: Vec<String>,
    /// Open TCP connections at most, in all. Default 4096.
    pub tcp_max_connections: u32,
    /// Open TCP connections at most from one address. Default 64.
    pub tcp_max_per_source: u32,
    /// A TCP connection with no traffic either way for this long is
    /// closed, in seconds (phones keep theirs open with CRLF keep-alives
    /// and registration refreshes). Default 900.
    pub tcp_idle_secs: u32,
    /// Header lines a SIP message may have at most; more get
    /// `400 Too Many Header Lines`. Default 256.
    pub max_header_lines: u32,
    /// Answer every request at the address and port it came from, as if it
    /// asked for `rport` (RFC 3581): phones behind NAT often do not ask.
    /// Default true.
    pub force_rport: bool,
    /// Address for SIP over TLS, e.g. `0.0.0.0:5061`. Default: empty, no
    /// TLS (`--demo` listens on 5061 beside the default 5060).
    pub tls_listen: String,
    /// The certificate chain (PEM) for SIP over TLS. Required with
    /// `tls_listen` outside the demo, which makes a self-signed one under
    /// `[data] dir`/tls.
    pub tls_cert: PathBuf,
    /// The certificate's private key (PEM). Never logged.
    pub tls_key: PathBuf,
    /// Seconds between the checks that compare agents' routing states with
    /// live calls and registrations. Default 5.
    pub reconcile_interval_secs: u32,
    /// Offer SHA-256 digest challenges (RFC 8760) before MD5. Default false:
    /// many phones fail when any challenge names SHA-256.
    pub digest_sha256: bool,
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 5060)),
            realm: "hotline".into(),
            public_ip: String::new(),
            auto_ready_on_register: false,
            min_expires_secs: 60,
            max_expires_secs: 3600,
            default_expires_secs: 600,
            max_auth_failures: 10,
            auth_failure_window_secs: 300,
            ban_secs: 1800,
            auth_throttle_after: 3,
            extension_max_auth_failures: 20,
            requests_per_sec: 20,
            request_burst: 100,
            flood_ban_after: 100,
            trusted_sources: Vec::new(),
            tcp_max_connections: 4096,
            tcp_max_per_source: 64,
            tcp_idle_secs: 900,
            max_header_lines: 256,
            force_rport: true,
            tls_listen: String::new(),
            tls_cert: PathBuf::new(),
            tls_key: PathBuf::new(),
            reconcile_interval_secs: 5,
            digest_sha256: false,
        }
    }
}

/// `[media]`: RTP.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// First UDP port for RTP (even; RTCP uses the next odd one). Default 20000.
    pub rtp_port_min: u16,
    /// Last UDP port for RTP. Default 29999.
    pub rtp_port_max: u16,
    /// Depth of the receive jitter buffer, in milliseconds. Default 60.
    pub jitter_buffer_ms: u32,
    /// A caller whose phone sends no RTP for this long (while not on hold)
    /// is taken as gone: the call is ended as if they hung up. 0 turns the
    /// check off. Default 60.
    pub rtp_timeout_secs: u32,
    /// Folder of prompt files (`greeting.wav`, `invalid.wav`, `sorry.wav`,
    /// `moh.wav`, PCM 8/16 kHz or G.711); uploaded prompts are kept here and a
    /// file named like a built-in one replaces it. Default: empty, `prompts`
    /// inside `[data] dir`.
    pub prompts_dir: PathBuf,
    /// SRTP (SDES keys, RFC 4568) for SIP phones and callers no rule names:
    /// `off`, `optional` (when the phone offers or accepts keys) or
    /// `required` (no call without). Default `optional`.
    pub srtp: String,
    /// SRTP per extension; the first rule naming an extension applies.
    pub srtp_rules: Vec<SrtpRule>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig { rtp_port_min: 20000, rtp_port_max: 29999, jitter_buffer_ms: 60, rtp_timeout_secs: 60, prompts_dir: PathBuf::new(), srtp: "optional".into(), srtp_rules: Vec::new() }
    }
}

/// `[[media.srtp_rules]]`: SRTP for some extensions.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SrtpRule {
    /// Extensions (`8001`, or `80*` for a prefix). Required.
    pub extensions: Vec<String>,
    /// `off`, `optional` or `required`. Required.
    pub srtp: String,
}

/// The SRTP modes `[media]`, its rules and trunks take.
pub const SRTP_MODES: &[&str] = &["off", "optional", "required"];

/// `[recording]`: call recording.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RecordingConfig {
    /// Record every bridged call. Default true.
    pub enabled: bool,
    /// Folder of recording files. Default: empty, `recordings` inside `[data] dir`.
    pub dir: PathBuf,
}

impl Default for RecordingConfig {
    fn default() -> Self {
        RecordingConfig { enabled: true, dir: PathBuf::new() }
    }
}

/// `[[menus]]`: a greeting menu reached by dialling `number`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MenuConfig {
    /// The number callers dial, e.g. `1000`. Required.
    pub number: String,
    /// Key → queue id, e.g. `{ "1" = "sales", "2" = "support" }`.
    pub choices: BTreeMap<String, String>,
    /// Queue for callers who press nothing or keep pressing wrong keys. Required.
    pub default_queue: String,
    /// Silence after the greeting before it plays again, in seconds. Default 5.
    pub replay_after_secs: u32,
    /// No key at all for this long after the answer goes to `default_queue`,
    /// in seconds. Default 30.
    pub no_input_to_agent_secs: u32,
    /// Wrong keys accepted before going to `default_queue`. Default 3.
    pub max_invalid: u32,
}

impl Default for MenuConfig {
    fn default() -> Self {
        MenuConfig {
            number: String::new(),
            choices: BTreeMap::new(),
            default_queue: String::new(),
            replay_after_secs: 5,
            no_input_to_agent_secs: 30,
            max_invalid: 3,
        }
    }
}

impl MenuConfig {
    /// The demo center's menu: `1000`, 1 售前 sales, 2 售后 support, 0 an agent.
    pub fn demo() -> MenuConfig {
        let choices = [("1", "sales"), ("2", "support"), ("0", "sales")];
        MenuConfig {
            number: "1000".into(),
            choices: choices.iter().map(|(k, q)| (k.to_string(), q.to_string())).collect(),
            default_queue: "sales".into(),
            ..MenuConfig::default()
        }
    }
}

/// `[[lookups]]`: a backend the IVR may ask (CRM, orders, accounts).
#[derive(Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LookupConfig {
    /// The name flows use in `lookup` nodes. Required.
    pub name: String,
    /// `http://` URL with `{param}` placeholders, filled (URL-encoded) from
    /// the node's parameters. Required.
    pub url: String,
    /// Give up after this long, in milliseconds. Default 3000.
    pub timeout_ms: u32,
    /// Extra request headers (an API key, say). Never logged.
    pub headers: BTreeMap<String, String>,
}

impl Default for LookupConfig {
    fn default() -> Self {
        LookupConfig { name: String::new(), url: String::new(), timeout_ms: 3000, headers: BTreeMap::new() }
    }
}

/// Header values may be secrets: only their names are printed.
impl std::fmt::Debug for LookupConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupConfig")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("timeout_ms", &self.timeout_ms)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `[[trunks]]`: a carrier or PBX that Hotline exchanges calls with.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TrunkConfig {
    /// A name for logs and the API. Required, unique.
    pub name: String,
    /// Where calls to the trunk go and where Hotline registers: `host:port`
    /// (an IP address). Required.
    pub gateway: String,
    /// `udp` or `tcp`. Default `udp`.
    pub transport: String,
    /// Addresses (IPs or CIDR blocks, e.g. `198.51.100.0/24`) whose calls
    /// are this trunk's. Default: the gateway's address.
    pub inbound_from: Vec<String>,
    /// Register to the gateway (as a PBX registers to its carrier). Default false.
    pub register: bool,
    /// Digest credentials for the gateway. Never logged.
    pub username: String,
    pub password: String,
    /// Registration lifetime asked for, in seconds. Default 600.
    pub register_expires_secs: u32,
    /// Outside calls through this trunk at once; more are refused.
    /// 0: no cap. Default 0.
    pub max_concurrent: u32,
    /// SRTP on this trunk's calls: `off`, `optional` or `required`. Default `off`.
    pub srtp: String,
}

impl Default for TrunkConfig {
    fn default() -> Self {
        TrunkConfig {
            name: String::new(),
            gateway: String::new(),
            transport: "udp".into(),
            inbound_from: Vec::new(),
            register: false,
            username: String::new(),
            password: String::new(),
            register_expires_secs: 600,
            max_concurrent: 0,
            srtp: "off".into(),
        }
    }
}

/// The password is a secret: never printed.
impl std::fmt::Debug for TrunkConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrunkConfig")
            .field("name", &self.name)
            .field("gateway", &self.gateway)
            .field("transport", &self.transport)
            .field("inbound_from", &self.inbound_from)
            .field("register", &self.register)
            .field("username", &self.username)
            .field("password", &if self.password.is_empty() { "" } else { "<secret>" })
            .field("register_expires_secs", &self.register_expires_secs)
            .field("max_concurrent", &self.max_concurrent)
            .field("srtp", &self.srtp)
            .finish()
    }
}

impl TrunkConfig {
    /// The gateway's socket address (checked at load).
    pub fn gateway_addr(&self) -> Option<std::net::SocketAddr> {
        self.gateway.parse().ok()
    }

    /// Whether a call from `ip` comes from this trunk.
    pub fn is_from(&self, ip: std::net::IpAddr) -> bool {
        if self.inbound_from.is_empty() {
            return self.gateway_addr().is_some_and(|g| g.ip() == ip);
        }
        self.inbound_from.iter().any(|net| cidr_contains(net, ip).unwrap_or(false))
    }
}

/// Whether `net` (`a.b.c.d`, `a.b.c.d/n`, IPv6 likewise) contains `ip`;
/// `None` when `net` is not an address or block.
pub fn cidr_contains(net: &str, ip: std::net::IpAddr) -> Option<bool> {
    use std::net::IpAddr;
    let (addr, bits) = match net.split_once('/') {
        Some((a, b)) => (a.parse::<IpAddr>().ok()?, Some(b.parse::<u32>().ok()?)),
        None => (net.parse::<IpAddr>().ok()?, None),
    };
    match (addr, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let bits = bits.unwrap_or(32);
            if bits > 32 {
                return None;
            }
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            Some(u32::from(n) & mask == u32::from(i) & mask)
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let bits = bits.unwrap_or(128);
            if bits > 128 {
                return None;
            }
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            Some(u128::from(n) & mask == u128::from(i) & mask)
        }
        _ => Some(false),
    }
}

/// `[calling]`: what agents' phones may dial outside (through a trunk).
/// Toll fraud starts with a guessed extension password; these limits cap
/// what a guessed password is worth. Calls to extensions and IVR numbers
/// are always allowed.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CallingConfig {
    /// What an extension no rule names may dial: `internal` (nothing
    /// outside), `local`, `national` or `international`. Default
    /// `internal`; `--demo` sets `national`.
    pub default_class: String,
    /// Emergency numbers: any authenticated extension may dial them.
    /// Default 110, 119, 120, 122.
    pub emergency: Vec<String>,
    /// The center's own area code with its trunk prefix (e.g. `010` for
    /// Beijing): numbers dialled with it are local. Default empty.
    pub area_code: String,
    /// Outside calls one extension may have at once (0: no cap). Default 2.
    pub max_concurrent_per_extension: u32,
    /// Minutes of outside calls one extension may place per day
    /// (0: no budget). Default 240.
    pub daily_minutes: u32,
    /// Rules per extension; the first rule naming an extension applies.
    pub rules: Vec<CallingRule>,
}

impl Default for CallingConfig {
    fn default() -> Self {
        CallingConfig {
            default_class: "internal".into(),
            emergency: ["110", "119", "120", "122"].map(String::from).to_vec(),
            area_code: String::new(),
            max_concurrent_per_extension: 2,
            daily_minutes: 240,
            rules: Vec::new(),
        }
    }
}

/// `[[calling.rules]]`: what some extensions may dial.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CallingRule {
    /// Extensions this rule is for; a trailing `*` matches a prefix
    /// (`80*`). Required.
    pub extensions: Vec<String>,
    /// `internal`, `local`, `national` or `international`. Default: the
    /// `default_class`.
    pub class: String,
    /// Numbers starting with one of these are allowed whatever the class.
    pub allow_prefixes: Vec<String>,
    /// Numbers starting with one of these are refused whatever the class
    /// (premium-rate and satellite ranges, say).
    pub block_prefixes: Vec<String>,
    /// Outside calls at once; 0: the section's default.
    pub max_concurrent: u32,
    /// Minutes per day; 0: the section's default.
    pub daily_minutes: u32,
}

/// The class names `[calling]` takes.
pub const CALLING_CLASSES: &[&str] = &["internal", "local", "national", "international"];
