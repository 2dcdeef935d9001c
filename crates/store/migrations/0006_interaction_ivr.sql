-- What the caller told the IVR before reaching an agent (menu choices,
-- digits, lookup results): a JSON object of strings, shown on the agent's
-- screen with the call.
ALTER TABLE interactions ADD COLUMN ivr_data TEXT NOT NULL DEFAULT '{}';
