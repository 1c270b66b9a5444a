/** Public surface of the GitHub fake used by Plumbline's tests. */
export { createFakeGitHub, FakeGitHub, type FakeGitHubOptions, type PushInput, type PushResult } from "./fake-github.js";
export type { EventBuilders } from "./event-builders.js";
export type { CheckRunSnapshot } from "./check-run-snapshot.js";
export type { CommitAuthor, CommitInput } from "./control-repos.js";
export type { MergeGroup, OpenPullInput, PullChanges } from "./control-pulls.js";
export type { Limits, AppIdentity } from "./core.js";
export type { FaultHandle, FaultSpec } from "./faults.js";
export type { RecordedRequest, UnexpectedRequest } from "./server.js";
export type { DeliverOptions, DeliverResult, DeliveryRecord } from "./webhooks.js";
export type { SenderInput } from "./payload-common.js";
export type { DeploymentRequestInput } from "./payloads-app.js";
export type { PushEventInput } from "./payloads-code.js";
export type { FileSpec } from "./write-commit.js";
export type { Annotation, DeploymentAnswer } from "./state.js";
export { ZERO_SHA } from "./git-store.js";
export { sign as signWebhookBody } from "./webhooks.js";
