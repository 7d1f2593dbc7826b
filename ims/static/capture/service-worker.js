// Service worker of the offline capture app. Registered with scope "/" so it covers the capture pages
// under every language prefix; it answers only capture pages and static files, and only from the
// cache the capture page filled (plus what it fetched since), so the rest of the site is untouched.
"use strict";

const CACHE_NAME = "ims-capture-v1";
const STATIC_URL = __STATIC_URL__;
const CAPTURE_PAGE = /^\/[a-z]{2}(?:-[a-z]+)?\/capture\//i;
const NETWORK_TIMEOUT_MS = 6000;
// In production a static file's name carries a hash of its content (app.3f2a1b9c8d7e.js): it never changes.
const HASHED_NAME = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function withTimeout(promise, milliseconds) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), milliseconds);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// Capture pages: the network first (the server's page is fresher), the cache when it fails or stalls.
async function capturePage(request) {
  const cache = await caches.open(CACHE_NAME);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.ok && response.type === "basic") {
      await cache.put(request.url, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request.url, { ignoreSearch: true });
    if (cached) {
      return cached;
    }
    throw error;
  }
}

// Static files: from the cache when there, else from the network. A cached file whose name has no hash is
// refreshed in the background; one with a hash is not asked for again, so reopening the screen on a slow
// network waits only for the page itself.
async function staticFile(event) {
  const cache = await caches.open(CACHE_NAME);
  const cached = await cache.match(event.request);
  if (cached && HASHED_NAME.test(new URL(event.request.url).pathname)) {
    return cached;
  }
  const refresh = fetch(event.request).then((response) => {
    if (response.ok) {
      cache.put(event.request, response.clone());
    }
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => undefined));
    return cached;
  }
  return refresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && CAPTURE_PAGE.test(url.pathname)) {
    event.respondWith(capturePage(request));
  } else if (url.pathname.startsWith(STATIC_URL)) {
    event.respondWith(staticFile(event));
  }
});
