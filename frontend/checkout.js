// Checkout: when the country or the shipping method changes, the server prices the cart
// again (GET /checkout/quote) and the delivery choices and totals show its figures.
// Without scripts the form shows the default country's prices and the order is priced on
// submit.
import { createApp, h, reactive } from "vue";
import ShippingMethods from "./components/ShippingMethods.vue";
import { requestJson } from "./lib/shop.js";

function mount() {
  const fieldset = document.querySelector("[data-checkout-methods]");
  const form = fieldset && fieldset.closest("form");
  const country = form && form.querySelector('select[name="country"]');
  if (!fieldset || !country) return;
  const quoteUrl = fieldset.dataset.quoteUrl;
  const checked = fieldset.querySelector('input[name="shipping_method"]:checked');
  const quote = reactive({
    country_hint: (fieldset.querySelector(".methods-hint") || {}).textContent || "",
    methods: [...fieldset.querySelectorAll(".method-choice")].map((label) => ({
      code: label.querySelector("input").value,
      label: label.textContent.trim(),
    })),
    method: checked ? checked.value : null,
  });
  let asked = 0;

  async function requote() {
    if (!country.value) return;
    const ticket = ++asked;
    const params = { country: country.value, method: quote.method || "" };
    const discount = form.querySelector('input[name="discount_code"]');
    if (discount) params.discount_code = discount.value;
    const result = await requestJson(quoteUrl, { params });
    // An older answer arriving after a newer question is dropped.
    if (ticket !== asked || !result.ok || !result.data) return;
    Object.assign(quote, result.data);
    const totals = document.querySelector(".order-summary .totals");
    if (totals) totals.outerHTML = result.data.totals_html;
  }

  function choose(code) {
    quote.method = code;
    requote();
  }

  const holder = document.createElement("div");
  holder.className = "methods";
  fieldset.querySelectorAll(".methods-hint, .method-choice").forEach((element) => element.remove());
  fieldset.querySelector("legend").after(holder);
  createApp({ render: () => h(ShippingMethods, { quote, onChoose: choose }) }).mount(holder);
  country.addEventListener("change", requote);
  if (country.value) requote();
}

mount();
