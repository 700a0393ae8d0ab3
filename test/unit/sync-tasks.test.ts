// The push/pull/import task runner: one task per kind and target at a time, progress events at most every 100 ms
// (the final state always), cancel, a failure's plain message, and stopAll waiting for what runs.
import { describe, expect, it } from 'vitest'
import type { SyncTask } from '../../shared/sync'
import { AppFailure } from '../../electron/services/errors'
import { createSyncTasks, type TaskControl } from '../../electron/services/sync/tasks'
import { testLog } from '../fixtures/jobs-world'

function runner() {
  const events: SyncTask[] = []
  let clock = 1_000
  const tasks = createSyncTasks({ emit: (t) => events.push(t), log: testLog, now: () => clock })
  return { tasks, events, tick: (ms: number) => (clock += ms) }
}

/** A task body the test finishes by hand. */
function controlled() {
  let control!: TaskControl
  let finish!: (message: string) => void
  let fail!: (error: unknown) => void
  const run = (c: TaskControl) => {
    control = c
    return new Promise<{ message: string }>((resolve, reject) => {
      finish = (message) => resolve({ message })
      fail = reject
      c.signal.addEventListener('abort', () => reject(new Error('aborted')))
    })
  }
  return { run, control: () => control, finish: (m: string) => finish(m), fail: (e: unknown) => fail(e) }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('sync tasks', () => {
  it('runs a task to done, with throttled progress and the final message', async () => {
    const { tasks, events, tick } = runner()
    const body = controlled()
    const started = tasks.start('push', 'me/board', body.run)
    expect(started).toMatchObject({ kind: 'push', target: 'me/board', state: 'running', done: 0, total: null })
    await settle()
    body.control().progress(1, 10)
    body.control().progress(2, 10) // within 100 ms of the last event: not sent
    tick(150)
    body.control().progress(3, 10)
    body.control().setUrl('https://hub.example/me/board')
    body.finish('Sent 10 new images.')
    await settle()
    expect(events.map((e) => [e.state, e.done])).toEqual([
      ['running', 0],
      ['running', 1],
      ['running', 3],
      ['running', 3],
      ['done', 3],
    ])
    expect(events.at(-1)).toMatchObject({ message: 'Sent 10 new images.', url: 'https://hub.example/me/board', finishedAt: expect.any(Number) })
    expect(tasks.list()[0]).toEqual(events.at(-1))
  })

  it('answers the running task when the same kind and target is started again, and a new one for another target', async () => {
    const { tasks } = runner()
    const body = controlled()
    const first = tasks.start('pull', 'me/a', body.run)
    expect(tasks.start('pull', 'me/a', controlled().run).id).toBe(first.id)
    expect(tasks.start('pull', 'me/b', controlled().run).id).not.toBe(first.id)
    await settle()
    body.finish('done')
    await settle()
    expect(tasks.start('pull', 'me/a', controlled().run).id).not.toBe(first.id) // it ended: a new run
  })

  it('cancel ends a task as cancelled; a failure ends it with its plain message, never an internal one', async () => {
    const { tasks, events } = runner()
    const cancelled = controlled()
    const failing = controlled()
    const a = tasks.start('import', 'Oxen generation history', cancelled.run)
    const b = tasks.start('push', 'me/x', failing.run)
    await settle()
    tasks.cancel(a.id)
    failing.fail(new AppFailure('unreachable', 'Oxen could not be reached.'))
    await settle()
    const last = (id: string) => events.filter((e) => e.id === id).at(-1)!
    expect(last(a.id)).toMatchObject({ state: 'cancelled', message: 'Cancelled.' })
    expect(last(b.id)).toMatchObject({ state: 'failed', message: 'Oxen could not be reached.' })
    expect(tasks.cancel('no-such-task')).toBeNull()
  })

  it('stopAll aborts every running task and waits for each to end', async () => {
    const { tasks } = runner()
    let ended = false
    tasks.start('push', 'me/slow', async (c) => {
      await new Promise((resolve) => c.signal.addEventListener('abort', resolve))
      await settle()
      ended = true
      return { message: 'stopped' }
    })
    await settle()
    await tasks.stopAll()
    expect(ended).toBe(true)
  })
})
