// peerportal support groups.
// * My bookings: the private calendar link is selected as a whole when focused, ready to copy.
// * Roster: after an attendance button swaps its row (HTMX), focus stays on the chosen
//   button so keyboard and screen-reader users keep their place.
(() => {
  document.addEventListener("focusin", (event) => {
    const field = event.target;
    if (field && field.matches && field.matches("input[data-select-on-focus]")) field.select();
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const row = event.target;
    if (!row || !row.id || !row.id.startsWith("attendance-")) return;
    const pressed = document.querySelector(`#${row.id} button[aria-pressed="true"]`);
    if (pressed) pressed.focus();
  });
})();
