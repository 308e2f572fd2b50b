// Loaded at the end of <body> from our own origin, so the CSP needs no inline script.
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
window.GOVUKFrontend.initAll();

// A radio that reveals a follow-up question (govuk.choices writes data-app-reveal): the
// question shows while the radio is chosen. Without scripts it is always shown.
document.querySelectorAll("input[type=radio][data-app-reveal]").forEach(function (radio) {
  var target = document.getElementById(radio.getAttribute("data-app-reveal"));
  var sync = function () {
    target.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
  };
  document.querySelectorAll('input[type=radio][name="' + radio.name + '"]').forEach(function (other) {
    other.addEventListener("change", sync);
  });
  sync();
});
