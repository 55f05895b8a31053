-- Whether the instance's Authorize wants a fresh authorize token each time ("new integrations"
-- since October 2024); older instances refuse nothing without one.
ALTER TABLE environments ADD COLUMN authorize_tokens INTEGER NOT NULL DEFAULT 0;
