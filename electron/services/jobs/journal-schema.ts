// The job journal's schema (journal.db in the data folder; migrated by sqlite.ts). Append new migrations;
// never edit one that has shipped.
import type { Migration } from '../sqlite'

export const JOURNAL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs, their enqueues (each with the exact body sent) and the generations Oxen made for them',
    up(db) {
      db.exec(`
        CREATE TABLE jobs (
          id               TEXT PRIMARY KEY,
          created_at       INTEGER NOT NULL,
          model_id         TEXT NOT NULL,
          prompt           TEXT NOT NULL,
          count            INTEGER NOT NULL,
          params           TEXT NOT NULL,      -- JSON: the form values the user chose
          refs             TEXT NOT NULL,      -- JSON: reference image hashes
          reference_supply TEXT,               -- 'upload' | 'data-uri'
          reference_note   TEXT,
          status           TEXT NOT NULL,      -- JobStatus
          error            TEXT
        ) STRICT;
        CREATE INDEX jobs_newest ON jobs (created_at DESC);
        CREATE INDEX jobs_running ON jobs (status) WHERE status = 'running';

        -- One POST /api/ai/queue of up to four images. Written as 'pending' with its exact body before anything is
        -- sent, 'sending' just before the POST, then its outcome. Send again and Retry add new rows for the same
        -- images; the row an image's latest attempt is in decides its state (job-state.ts).
        CREATE TABLE enqueues (
          id         INTEGER PRIMARY KEY,
          job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          indexes    TEXT NOT NULL,           -- JSON: the job's image indexes, in the order Oxen returns their ids
          body       TEXT NOT NULL,           -- JSON: the request body (inlined reference bytes as tokens, body.ts)
          state      TEXT NOT NULL CHECK (state IN
                       ('pending', 'sending', 'accepted', 'rejected', 'unknown', 'unconfirmed', 'superseded', 'cancelled')),
          sent_at    INTEGER,
          error      TEXT
        ) STRICT;
        CREATE INDEX enqueues_by_job ON enqueues (job_id, id);

        CREATE TABLE generations (
          id         TEXT PRIMARY KEY,        -- Oxen generation_id
          job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          enqueue_id INTEGER NOT NULL REFERENCES enqueues (id) ON DELETE CASCADE,
          idx        INTEGER NOT NULL,
          status     TEXT NOT NULL,           -- queued | processing | succeeded | failed | cancelled
          result_url TEXT,
          error      TEXT,
          updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX generations_by_job ON generations (job_id, enqueue_id, idx);
      `)
    },
  },
  {
    version: 2,
    description: 'the estimate a job was sent with',
    up(db) {
      db.exec('ALTER TABLE jobs ADD COLUMN estimate REAL')
    },
  },
  {
    version: 3,
    description: 'when a job ended, what it needs from the user, the request it was made from, and whether it is hidden from the list',
    up(db) {
      db.exec(`
        ALTER TABLE jobs ADD COLUMN finished_at INTEGER;  -- unix ms; NULL while running (and for jobs ended before v3)
        ALTER TABLE jobs ADD COLUMN needs TEXT;           -- 'api-key' | 'credits': what only the user can fix
        ALTER TABLE jobs ADD COLUMN request TEXT;         -- JSON: the GenerateRequest as validated (Duplicate sends it again)
        ALTER TABLE jobs ADD COLUMN hidden_at INTEGER;    -- unix ms: taken off the list (its images stay in the library)
      `)
    },
  },
]
