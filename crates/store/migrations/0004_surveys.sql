-- Post-call survey answers, one row per answered survey.
CREATE TABLE survey_results (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    interaction_id  TEXT NOT NULL,
    answers         TEXT NOT NULL,        -- JSON object: what the survey flow collected
    score           BIGINT CHECK (score BETWEEN 1 AND 5),
    answered_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, interaction_id)
);
