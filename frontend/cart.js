// The cart page: quantity changes and removal without a reload. The server answers each
// change with the whole cart priced again; the lines, totals, header count and checkout
// button are printed from it. Without scripts each form posts and the page reloads.
import { createApp, h, reactive } from "vue";
import CartLines from "./components/CartLines.vue";
import { errorMessage, pageData, requestJson, showCartCount } from "./lib/shop.js";

function showTotals(html) {
  const totals = document.querySelector("main .totals");
  if (totals && html) totals.outerHTML = html;
}

function showActions(actions, state) {
  if (!actions) return;
  const checkout = actions.querySelector(".button.primary");
  let notice = actions.querySelector(".notice");
  if (state.problems && !notice) {
    notice = document.createElement("span");
    notice.className = "notice";
    notice.textContent = state.labels.fix;
    actions.append(notice);
  }
  if (notice) notice.hidden = !state.problems;
  if (checkout) checkout.hidden = state.problems;
}

function showEmpty(table, state) {
  const main = table.closest("main");
  main.querySelectorAll(".cart-lines, .discount-form, .totals, .hint, .cart-actions")
    .forEach((element) => { element.hidden = true; });
  const empty = document.createElement("div");
  empty.className = "empty";
  const text = document.createElement("p");
  text.textContent = state.empty_state.text;
  const link = document.createElement("a");
  link.className = "button";
  link.href = state.empty_state.url;
  link.textContent = state.empty_state.link;
  const linkLine = document.createElement("p");
  linkLine.append(link);
  empty.append(text, linkLine);
  table.before(empty);
}

function mount() {
  const table = document.querySelector("[data-cart-lines]");
  const data = pageData("cart-data");
  if (!table || !data) return;
  const state = reactive(data);
  const actions = document.querySelector("[data-cart-actions]");

  async function change(line, quantity, done) {
    const form = new FormData();
    form.append("quantity", quantity);
    const result = await requestJson(line.update_url, { form });
    if (!result.ok || !result.data) {
      done(errorMessage(result, state.labels.failed || "Error"));
      return;
    }
    const { labels } = state;
    Object.assign(state, result.data, { labels });
    showCartCount(result.data.count, result.data.message);
    showTotals(result.data.totals_html);
    showActions(actions, state);
    if (result.data.empty) showEmpty(table, state);
    done(null);
  }

  table.replaceChildren();
  createApp({ render: () => h(CartLines, { state, onChange: change }) }).mount(table);
}

mount();
