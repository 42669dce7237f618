// The back office's click handlers. Flask-Admin writes them as inline onclick attributes,
// which the back office's Content-Security-Policy refuses; the overridden templates in
// templates/admin/ carry data- attributes instead, bound here by delegation.
(function () {
  "use strict";

  // "javascript:void(0)" links only host handlers; followed, they are a CSP violation. In the
  // capture phase, because Flask-Admin's dropdown code stops the click from bubbling.
  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("a[href^='javascript:']")) {
      event.preventDefault();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var action = target.closest("[data-admin-action]");
    if (action) {
      event.preventDefault();
      window.modelActions.execute(action.getAttribute("data-admin-action"));
      return;
    }
    var add = target.closest("[data-admin-add-inline]");
    if (add) {
      event.preventDefault();
      window.faForm.addInlineField(add, add.getAttribute("data-admin-add-inline"));
      return;
    }
    var confirmed = target.closest("[data-admin-confirm]");
    if (confirmed && !window.faHelpers.safeConfirm(confirmed.getAttribute("data-admin-confirm"))) {
      event.preventDefault();
    }
  });
})();
