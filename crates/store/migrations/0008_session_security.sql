-- Sessions end when idle as well as at their absolute end, and a session
-- opened with a default password may do nothing but change it.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN password_change_required BIGINT NOT NULL DEFAULT 0 CHECK (password_change_required IN (0, 1));
