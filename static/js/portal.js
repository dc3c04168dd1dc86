// peerportal: behaviour lives here, never inline (Content-Security-Policy forbids inline scripts).
(() => {
  // Language selector: submit on change (a button is offered when scripts are off).
  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]")) el.form.submit();
  });
  // Confirm destructive actions: <form data-confirm="Are you sure?">. Delegated, so it
  // also covers forms that arrive in HTMX fragments. (HTMX forms use hx-confirm.)
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );
  // Print buttons: <button data-print> (a certificate of attendance prints from the browser).
  document.addEventListener("click", (event) => {
    const el = event.target.closest && event.target.closest("[data-print]");
    if (el) window.print();
  });
})();
