-- Telephony: SIP digest credentials of agent extensions, and the index of
-- call recordings (the audio lives in the recording store, not here).

-- Digest HA1 values, never the password: HA1 = H(extension ":" realm ":" password)
-- with MD5 and with SHA-256 (RFC 8760), so either algorithm can be offered.
CREATE TABLE sip_credentials (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    extension   TEXT NOT NULL CHECK (extension <> ''),
    realm       TEXT NOT NULL,
    ha1_md5     TEXT NOT NULL,
    ha1_sha256  TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, extension)
);

-- One row per recorded call. Written when recording starts and completed
-- when it ends; a row with no ended_at is a recording cut short (its file
-- holds what was written so far). No foreign key to interactions: their
-- rows are written asynchronously by the routing driver.
CREATE TABLE recordings (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    id               TEXT NOT NULL CHECK (id <> ''),
    interaction_id   TEXT NOT NULL,
    customer_number  TEXT,
    agent_id         TEXT,
    started_at       BIGINT NOT NULL,
    ended_at         BIGINT,
    duration_ms      BIGINT,
    path             TEXT NOT NULL,
    format           TEXT NOT NULL,
    sha256           TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX recordings_by_interaction ON recordings (tenant_id, interaction_id);
CREATE INDEX recordings_by_start ON recordings (tenant_id, started_at);
