// peerportal support groups.
// * "Copy" next to the private calendar link (My bookings).
// * Roster: after an attendance button swaps its row (HTMX), focus stays on the chosen
//   button so keyboard and screen-reader users keep their place.
(() => {
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button[data-copy-target]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copyTarget);
    const status = document.getElementById(button.dataset.copyStatus || "");
    if (!field) return;
    const done = () => {
      if (status) status.textContent = button.dataset.copiedText || "";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, () => field.select());
    } else {
      field.select();
      done();
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const row = event.target;
    if (!row || !row.id || !row.id.startsWith("attendance-")) return;
    const pressed = document.querySelector(`#${row.id} button[aria-pressed="true"]`);
    if (pressed) pressed.focus();
  });
})();
