// Interlude service worker. Keeps the client's own tools and crisis help usable offline.
// Navigations: network first, then the saved copy. Static files: saved copy first.
// Nothing is ever sent anywhere but this server.
"use strict";
const VERSION = "{{ version }}";
const PAGES = "interlude-pages-" + VERSION;
const ASSETS = "interlude-assets-" + VERSION;
const OFFLINE_PAGES = {{ pages|safe }};
const OFFLINE_ASSETS = {{ assets|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    // One at a time, gently on a slow connection and on the server. A page the person cannot
    // open (for example, when signed out) is simply not saved, instead of failing the install.
    async function keep(cacheName, urls) {
      const cache = await caches.open(cacheName);
      for (const url of urls) {
        try {
          const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
          if (response.ok) await cache.put(url, response);
        } catch (e) { /* offline during install: saved on a later visit */ }
      }
    }
    await keep(ASSETS, OFFLINE_ASSETS);
    await keep(PAGES, OFFLINE_PAGES);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key !== PAGES && key !== ASSETS) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  // Sent when someone signs out or a sign-in page shows: forget saved pages on this device.
  if (event.data === "forget-pages") event.waitUntil(caches.delete(PAGES));
});

function isOfflinePage(url) {
  return url.origin === self.location.origin && OFFLINE_PAGES.includes(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return;

  if (request.mode === "navigate") {
    event.respondWith((async () => {
      try {
        const response = await fetch(request);
        if (response.ok && isOfflinePage(url) && !response.redirected) {
          const copy = response.clone();
          caches.open(PAGES).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      } catch (e) {
        const pages = await caches.open(PAGES);
        return (await pages.match(url.pathname)) || (await pages.match("/offline/")) ||
          new Response("You are offline.", { status: 503, headers: { "Content-Type": "text/plain" } });
      }
    })());
    return;
  }

  if (url.pathname.startsWith("/static/")) {
    event.respondWith((async () => {
      const cached = await caches.match(request);
      if (cached) return cached;
      const response = await fetch(request);
      if (response.ok) {
        const copy = response.clone();
        caches.open(ASSETS).then((cache) => cache.put(request, copy));
      }
      return response;
    })());
  }
});

// Reminders (web push): the server sends only {"title", "body", "url"}, the same bland sentence as
// the reminder email; nothing about the person. A tap opens Today (or the given page).
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  const title = data.title || "Interlude";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "You have something to do in Interlude today",
    icon: "{{ icon }}",
    data: { url: typeof data.url === "string" && data.url.startsWith("/") &&
      !data.url.startsWith("//") ? data.url : "/today/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/today/";
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: "window" })) {
      if (new URL(client.url).origin === self.location.origin && "focus" in client) {
        await client.navigate(url);
        return client.focus();
      }
    }
    return self.clients.openWindow(url);
  })());
});
