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

  // A bulk action's confirmation names the rows it applies to (e.g. the order numbers), when
  // the list marks them with data-row-label; otherwise Flask-Admin's own dialog runs.
  var MAX_NAMED = 20;

  function rowLabels(boxes) {
    var labels = [];
    boxes.forEach(function (box) {
      var row = box.closest("tr");
      var label = row && row.querySelector("[data-row-label]");
      if (label) {
        labels.push(label.getAttribute("data-row-label"));
      }
    });
    return labels;
  }

  function runAction(name) {
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll("input.action-checkbox:checked"));
    var data = document.getElementById("actions-confirmation-data");
    var message = data ? JSON.parse(data.textContent)[name] : null;
    var labels = rowLabels(boxes);
    if (!boxes.length || !message || labels.length !== boxes.length) {
      window.modelActions.execute(name);
      return;
    }
    var named = labels.slice(0, MAX_NAMED).join(", ");
    if (labels.length > MAX_NAMED) {
      named += " (+" + (labels.length - MAX_NAMED) + ")";
    }
    if (!window.faHelpers.safeConfirm(message + "\n\n" + labels.length + ": " + named)) {
      return;
    }
    var form = document.getElementById("action_form");
    form.querySelector("[name='action']").value = name;
    form.querySelectorAll("input.action-checkbox").forEach(function (box) { box.remove(); });
    boxes.forEach(function (box) { form.appendChild(box.cloneNode(true)); });
    form.submit();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var action = target.closest("[data-admin-action]");
    if (action) {
      event.preventDefault();
      runAction(action.getAttribute("data-admin-action"));
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
