// What every page does once its script runs; without it the page still works (the menu stays open, forms
// submit at once, lists are plain selects). Words come from the page (data attributes), in its language.

// The main menu folds behind a button on phones (the stylesheet hides it below 640 px while collapsed).
function foldMenu() {
  const toggle = document.querySelector(".menu-toggle");
  if (!toggle) return;
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
  });
}

// A form marked data-confirm asks first, in a dialog saying what cannot be undone.
function confirmIrreversible() {
  const dialog = document.getElementById("confirm-dialog");
  if (!dialog) return;
  const message = dialog.querySelector(".confirm-message");
  const proceed = dialog.querySelector(".confirm-proceed");
  let pending = null;
  let submitter = null;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.dataset.confirm || form === pending) return;
    event.preventDefault();
    pending = form;
    submitter = event.submitter;
    message.textContent = form.dataset.confirm;
    proceed.textContent = event.submitter ? event.submitter.textContent.trim() : proceed.dataset.label;
    dialog.showModal();
  });
  dialog.addEventListener("close", () => {
    const form = pending;
    if (dialog.returnValue === "proceed" && form) form.requestSubmit(submitter);
    else pending = null;
  });
}

// A long list (a factory among dozens) gets a search box above it that narrows the choices as one types.
const LONG_LIST = 15;
function searchablePickers() {
  const words = document.body.dataset.searchLabel;
  for (const select of document.querySelectorAll("select:not([multiple])")) {
    if (select.options.length <= LONG_LIST) continue;
    const search = document.createElement("input");
    search.type = "search";
    search.className = "picker-search";
    search.setAttribute("aria-label", `${words}: ${select.labels[0]?.textContent.trim() ?? ""}`);
    search.placeholder = words;
    select.before(search);
    search.addEventListener("input", () => {
      const wanted = search.value.trim().toLocaleLowerCase();
      let first = null;
      for (const option of select.options) {
        const shown = !wanted || option.textContent.toLocaleLowerCase().includes(wanted);
        option.hidden = !shown;
        if (shown && option.value && !first) first = option;
      }
      if (first && select.selectedOptions[0]?.hidden !== false) select.value = first.value;
    });
  }
}

foldMenu();
confirmIrreversible();
searchablePickers();
