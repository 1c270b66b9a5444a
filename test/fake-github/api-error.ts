/** GitHub's error bodies: `{message, documentation_url}`, plus `errors[]` on validation failures. */
export const DOCS = "https://docs.github.com/rest";

export interface ValidationError {
  resource: string;
  code: "missing" | "missing_field" | "invalid" | "already_exists" | "unprocessable" | "custom" | "too_large";
  field?: string;
  message?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { errors?: ValidationError[]; documentation_url?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
      documentation_url: this.extra.documentation_url ?? DOCS,
      status: String(this.status),
    };
  }
}

export const notFound = (message = "Not Found"): ApiError => new ApiError(404, message);

export const badCredentials = (): ApiError => new ApiError(401, "Bad credentials");

/** The json-schema style 422 the Checks and Actions endpoints answer with. */
export const invalidRequest = (detail: string): ApiError => new ApiError(422, `Invalid request.\n\n${detail}`);

/** The resource-style 422 (`Validation Failed` + `errors[]`) of issues, pulls, refs. */
export const validationFailed = (errors: ValidationError[]): ApiError =>
  new ApiError(422, "Validation Failed", { errors });

export const noCommitForSha = (sha: string): ApiError => new ApiError(422, `No commit found for SHA: ${sha}`);
