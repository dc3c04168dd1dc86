// peerportal drop-in: the visit counter. Keeps focus on the tapped button after an HTMX
// swap, and prevents an accidental double tap from counting twice (one tap per visitor).
(() => {
  document.addEventListener("htmx:beforeRequest", (event) => {
    const button = event.target.querySelector && event.target.querySelector("button.dropin-tap");
    if (button) button.disabled = true;
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const button = event.target.querySelector && event.target.querySelector("button.dropin-tap");
    if (button) {
      button.disabled = false;
      button.focus();
    }
  });
})();
