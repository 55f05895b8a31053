-- Per-instance settings beside the URL: a Connect (iframe) URL when it does not follow the
-- instance's name, and how often and how long to poll GetAccountsDetailAsync. NULL keeps the
-- defaults (the iframe derived from the API URL; every 10 s for at most 30 min, as Flinks asks).
ALTER TABLE environments ADD COLUMN iframe_url TEXT;
ALTER TABLE environments ADD COLUMN poll_interval_ms INTEGER;
ALTER TABLE environments ADD COLUMN poll_max_wait_ms INTEGER;
