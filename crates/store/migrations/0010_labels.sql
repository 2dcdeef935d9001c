-- Names in other languages for what admins configure (queues, skills,
-- reason codes, wrap-up codes): the row's own name is the center's default
-- language; a label here is what a user of `lang` sees instead.
CREATE TABLE labels (
    tenant_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    id        TEXT NOT NULL,
    lang      TEXT NOT NULL,
    label     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, id, lang)
);
