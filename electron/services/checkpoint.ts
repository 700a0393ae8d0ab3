// Named points in a generation's path where the crash tests stop the process (the harness's --crash-at), to
// prove a restart from each of them ends with every image once. The app passes none: each is a no-op there.
export const CRASH_POINTS = [
  'job-journaled', // the job and its enqueues are in the journal; nothing sent yet
  'enqueue-answered', // Oxen accepted an enqueue; its generation ids are not journaled yet
  'image-renamed', // an image file is in images/, not yet in the index
  'push-file-staged', // a push staged one more file in its workspace and journaled it; not committed yet
] as const
export type CrashPoint = (typeof CRASH_POINTS)[number]
export type Checkpoint = (point: CrashPoint) => void
