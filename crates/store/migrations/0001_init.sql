-- Hotline schema, version 1.
--
-- One SQL text for SQLite and PostgreSQL: integers and booleans (0/1) are
-- BIGINT, times are milliseconds since the Unix epoch, ids are TEXT, lists
-- are JSON text. `{{AUTO_ID}}` is replaced by the migration runner with the
-- backend's auto-increment primary key. Every business table is scoped by
-- tenant_id, and every key and unique constraint includes it.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY CHECK (id <> ''),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE skills (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    id          TEXT NOT NULL CHECK (id <> ''),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('skill', 'language')),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE queues (
    tenant_id                 TEXT NOT NULL REFERENCES tenants (id),
    id                        TEXT NOT NULL CHECK (id <> ''),
    name                      TEXT NOT NULL,
    channel                   TEXT NOT NULL CHECK (channel IN ('voice', 'chat', 'email')),
    strategy                  TEXT NOT NULL CHECK (strategy IN ('longest_idle', 'least_occupied', 'round_robin', 'best_skill')),
    steps                     TEXT NOT NULL DEFAULT '[]',   -- JSON array of routing steps
    service_level_secs        BIGINT NOT NULL CHECK (service_level_secs >= 0),
    service_level_target_pct  BIGINT NOT NULL CHECK (service_level_target_pct BETWEEN 0 AND 100),
    sl_window_secs            BIGINT NOT NULL CHECK (sl_window_secs >= 0),
    offer_timeout_secs        BIGINT NOT NULL CHECK (offer_timeout_secs >= 0),
    wrap_up_secs              BIGINT NOT NULL CHECK (wrap_up_secs >= 0),
    max_missed_offers         BIGINT NOT NULL CHECK (max_missed_offers >= 0),
    aging_per_sec             BIGINT NOT NULL CHECK (aging_per_sec >= 0),
    vip_boost                 BIGINT NOT NULL CHECK (vip_boost >= 0),
    sticky_secs               BIGINT NOT NULL CHECK (sticky_secs >= 0),
    max_wait_secs             BIGINT CHECK (max_wait_secs >= 0),
    give_up_action            TEXT NOT NULL CHECK (give_up_action IN ('voicemail', 'callback', 'hangup')),
    overflow_queue            TEXT,
    overflow_after_secs       BIGINT CHECK (overflow_after_secs >= 0),
    overflow_when_no_agents   BIGINT NOT NULL CHECK (overflow_when_no_agents IN (0, 1)),
    enabled                   BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, overflow_queue) REFERENCES queues (tenant_id, id)
);

CREATE TABLE agents (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    id          TEXT NOT NULL CHECK (id <> ''),
    extension   TEXT NOT NULL CHECK (extension <> ''),
    name        TEXT NOT NULL,
    languages   TEXT NOT NULL DEFAULT '[]',   -- JSON array of language skill ids
    queues      TEXT NOT NULL DEFAULT '[]',   -- JSON array of queue ids
    cap_voice   BIGINT NOT NULL CHECK (cap_voice BETWEEN 0 AND 255),
    cap_chat    BIGINT NOT NULL CHECK (cap_chat BETWEEN 0 AND 255),
    cap_email   BIGINT NOT NULL CHECK (cap_email BETWEEN 0 AND 255),
    enabled     BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, extension)
);

-- An agent's skills, normalized so that "who has skill X" is a query.
-- position keeps the order the skills were given in.
CREATE TABLE agent_skills (
    tenant_id   TEXT NOT NULL,
    agent_id    TEXT NOT NULL,
    skill_id    TEXT NOT NULL,
    level       BIGINT NOT NULL CHECK (level BETWEEN 1 AND 10),
    position    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, agent_id, skill_id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, skill_id) REFERENCES skills (tenant_id, id)
);
CREATE INDEX agent_skills_by_skill ON agent_skills (tenant_id, skill_id);

CREATE TABLE users (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    id             TEXT NOT NULL CHECK (id <> ''),
    username       TEXT NOT NULL CHECK (username <> ''),
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,            -- argon2id PHC string
    roles          TEXT NOT NULL DEFAULT '[]',   -- JSON array of role names
    agent_id       TEXT,
    enabled        BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, username),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id)
);

CREATE TABLE sessions (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    token_hash  TEXT NOT NULL CHECK (token_hash <> ''),   -- SHA-256 of the bearer token
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    ip          TEXT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE reason_codes (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    id         TEXT NOT NULL CHECK (id <> ''),
    label      TEXT NOT NULL,
    paid       BIGINT NOT NULL CHECK (paid IN (0, 1)),
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE wrap_up_codes (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    id         TEXT NOT NULL CHECK (id <> ''),
    label      TEXT NOT NULL,
    category   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE customers (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    id          TEXT NOT NULL CHECK (id <> ''),
    name        TEXT NOT NULL,
    phones      TEXT NOT NULL DEFAULT '[]',   -- JSON array, as entered
    email       TEXT,
    tier        BIGINT NOT NULL CHECK (tier BETWEEN 0 AND 3),
    tags        TEXT NOT NULL DEFAULT '[]',   -- JSON array
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_by_created ON customers (tenant_id, created_at);

-- Caller-id lookup: one row per (normalized) phone, kept in sync with
-- customers.phones by the store. A number belongs to one customer.
CREATE TABLE customer_phones (
    tenant_id    TEXT NOT NULL,
    phone        TEXT NOT NULL CHECK (phone <> ''),
    customer_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, phone),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_phones_by_customer ON customer_phones (tenant_id, customer_id);

CREATE TABLE interactions (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    id            TEXT NOT NULL CHECK (id <> ''),
    channel       TEXT NOT NULL CHECK (channel IN ('voice', 'chat', 'email')),
    direction     TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    queue_id      TEXT,
    agent_id      TEXT,
    customer_id   TEXT,
    from_addr     TEXT,
    to_addr       TEXT,
    sip_call_id   TEXT,
    priority      BIGINT NOT NULL,
    arrived_at    BIGINT NOT NULL,
    enqueued_at   BIGINT,
    offered_at    BIGINT,
    answered_at   BIGINT,
    ended_at      BIGINT,
    outcome       TEXT,
    hangup_cause  TEXT,
    wrap_up_code  TEXT,
    notes         TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX interactions_by_arrival ON interactions (tenant_id, arrived_at);
CREATE INDEX interactions_by_customer ON interactions (tenant_id, customer_id, arrived_at);
CREATE INDEX interactions_open ON interactions (tenant_id, ended_at);

-- The queue log: append-only, read by id ("everything after id N").
-- No foreign keys besides the tenant, so a log row is never refused.
CREATE TABLE queue_events (
    id              {{AUTO_ID}},
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    at              BIGINT NOT NULL,
    interaction_id  TEXT,
    queue_id        TEXT,
    agent_id        TEXT,
    event           TEXT NOT NULL CHECK (event <> ''),
    data            TEXT NOT NULL DEFAULT '[]'   -- JSON array of strings
);
CREATE INDEX queue_events_by_tenant ON queue_events (tenant_id, id);
CREATE INDEX queue_events_by_interaction ON queue_events (tenant_id, interaction_id);

CREATE TABLE agent_presence (
    tenant_id   TEXT NOT NULL,
    agent_id    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('available', 'not_ready', 'logged_out')),
    reason      TEXT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, agent_id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);

-- Append-only.
CREATE TABLE audit_log (
    id         {{AUTO_ID}},
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    at         BIGINT NOT NULL,
    actor      TEXT,
    action     TEXT NOT NULL CHECK (action <> ''),
    target     TEXT,
    ip         TEXT,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, id);
