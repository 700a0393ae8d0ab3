// The library database's schema (migrated by sqlite.ts). Append new migrations; never edit one that has shipped.
import type { ParamValue } from '../../../shared/domain'
import type { Migration } from '../sqlite'
import { aspectLabel, sizeLabel } from './image-labels'

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
  {
    version: 4,
    description: 'library browsing: creation-ordered image keys, full-text search, filter columns, stars, trash, boards',
    up(db) {
      // images is rebuilt so its rowid becomes `ord` = created_at * 1000 + a tie-break: every ordered path
      // (the FTS index, boards, cursors, date ranges) then walks rowids in creation order without a sort, and
      // the key survives VACUUM (an INTEGER PRIMARY KEY is never renumbered).
      db.exec(`
        CREATE TABLE images_v4 (
          ord           INTEGER PRIMARY KEY,     -- created_at * 1000 + tie-break (see IMAGE_ORD_SQL)
          id            TEXT NOT NULL UNIQUE,
          job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          generation_id TEXT NOT NULL UNIQUE,
          idx           INTEGER NOT NULL,
          file          TEXT NOT NULL,
          thumb         TEXT NOT NULL,
          format        TEXT NOT NULL CHECK (format IN ('png', 'jpeg', 'webp')),
          width         INTEGER NOT NULL,
          height        INTEGER NOT NULL,
          bytes         INTEGER NOT NULL,
          created_at    INTEGER NOT NULL,
          cost          TEXT,
          -- filter columns, copied or derived when the row is written (image-labels.ts)
          model_id      TEXT NOT NULL,
          size_label    TEXT,                    -- '2K' | '3K' | '4K'
          aspect        TEXT,                    -- 'W:H', e.g. '16:9'
          -- index-only state: not in the files, so a rebuild from files alone starts without it
          starred       INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
          trashed_at    INTEGER
        ) STRICT;
        INSERT INTO images_v4 (ord, id, job_id, generation_id, idx, file, thumb, format, width, height, bytes, created_at, cost, model_id)
          SELECT i.created_at * 1000 + (row_number() OVER (PARTITION BY i.created_at ORDER BY i.rowid) - 1),
                 i.id, i.job_id, i.generation_id, i.idx, i.file, i.thumb, i.format, i.width, i.height, i.bytes, i.created_at, i.cost, j.model_id
          FROM images i JOIN jobs j ON j.id = i.job_id;
        DROP TABLE images;
        ALTER TABLE images_v4 RENAME TO images;
        CREATE INDEX images_by_job ON images (job_id, idx);
        -- One index per filter. Each is (column, ord), so an equality on the column walks it in creation order.
        CREATE INDEX images_by_model ON images (model_id);
        CREATE INDEX images_by_size ON images (size_label);
        CREATE INDEX images_by_aspect ON images (aspect);
        CREATE INDEX images_by_format ON images (format);
        CREATE INDEX images_starred ON images (starred) WHERE starred = 1;
        CREATE INDEX images_trashed ON images (ord) WHERE trashed_at IS NOT NULL;

        -- Prompts, one entry per image keyed by its ord; contentless (the text stays in jobs.prompt).
        CREATE VIRTUAL TABLE images_fts USING fts5 (
          prompt, content = '', contentless_delete = 1, prefix = '1 2 3', tokenize = 'unicode61 remove_diacritics 2'
        );
        INSERT INTO images_fts (rowid, prompt) SELECT i.ord, j.prompt FROM images i JOIN jobs j ON j.id = i.job_id;
        CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
          INSERT INTO images_fts (rowid, prompt) SELECT new.ord, prompt FROM jobs WHERE id = new.job_id;
        END;
        CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
          DELETE FROM images_fts WHERE rowid = old.ord;
        END;

        -- jobs.refs as rows, so "which jobs used this reference" is an index lookup.
        CREATE TABLE job_references (
          job_id   TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          hash     TEXT NOT NULL,
          PRIMARY KEY (job_id, position)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX job_references_by_hash ON job_references (hash);
        INSERT INTO job_references (job_id, position, hash) SELECT j.id, r.key, r.value FROM jobs j, json_each(j.refs) r;
        CREATE TRIGGER jobs_refs_insert AFTER INSERT ON jobs BEGIN
          INSERT INTO job_references (job_id, position, hash) SELECT new.id, key, value FROM json_each(new.refs);
        END;
        CREATE TRIGGER jobs_refs_update AFTER UPDATE OF refs ON jobs BEGIN
          DELETE FROM job_references WHERE job_id = new.id;
          INSERT INTO job_references (job_id, position, hash) SELECT new.id, key, value FROM json_each(new.refs);
        END;

        -- A reference made from a library image ("use as reference") points back at it, for "used in".
        ALTER TABLE reference_images ADD COLUMN source_image_id TEXT REFERENCES images (id) ON DELETE SET NULL;
        CREATE INDEX reference_images_by_source ON reference_images (source_image_id) WHERE source_image_id IS NOT NULL;

        CREATE TABLE boards (
          id         TEXT PRIMARY KEY,
          name       TEXT NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX boards_by_name ON boards (name COLLATE NOCASE);
        CREATE TABLE board_images (
          board_id  TEXT NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
          image_ord INTEGER NOT NULL REFERENCES images (ord) ON DELETE CASCADE,
          added_at  INTEGER NOT NULL,
          PRIMARY KEY (board_id, image_ord)       -- a board's images in creation order
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX board_images_by_image ON board_images (image_ord);
      `)
      const rows = db.prepare('SELECT i.ord, i.width, i.height, j.params FROM images i JOIN jobs j ON j.id = i.job_id').all() as {
        ord: number
        width: number
        height: number
        params: string
      }[]
      const label = db.prepare('UPDATE images SET size_label = @size, aspect = @aspect WHERE ord = @ord')
      for (const r of rows) {
        const params = JSON.parse(r.params) as Record<string, ParamValue>
        label.run({ ord: r.ord, size: sizeLabel(r.width, r.height, params), aspect: aspectLabel(r.width, r.height) })
      }
    },
  },
  {
    version: 5,
    description: 'the job journal moves to its own database (jobs room); jobs keeps only the recipe images share',
    up(db) {
      // The journal (electron/services/jobs/journal.ts) copied the unfinished work out of these tables before
      // this ran (it opens first). A job without a saved image has no recipe in the library.
      db.exec(`
        DROP TABLE enqueues;
        DROP TABLE generations;
        DROP INDEX jobs_running;
        DROP INDEX jobs_newest;
        DELETE FROM jobs WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.job_id = jobs.id);
        ALTER TABLE jobs DROP COLUMN request;
        ALTER TABLE jobs DROP COLUMN status;
        ALTER TABLE jobs DROP COLUMN error;
        ALTER TABLE jobs DROP COLUMN reference_supply;
      `)
    },
  },
  {
    version: 6,
    description: 'triage: a rating (0–5) and a pick flag (pick / reject) on every image',
    up(db) {
      // Index-only state like stars: not in the files (which never change once saved), so a rebuild of a lost
      // index starts without them, and a rebuild of an intact one keeps them.
      db.exec(`
        ALTER TABLE images ADD COLUMN rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5);  -- 0 = none
        ALTER TABLE images ADD COLUMN pick INTEGER NOT NULL DEFAULT 0 CHECK (pick IN (-1, 0, 1));        -- reject, none, pick
        -- (rating, ord): one rating's images in creation order. Every rating filter and the rating sort walk one
        -- rating at a time on it (query.ts), so no plan sorts.
        CREATE INDEX images_by_rating ON images (rating);
        CREATE INDEX images_picked ON images (ord) WHERE pick = 1;
        CREATE INDEX images_rejected ON images (ord) WHERE pick = -1;
      `)
    },
  },
  {
    version: 7,
    description: 'each image keeps the seed it was made with (a job shares the rest of its parameters)',
    up(db) {
      // NULL on the rows before: their job's params hold the seed of its first saved image, as they always did.
      db.exec('ALTER TABLE images ADD COLUMN seed INTEGER')
    },
  },
  {
    version: 8,
    description: 'prefix indexes for every prefix up to 16 characters, so a typed word never merges whole doclists',
    up(db) {
      // FTS5 answers a prefix query ("portrait"*) from a prefix index of that length when it has one, walking it in
      // rowid order and stopping at the page's LIMIT. Without one it first merges the doclists of every term with
      // that prefix, whole: at a million images a common word then costs hundreds of milliseconds whatever the
      // LIMIT (measured at 1M: "ligh" well under a millisecond with the index, 150–700 ms without). Words typed longer than 16
      // characters are rare, and so are the terms they match, so their merges stay small.
      db.exec(`
        DROP TRIGGER images_fts_insert;
        DROP TRIGGER images_fts_delete;
        DROP TABLE images_fts;
        CREATE VIRTUAL TABLE images_fts USING fts5 (
          prompt, content = '', contentless_delete = 1, prefix = '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16', tokenize = 'unicode61 remove_diacritics 2'
        );
        INSERT INTO images_fts (rowid, prompt) SELECT i.ord, j.prompt FROM images i JOIN jobs j ON j.id = i.job_id;
        CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
          INSERT INTO images_fts (rowid, prompt) SELECT new.ord, prompt FROM jobs WHERE id = new.job_id;
        END;
        CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
          DELETE FROM images_fts WHERE rowid = old.ord;
        END;
      `)
    },
  },
]

/**
 * The `ord` of a new image row from its @createdAt: created_at * 1000, plus one for each image already saved in
 * that same millisecond (a thousand in one millisecond would spill into the next; nothing saves that fast).
 */
export const IMAGE_ORD_SQL = `(SELECT coalesce(max(ord) + 1, CAST(@createdAt AS INTEGER) * 1000) FROM images
  WHERE ord >= CAST(@createdAt AS INTEGER) * 1000 AND ord < CAST(@createdAt AS INTEGER) * 1000 + 1000)`
