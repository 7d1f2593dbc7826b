// Warns before signing out while this tablet holds captured work the server does not have yet.
// Loaded by the capture screen, and meant for every page (the script tag carries data-user).
"use strict";

(function () {
  if (window.imsCaptureGuard || !window.indexedDB || !window.CaptureStore) {
    return;
  }
  window.imsCaptureGuard = true;
  const script = document.currentScript;
  const userId = script && script.dataset.user;
  const message = (script && script.dataset.warning) || "";
  if (!userId) {
    return;
  }

  async function unsent() {
    if (!(await CaptureStore.exists(userId))) {
      return 0;
    }
    const store = await CaptureStore.open(userId);
    return CaptureStore.unsentCount(store);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches || !form.matches('form[action*="/accounts/logout/"]') || form.dataset.unsentChecked) {
      return;
    }
    event.preventDefault();
    unsent()
      .catch(() => 0)
      .then((count) => {
        if (count && !window.confirm(message.replace("%(count)s", count))) {
          return;
        }
        form.dataset.unsentChecked = "true";
        form.submit();
      });
  });
})();
