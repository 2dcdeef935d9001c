-- Two-factor sign-in (TOTP, RFC 6238): a user's confirmed secret, one
-- waiting for its first code, the last step used (no code twice), and
-- single-use recovery codes (SHA-256 hashes, JSON). A session of a role
-- that must use a second factor, opened before one was set up, may only
-- set it up.
CREATE TABLE user_totp (
    tenant_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    secret      TEXT,
    pending     TEXT,
    last_step   BIGINT,
    recovery    TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE sessions ADD COLUMN enrolment_required BIGINT NOT NULL DEFAULT 0 CHECK (enrolment_required IN (0, 1));
