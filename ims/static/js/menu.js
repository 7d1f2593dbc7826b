// The main menu folds behind a button on phones (the stylesheet hides it below 640 px while collapsed).
const toggle = document.querySelector(".menu-toggle");
if (toggle) {
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
  });
}
