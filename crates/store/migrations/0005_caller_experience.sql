-- What callers hear and may do while they wait in a queue, and after:
-- music on hold, announcements of place and wait, virtual hold (callback),
-- the post-call survey. A JSON object (see `CallerExperience`).
ALTER TABLE queues ADD COLUMN caller_experience TEXT NOT NULL DEFAULT '{}';
