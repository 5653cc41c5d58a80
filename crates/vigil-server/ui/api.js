// The review API (docs/review.md), called with the reviewer's key.

/** An error answer of the API: its status, stable `kind` and message. */
export class ApiError extends Error {
  constructor(status, kind, message) {
    super(message);
    this.status = status;
    this.kind = kind;
  }
}

/** The review endpoints, each carrying `Authorization: Bearer KEY`. */
export class Api {
  constructor(key) {
    this.key = key;
  }

  /** Sends one request; resolves to the JSON body, or null for 204. */
  async call(method, path, body) {
    const init = { method, headers: { Authorization: `Bearer ${this.key}` } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 204) return null;
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      const error = json && json.error ? json.error : {};
      throw new ApiError(
        response.status,
        error.kind || `http_${response.status}`,
        error.message || `the server answered ${response.status}`,
      );
    }
    return json;
  }

  queue() {
    return this.call("GET", "/v1/review/queue");
  }

  /** The next item for this reviewer, claimed; null when none is left. */
  claimNext() {
    return this.call("POST", "/v1/review/claim");
  }

  claim(id) {
    return this.call("POST", `/v1/review/items/${encodeURIComponent(id)}/claim`);
  }

  verdict(id, verdict, outcome) {
    const body = outcome ? { verdict, outcome } : { verdict };
    return this.call("POST", `/v1/review/items/${encodeURIComponent(id)}/verdict`, body);
  }

  release(id) {
    return this.call("POST", `/v1/review/items/${encodeURIComponent(id)}/release`);
  }
}
