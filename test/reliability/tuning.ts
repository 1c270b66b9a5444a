/**
 * Heavy parameters of the reliability suite, tunable from the environment. The defaults keep
 * the whole suite to a few minutes on a 2-CPU machine; CI or a soak run can raise them.
 */
const int = (name: string, fallback: number, min = 1): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${raw}`);
  return n;
};

export const tuning = {
  /** SIGKILLs of worker processes in the crash test (the issue asks for 100). */
  kills: int("RELIABILITY_KILLS", 100, 1),
  /** Worker processes alive at once in the crash test. */
  crashWorkers: int("RELIABILITY_CRASH_WORKERS", 3),
  /** Branches pushed to concurrently in the crash test. */
  crashBranches: int("RELIABILITY_CRASH_BRANCHES", 4),
  /** Concurrent deliveries of one delivery id. */
  flood: int("RELIABILITY_FLOOD", 100),
  /** Body size of the oversized-webhook tests, in MiB (must exceed 25). */
  bigBodyMiB: int("RELIABILITY_BIG_BODY_MIB", 40, 26),
  /** Pushes accepted around the Redis SIGKILL in the AOF test. */
  aofPushes: int("RELIABILITY_AOF_PUSHES", 90),
};
