import type { Redis } from "ioredis";
import type { RedisKeys, RepoScope } from "../store/redis-keys.js";
import type { CheckJob } from "./check-job.js";

/**
 * The pickup of a SHA for evaluation, in one step: its in-flight entry (the reconciler's work
 * list) goes in and it leaves the branch's pending set. Unless the job is a Re-run, it first
 * looks for another evaluation of the same repository and SHA already in flight (another
 * delivery: a push and GitHub's check_suite.requested for it, a hand-over, the same commit
 * pushed to two branches) and, if there is one, picks up nothing: that evaluation writes the
 * SHA's run. Two at once each concluded the run (the soak saw 1 SHA in 6,000 completed twice,
 * 288 ms apart). A retry of the same job (same delivery) is not "another": its own entry from a
 * crashed attempt must not keep it from running. The in-flight set holds one entry per running
 * evaluation plus entries of crashed ones until their deadline, across every installation, so
 * the scan is short, and only entries whose text holds the SHA are decoded (it runs on Redis's
 * one thread, at every pickup).
 */
const PICK_UP = `
if ARGV[5] == "1" then
  for _, m in ipairs(redis.call("ZRANGE", KEYS[1], 0, -1)) do
    if string.find(m, ARGV[3], 1, true) then
      local ok, e = pcall(cjson.decode, m)
      if ok and type(e) == "table" and e.sha == ARGV[3] and type(e.job) == "table" and e.job.repoId == tonumber(ARGV[4]) and e.job.deliveryId ~= ARGV[6] then
        return 0
      end
    end
  end
end
redis.call("ZADD", KEYS[1], ARGV[1], ARGV[2])
if #KEYS == 3 then
  redis.call("ZREM", KEYS[2], ARGV[3])
  redis.call("HDEL", KEYS[3], ARGV[3])
end
return 1
`;

/** True when this job now holds the SHA's evaluation; false when another evaluation of it is in flight. */
export async function pickUpForEvaluation(redis: Redis, keys: RedisKeys, scope: RepoScope, job: CheckJob, sha: string, deadline: number, member: string): Promise<boolean> {
  const pending = job.branch ? [keys.pendingShas(scope, job.branch), keys.pendingJobs(scope, job.branch)] : [];
  const picked = await redis.eval(PICK_UP, 1 + pending.length, keys.inflight(), ...pending, deadline, member, sha, String(job.repoId), job.rerun ? "0" : "1", job.deliveryId);
  return picked === 1;
}
