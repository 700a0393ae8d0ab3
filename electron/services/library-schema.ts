// The library database's schema, versioned by `PRAGMA user_version`. Each migration runs once, in order,
// inside its own transaction together with the version bump. Append new migrations (e.g. FTS5 over
// prompts as version 2); never edit one that has shipped.
import type Database from 'libsql'
import { AppFailure } from './errors'

export interface Migration {
  version: number
  description: string
  up(db: Database.Database): void
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs, generations and images',
    up(db) {
      db.exec(`
        CREATE TABLE jobs (
          id         TEXT PRIMARY KEY,
          created_at INTEGER NOT NULL,
          model_id   TEXT NOT NULL,
          prompt     TEXT NOT NULL,
          count      INTEGER NOT NULL,
          params     TEXT NOT NULL,            -- JSON object of model fields
          request    TEXT NOT NULL,            -- JSON: the exact body sent to Oxen, minus the prompt
          status     TEXT NOT NULL DEFAULT 'running',
          error      TEXT
        ) STRICT;
        -- History pages: newest first, keyset on (created_at, id).
        CREATE INDEX jobs_newest ON jobs (created_at DESC, id DESC);
        -- Journal replay after a crash reads only the running jobs.
        CREATE INDEX jobs_running ON jobs (status) WHERE status = 'running';

        CREATE TABLE generations (
          id         TEXT PRIMARY KEY,         -- Oxen generation_id
          job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          idx        INTEGER NOT NULL,
          status     TEXT NOT NULL,
          result_url TEXT,
          error      TEXT,
          updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX generations_by_job ON generations (job_id, idx);

        CREATE TABLE images (
          id            TEXT PRIMARY KEY,
          job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          generation_id TEXT NOT NULL UNIQUE,  -- one image per Oxen generation: makes saving idempotent
          idx           INTEGER NOT NULL,
          file          TEXT NOT NULL,         -- relative to the library folder
          thumb         TEXT NOT NULL,         -- relative to the library folder
          format        TEXT NOT NULL CHECK (format IN ('png', 'jpeg', 'webp')),
          width         INTEGER NOT NULL,
          height        INTEGER NOT NULL,
          bytes         INTEGER NOT NULL,
          created_at    INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX images_by_job ON images (job_id, idx);
      `)
    },
  },
  {
    version: 2,
    description: 'reference images and where they were uploaded',
    up(db) {
      db.exec(`
        -- Files live at references/<hash>.<png|jpg|webp> and references/thumbs/<hash>.webp.
        CREATE TABLE reference_images (
          hash       TEXT PRIMARY KEY CHECK (length(hash) = 64),  -- SHA-256 of the bytes, lowercase hex
          name       TEXT NOT NULL,                               -- file name or label when first added
          format     TEXT NOT NULL CHECK (format IN ('png', 'jpeg', 'webp')),
          width      INTEGER NOT NULL,
          height     INTEGER NOT NULL,
          bytes      INTEGER NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;

        -- One upload per (image, Oxen server, namespace): later jobs reuse the URL.
        CREATE TABLE reference_uploads (
          hash        TEXT NOT NULL REFERENCES reference_images (hash) ON DELETE CASCADE,
          server      TEXT NOT NULL,                              -- API base URL, e.g. https://hub.oxen.ai
          namespace   TEXT NOT NULL,
          url         TEXT NOT NULL,
          uploaded_at INTEGER NOT NULL,
          PRIMARY KEY (hash, server, namespace)
        ) STRICT;
      `)
    },
  },
  {
    version: 3,
    description: 'enqueue journal, job references, image cost',
    up(db) {
      db.exec(`
        -- One row per enqueue (up to four images), written before the POST is sent, so a restart knows
        -- which images were never sent, which were accepted, and which may have been (answer lost).
        CREATE TABLE enqueues (
          job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          first_index INTEGER NOT NULL,
          size        INTEGER NOT NULL,
          sent_at     INTEGER NOT NULL,
          state       TEXT NOT NULL CHECK (state IN ('sending', 'accepted', 'rejected', 'unknown')),
          error       TEXT,
          PRIMARY KEY (job_id, first_index)
        ) STRICT;
        ALTER TABLE jobs ADD COLUMN refs TEXT NOT NULL DEFAULT '[]';   -- JSON array of reference hashes
        ALTER TABLE jobs ADD COLUMN reference_supply TEXT;              -- 'upload' | 'data-uri'
        ALTER TABLE images ADD COLUMN cost TEXT;                        -- decimal string from Oxen's generation record
      `)
    },
  },
]

export function schemaVersion(db: Database.Database): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number }
  return row.user_version
}

/** Brings the database up to the newest version. Returns the versions it went from and to. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`library migrations must be numbered 1, 2, 3…; found ${m.version} at position ${i + 1}`)
  })
  const latest = migrations.length
  const from = schemaVersion(db)
  if (from > latest) {
    throw new AppFailure(
      'internal',
      'This image library was last opened by a newer version of Atelier. Update Atelier to open it.',
    )
  }
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      m.up(db)
      // PRAGMA takes no bound parameters; the version is an integer we control.
      db.exec(`PRAGMA user_version = ${m.version}`)
    })()
  }
  return { from, to: latest }
}
