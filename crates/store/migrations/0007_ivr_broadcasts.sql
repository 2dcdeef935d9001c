-- Emergency broadcasts: a message (an incident notice, say) played to every
-- caller of a number, before the menu or instead of it, switched on and off
-- by an administrator without a redeploy.
CREATE TABLE ivr_broadcasts (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    number      TEXT NOT NULL CHECK (number <> ''),
    prompt      TEXT NOT NULL CHECK (prompt <> ''),
    instead     BIGINT NOT NULL CHECK (instead IN (0, 1)),
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT,
    PRIMARY KEY (tenant_id, number)
);
