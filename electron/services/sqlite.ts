// SQLite databases of the services (the library index, the job journal): opened the same way and versioned by
// `PRAGMA user_version`. Each migration runs once, in order, inside its own transaction with the version bump.
import Database from 'libsql'
import { AppFailure } from './errors'

export interface Migration {
  version: number
  description: string
  up(db: Database.Database): void
}

/** Opens (creating) a database file in WAL mode and brings it up to `migrations`. */
export function openDatabase(path: string, migrations: readonly Migration[]): Database.Database {
  const db = new Database(path)
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA foreign_keys = ON')
  db.exec('PRAGMA synchronous = NORMAL') // WAL + NORMAL: durable across app crashes, fast commits
  try {
    migrate(db, migrations)
  } catch (error) {
    db.close()
    throw error
  }
  return db
}

export function schemaVersion(db: Database.Database): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number }
  return row.user_version
}

/** Brings the database up to the newest version. Returns the versions it went from and to. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3…; found ${m.version} at position ${i + 1}`)
  })
  const latest = migrations.length
  const from = schemaVersion(db)
  if (from > latest) {
    throw new AppFailure(
      'internal',
      'This data folder was last opened by a newer version of Atelier. Update Atelier to open it.',
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
