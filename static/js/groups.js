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

// Group form, schedule builder: show the weekly or the monthly choices for the chosen
// "Repeats" (both stay visible without scripts; the server ignores the other ones).
(() => {
  const sync = () => {
    const chosen = document.querySelector('#schedule-builder input[name="repeat"]:checked');
    if (!chosen) return;
    document.querySelectorAll("#schedule-builder [data-repeat]").forEach((part) => {
      part.hidden = part.dataset.repeat !== chosen.value;
    });
  };
  document.addEventListener("change", (event) => {
    if (event.target && event.target.name === "repeat") sync();
  });
  document.addEventListener("DOMContentLoaded", sync);
  if (document.readyState !== "loading") sync();
})();
