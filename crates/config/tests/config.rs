use expect_test::{expect, Expect};
use hotline_config::{load_str, redact_url, Config, LogFormat, LogLevel};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn check_err(text: &str, vars: &[(&str, &str)], expected: Expect) {
    let err = load_str("hotline.toml", text, env(vars)).expect_err("config should be refused");
    expected.assert_eq(&err.to_string());
}

#[test]
fn empty_file_is_all_defaults() {
    let c = load_str("hotline.toml", "", env(&[])).unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.server.http_listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.database_url(), "sqlite://./data/hotline.db");
}

#[test]
fn file_values_are_read() {
    let c = load_str(
        "hotline.toml",
        "[log]\nlevel = \"debug\"\nformat = \"json\"\n[database]\nurl = \"postgres://u:p@h/db\"\n",
        env(&[]),
    )
    .unwrap();
    assert_eq!(c.log.level, LogLevel::Debug);
    assert_eq!(c.log.format, LogFormat::Json);
    assert_eq!(c.database_url(), "postgres://u:p@h/db");
}

#[test]
fn wrong_enum_value_names_line_and_allowed_values() {
    check_err(
        "[server]\nhttp_listen = \"127.0.0.1:8080\"\n\n[log]\nlevel = \"verbose\"\n",
        &[],
        expect![["hotline.toml:5:9: unknown variant `verbose`, expected one of `error`, `warn`, `info`, `debug`, `trace`"]],
    );
}

#[test]
fn unknown_key_is_an_error() {
    check_err(
        "[server]\nhttp_lisen = \"127.0.0.1:8080\"\n",
        &[],
        expect!["hotline.toml:2:1: unknown field `http_lisen`, expected one of `http_listen`, `max_body_bytes`, `call_page_origins`, `trusted_proxies`, `tls_cert`, `tls_key`"],
    );
}

#[test]
fn bad_address_and_syntax_errors_are_located() {
    check_err("[server]\nhttp_listen = \"localhost\"\n", &[], expect![["hotline.toml:2:15: invalid socket address syntax"]]);
    check_err("[server\n", &[], expect![["hotline.toml:1:8: invalid table header\nexpected `.`, `]`"]]);
}

#[test]
fn environment_overrides_file() {
    let c = load_str(
        "hotline.toml",
        "[server]\nhttp_listen = \"127.0.0.1:8080\"\n",
        env(&[("HOTLINE_SERVER__HTTP_LISTEN", "127.0.0.1:9090"), ("HOTLINE_AUTH__SESSION_TTL_HOURS", "8"), ("PATH", "/bin")]),
    )
    .unwrap();
    assert_eq!(c.server.http_listen.to_string(), "127.0.0.1:9090");
    assert_eq!(c.auth.session_ttl_hours, 8);
}

#[test]
fn wrong_environment_value_names_the_variable() {
    check_err(
        "",
        &[("HOTLINE_LOG__FORMAT", "xml")],
        expect![["environment variable HOTLINE_LOG__FORMAT: unknown variant `xml`, expected `text` or `json`"]],
    );
    check_err("", &[("HOTLINE_NOPE__X", "1")], expect!["environment variable HOTLINE_NOPE__X: unknown field `nope`, expected one of `server`, `data`, `database`, `log`, `auth`, `routing`, `sip`, `media`, `recording`, `menus`, `lookups`, `trunks`, `calling`"]);
}

#[test]
fn semantic_checks() {
    check_err("[database]\nurl = \"mysql://x\"\n", &[], expect![["database.url: must start with `sqlite:`, `postgres://` or `postgresql://`"]]);
    check_err("[auth]\nsession_ttl_hours = 0\n", &[], expect![["auth.session_ttl_hours: must be at least 1"]]);
}

