-- What happened to a call besides routing: holds and resumes, a
-- supervisor listening, coaching or barging in, recording paused,
-- transfers. One row per change, in order, so a call's history reads as
-- one conversation; hold counts and times are read from it.
CREATE TABLE call_events (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    interaction_id TEXT NOT NULL,
    at             BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    actor          TEXT,
    detail         TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX call_events_interaction ON call_events (tenant_id, interaction_id, at);
