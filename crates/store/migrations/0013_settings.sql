-- Settings an admin changes at run time (the center's name, its default
-- language, who sees full phone numbers): one JSON value per key.
CREATE TABLE settings (
    tenant_id  TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (tenant_id, key)
);
