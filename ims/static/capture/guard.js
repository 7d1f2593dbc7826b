// Warns before signing out while this browser holds captured work the server does not have yet. Loaded on every
// page by the base template (its script element carries the user and the warning).

import * as CaptureStore from "./store.js";

const script = document.getElementById("capture-guard");
const userId = script && script.dataset.user;
const message = (script && script.dataset.warning) || "";

async function unsent() {
  if (!(await CaptureStore.exists(userId))) {
    return 0;
  }
  const store = await CaptureStore.open(userId);
  return CaptureStore.unsentCount(store);
}

if (userId && window.indexedDB) {
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
}
