import { Router } from "./router.js";
import { addAppRoutes } from "./routes-app.js";
import { addCheckRoutes } from "./routes-checks.js";
import { addCommitRoutes } from "./routes-commits.js";
import { addDeliveryRoutes } from "./routes-deliveries.js";
import { addDeploymentRoutes } from "./routes-deployments.js";
import { addGitRoutes } from "./routes-git.js";
import { addIssueRoutes } from "./routes-issues.js";
import { addPullRoutes } from "./routes-pulls.js";
import { addRepoRoutes } from "./routes-repo.js";

/** Every endpoint the fake serves; anything else is a 404 recorded as unexpected. */
export function buildRouter(): Router {
  const router = new Router();
  addAppRoutes(router);
  addDeliveryRoutes(router);
  // Check routes first: `/commits/*ref/check-runs` must win over `/commits/*ref`.
  addCheckRoutes(router);
  addCommitRoutes(router);
  addRepoRoutes(router);
  addGitRoutes(router);
  addPullRoutes(router);
  addIssueRoutes(router);
  addDeploymentRoutes(router);
  return router;
}
