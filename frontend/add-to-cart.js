// Add to cart without leaving the page: the form is posted with fetch asking for JSON, the
// header's count follows, and a confirmation links to the cart and checkout. A refusal (out
// of stock, too many) is shown next to the button. Without scripts the form posts as usual.
import { createApp, h } from "vue";
import CartConfirmation from "./components/CartConfirmation.vue";
import { errorMessage, requestJson, showCartCount } from "./lib/shop.js";

function errorBox(form) {
  let box = form.querySelector(".add-to-cart-error");
  if (!box) {
    box = document.createElement("p");
    box.className = "error add-to-cart-error";
    box.setAttribute("role", "alert");
    box.hidden = true;
    form.append(box);
  }
  return box;
}

function enhance(form) {
  const labels = JSON.parse(form.dataset.labels || "{}");
  const holder = document.createElement("div");
  form.after(holder);
  let app = null;

  function close() {
    if (app) app.unmount();
    app = null;
    const button = form.querySelector('button[type="submit"]');
    if (button) button.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    const box = errorBox(form);
    box.hidden = true;
    button.disabled = true;
    const result = await requestJson(form.action, { form: new FormData(form) });
    button.disabled = false;
    if (!result.ok || !result.data) {
      box.textContent = errorMessage(result, labels.failed || "Error");
      box.hidden = false;
      return;
    }
    showCartCount(result.data.count, result.data.message);
    if (app) app.unmount();
    app = createApp({ render: () => h(CartConfirmation, { cart: result.data, labels, onClose: close }) });
    app.mount(holder);
  });
}

document.querySelectorAll("form.add-to-cart").forEach(enhance);