#[test]
fn database_password_never_printed() {
    let c = load_str("x", "[database]\nurl = \"postgres://hotline:s3cret@db:5432/hotline\"\n", env(&[])).unwrap();
    let printed = format!("{c:?}");
    assert!(!printed.contains("s3cret"), "{printed}");
    assert_eq!(redact_url("postgres://hotline:s3cret@db:5432/hotline"), "postgres://hotline:***@db:5432/hotline");
    assert_eq!(redact_url("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
}

#[test]
fn telephony_sections_have_defaults_and_menus_are_checked() {
    let c = load_str("hotline.toml", "", env(&[])).unwrap();
    assert_eq!(c.sip.listen.to_string(), "127.0.0.1:5060");
    assert_eq!(c.sip.realm, "hotline");
    assert!(!c.sip.auto_ready_on_register);
    assert!(c.menus.is_empty());
    assert_eq!(c.recordings_dir(), std::path::PathBuf::from("./data/recordings"));
    let c = load_str(
        "hotline.toml",
        "[[menus]]\nnumber = \"1000\"\ndefault_queue = \"sales\"\nchoices = { \"1\" = \"sales\", \"2\" = \"support\" }\n",
        env(&[("HOTLINE_SIP__AUTO_READY_ON_REGISTER", "true")]),
    )
    .unwrap();
    assert!(c.sip.auto_ready_on_register);
    assert_eq!(c.menus[0].choices["2"], "support");
    assert_eq!(c.menus[0].no_input_to_agent_secs, 30);
    check_err(
        "[[menus]]\nnumber = \"1000\"\ndefault_queue = \"sales\"\nchoices = { \"12\" = \"sales\" }\n",
        &[],
        expect![["menus: entry 0 (number `1000`): choice `12` must be one key: 0-9, * or #"]],
    );
    check_err(
        "[media]\nrtp_port_min = 20001\n",
        &[],
        expect![["media.rtp_port_min: must be even, at least 1024 and below media.rtp_port_max"]],
    );
    check_err(
        "[sip]\nlisten = \"localhost\"\n",
        &[],
        expect![["hotline.toml:2:10: invalid socket address syntax"]],
    );
}

#[test]
fn trunks_are_checked_and_their_passwords_never_printed() {
    let text = "[[trunks]]\nname = \"carrier\"\ngateway = \"203.0.113.10:5060\"\ninbound_from = [\"198.51.100.0/24\", \"203.0.113.10\"]\n\
                register = true\nusername = \"4008001234\"\npassword = \"hunter2\"\n";
    let c = load_str("hotline.toml", text, env(&[])).unwrap();
    let t = &c.trunks[0];
    assert!(t.is_from("198.51.100.77".parse().unwrap()));
    assert!(t.is_from("203.0.113.10".parse().unwrap()));
    assert!(!t.is_from("203.0.113.11".parse().unwrap()));
    assert!(!format!("{c:?}").contains("hunter2"), "the password is a secret");
    // Without a list, calls from the gateway are the trunk's.
    let c = load_str("x", "[[trunks]]\nname = \"pbx\"\ngateway = \"10.1.2.3:5060\"\n", env(&[])).unwrap();
    assert!(c.trunks[0].is_from("10.1.2.3".parse().unwrap()));
    check_err(
        "[[trunks]]\nname = \"c\"\ngateway = \"carrier.example:5060\"\n",
        &[],
        expect!["trunks: entry 0 (`c`): `gateway` must be ip:port, not `carrier.example:5060`"],
    );
    check_err(
        "[[trunks]]\nname = \"c\"\ngateway = \"10.0.0.1:5060\"\ninbound_from = [\"10.0.0.0/33\"]\n",
        &[],
        expect!["trunks: entry 0 (`c`): `inbound_from` entry `10.0.0.0/33` is not an address or a CIDR block"],
    );
    check_err(
        "[[trunks]]\nname = \"c\"\ngateway = \"10.0.0.1:5060\"\nregister = true\n",
        &[],
        expect!["trunks: entry 0 (`c`): `register` needs a `username` and `register_expires_secs` of at least 60"],
    );
}
