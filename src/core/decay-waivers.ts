import { pointOf, type DecayContext } from "./decay-context.js";
import type { WaiverRecord } from "./decay-record.js";
import type { WaiverRotSignal } from "./decay-signal.js";
import { waiverRotMessage } from "./messages/decay.js";

const same = (a: WaiverRecord, b: WaiverRecord) => a.invariant === b.invariant && a.path === b.path;

/**
 * Waiver rot, read from the latest default-branch evaluation (waivers live in the default
 * branch's policy): expired, orphaned (its glob matches no file: the path is gone) or unneeded
 * (it matches files but no finding: the violation no longer occurs). firstSeen is the first
 * record of the unbroken run in which the waiver had that same state.
 */
export function detectWaiverRot(ctx: DecayContext): WaiverRotSignal[] {
  const latest = ctx.defaults.at(-1);
  if (!latest) return [];
  const out: WaiverRotSignal[] = [];
  for (const w of latest.waivers) {
    if (w.state === "active") continue;
    const state = w.state;
    let first = latest;
    for (let i = ctx.defaults.length - 2; i >= 0; i--) {
      const r = ctx.defaults[i]!;
      if (!r.waivers.some((x) => same(x, w) && x.state === state)) break;
      first = r;
    }
    out.push({
      type: "waiver-rot",
      invariant: w.invariant,
      branch: latest.branch,
      firstSeen: first.at,
      evidence: {
        message: waiverRotMessage({ invariant: w.invariant, path: w.path, state, expires: w.expires }),
        data: { path: w.path, state, expires: w.expires, latest: pointOf(latest) },
      },
    });
  }
  return out;
}
