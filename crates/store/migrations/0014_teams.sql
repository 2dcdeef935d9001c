-- Teams of agents (a supervisor's group, a shift, a site); an agent is in
-- at most one.
CREATE TABLE teams (
    tenant_id TEXT NOT NULL,
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE team_members (
    tenant_id TEXT NOT NULL,
    agent_id  TEXT NOT NULL,
    team_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, agent_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id)
);
