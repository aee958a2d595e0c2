-- "It did not arrive" is a status of its own (not_received: being
-- followed up), which staff resolve; a follow-up staff close ends as
-- `closed`. The flag that stood for it (`needs_attention`) goes.
ALTER TABLE wishes DROP CONSTRAINT wishes_status_check;
ALTER TABLE wishes ADD CONSTRAINT wishes_status_check CHECK (status IN
    ('pending', 'open', 'claimed', 'fulfilled', 'not_received', 'closed', 'rejected', 'withdrawn', 'expired'));
UPDATE wishes SET status = 'not_received', closed_at = NULL
    WHERE status = 'fulfilled' AND needs_attention;
ALTER TABLE wishes DROP COLUMN needs_attention;

-- What an event was, where its status alone does not say it: a worker's
-- "it arrived" (confirmed), "it did not" (not_arrived), a new tracking
-- code (new_code), a follow-up's outcome (resolve_…). Shown from the
-- catalogue in the reader's language; the notes the portal itself wrote
-- in English go.
ALTER TABLE wish_events ADD COLUMN kind TEXT;
UPDATE wish_events SET kind = 'confirmed', note = ''
    WHERE actor_kind = 'worker' AND to_status = 'fulfilled' AND note = 'arrived';
UPDATE wish_events SET kind = 'not_arrived', note = ''
    WHERE actor_kind = 'worker' AND to_status = 'fulfilled' AND note = 'not arrived';
UPDATE wish_events SET kind = 'new_code', note = ''
    WHERE actor_kind = 'staff' AND note = 'new tracking code issued';
