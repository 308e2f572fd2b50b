// Loaded at the end of <body> from our own origin, so the CSP needs no inline script.
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
window.GOVUKFrontend.initAll();
