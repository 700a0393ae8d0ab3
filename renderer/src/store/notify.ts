// System notifications when a job ends while the window is hidden or not focused (Web Notification API: the same
// in Electron and in the browser harness). Only with the user's permission, never for a job that ends while they
// look, and a click brings the window forward on the job. The user can turn them off here (kept in this window's
// storage); the permission itself is the system's (or the browser's) to give.
import { create } from 'zustand'
import type { Job } from '../../../shared/domain'

const PREF_KEY = 'atelier.notifyJobs'

export type NotifyPermission = NotificationPermission | 'unsupported'

const supported = () => typeof window !== 'undefined' && 'Notification' in window

function readEnabled(): boolean {
  try {
    return localStorage.getItem(PREF_KEY) !== 'off'
  } catch {
    return true
  }
}

interface NotifyState {
  permission: NotifyPermission
  /** The user's own switch (on unless turned off). */
  enabled: boolean
  /** Asks for permission when it was never given or refused; turns notifications on or off otherwise. */
  toggle: () => Promise<void>
}

export const useNotify = create<NotifyState>()((set, get) => ({
  permission: supported() ? Notification.permission : 'unsupported',
  enabled: readEnabled(),
  toggle: async () => {
    if (!supported()) return
    let permission = Notification.permission
    let enabled = !get().enabled
    if (permission === 'default') {
      permission = await Notification.requestPermission()
      enabled = permission === 'granted'
    }
    try {
      localStorage.setItem(PREF_KEY, enabled ? 'on' : 'off')
    } catch {
      // storage blocked: the choice lasts for this session
    }
    set({ permission, enabled })
  },
}))

/** Whether the user is looking at the window now. */
const looking = () => document.visibilityState === 'visible' && document.hasFocus()

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`
const clip = (text: string, max = 120) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** What the notification says: how the job went, then its prompt (and why it failed). */
export function notificationFor(job: Job): { title: string; body: string } {
  const saved = job.images.filter((i) => i.state === 'saved').length
  const prompt = job.prompt.trim() ? `“${clip(job.prompt.trim())}”` : 'No prompt'
  switch (job.status) {
    case 'completed':
      return { title: `${plural(saved, 'image')} ready`, body: prompt }
    case 'partial':
      return { title: `${saved} of ${plural(job.count, 'image')} ready`, body: `${prompt} — ${plural(job.count - saved, 'image')} did not make it.` }
    case 'cancelled':
      return { title: 'Job cancelled', body: prompt }
    default:
      return { title: 'Job failed', body: job.error ? `${prompt} — ${clip(job.error, 160)}` : prompt }
  }
}

/** Tells the system a job ended, when the user is not looking and allowed it; a click focuses the window on the job. */
export function notifyJobEnded(job: Job, show: () => void): void {
  if (!supported() || !useNotify.getState().enabled || Notification.permission !== 'granted' || looking()) return
  // A job cancelled from this window was ended by the user: nothing to tell.
  if (job.status === 'cancelled') return
  const { title, body } = notificationFor(job)
  try {
    const notification = new Notification(title, { body, tag: `atelier-job-${job.id}` })
    notification.onclick = () => {
      window.focus()
      show()
      notification.close()
    }
  } catch {
    // Some platforms only allow notifications from a service worker: the Jobs list still shows it.
  }
}
