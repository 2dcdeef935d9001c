-- A password someone else chose (generated for a new account, reset by an
-- admin) works once: the session it opens may only change it.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
