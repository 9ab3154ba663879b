// "Turn on notifications on this phone": asks the browser for permission, subscribes through the
// service worker with the server's VAPID key, and registers the subscription with Interlude.
(function () {
  "use strict";
  var button = document.getElementById("push-subscribe");
  var status = document.getElementById("push-status");
  if (!button) return;
  function say(text) { if (status) status.textContent = text; }
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    say("This browser cannot show notifications from Interlude. Reminders will come by email.");
    return;
  }
  button.addEventListener("click", function () {
    say("Asking your phone…");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        throw new Error("You did not allow notifications. You can change this in your browser's settings.");
      }
      return navigator.serviceWorker.register("/sw.js", { scope: "/" })
        .then(function () { return navigator.serviceWorker.ready; });
    }).then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(button.dataset.key),
      });
    }).then(function (subscription) {
      var json = subscription.toJSON();
      return fetch(button.dataset.url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ endpoint: json.endpoint, keys: json.keys }),
      });
    }).then(function (response) {
      if (!response.ok) throw new Error("Interlude could not turn on notifications. Please try again later.");
      say("Notifications are on for this phone. Choose \u201cNotifications on your phone\u201d above and save.");
    }).catch(function (error) {
      say(error && error.message ? error.message : "Notifications could not be turned on.");
    });
  });
})();
