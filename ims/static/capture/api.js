// The capture API over fetch: JSON bodies gzipped when worth it, the session's CSRF token, errors as ApiError.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function jsonBody(value) {
  // Compressed when the browser can (the server unpacks Content-Encoding: gzip): notes in Khmer and Chinese
  // take three bytes a character, and a whole checklist of answers shrinks several times.
  const text = JSON.stringify(value);
  if (!window.CompressionStream || text.length < 1024) {
    return { body: text, headers: { "Content-Type": "application/json" } };
  }
  const compressed = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return {
    body: await new Response(compressed).blob(),
    headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
  };
}

export async function api(method, url, body, headers = {}) {
  const json = body !== undefined && !(body instanceof Blob) ? await jsonBody(body) : null;
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      // The API's messages in the page's language, not the account's or the language cookie's.
      "Accept-Language": document.documentElement.lang || "en",
      "X-CSRFToken": csrfToken(),
      ...(json ? json.headers : {}),
      ...headers,
    },
    body: json ? json.body : body,
  });
  if (response.status === 304) {
    return null; // unchanged since the copy the caller named with If-None-Match
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, data);
  }
  data.etag = response.headers.get("ETag");
  return data;
}

export function describeError(error, strings) {
  if (error instanceof ApiError) {
    return error.status === 401 || error.status === 403 ? strings.signedOut : error.message;
  }
  return strings.noConnection;
}
