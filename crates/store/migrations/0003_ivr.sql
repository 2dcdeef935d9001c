-- IVR flows as versioned documents, and the numbers that reach them.

-- Every saved version of a flow. `version` counts from 1 per flow; a
-- version is a draft until published, and published versions never change.
-- Calls keep the version they started with.
CREATE TABLE ivr_flow_versions (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    flow_id       TEXT NOT NULL CHECK (flow_id <> ''),
    version       BIGINT NOT NULL CHECK (version >= 1),
    document      TEXT NOT NULL,            -- the flow as JSON
    published_at  BIGINT,                   -- NULL while a draft
    created_at    BIGINT NOT NULL,
    created_by    TEXT,
    PRIMARY KEY (tenant_id, flow_id, version)
);

-- Dialled number -> flow; the published version with the highest number runs.
CREATE TABLE ivr_numbers (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    number     TEXT NOT NULL CHECK (number <> ''),
    flow_id    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, number)
);
