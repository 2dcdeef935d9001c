-- Business hours and holidays kept by the center: a weekly schedule with
-- holidays and moved workdays (JSON, see `hotline_calendar::Schedule`),
-- named by IVR schedule nodes and, later, by SLA clocks.
CREATE TABLE calendars (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    schedule   TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (tenant_id, id)
);
