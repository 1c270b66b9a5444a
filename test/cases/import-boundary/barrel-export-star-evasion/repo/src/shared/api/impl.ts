export { GitHubClient as Client } from "../../github/client";
