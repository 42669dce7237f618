// The product page's variant picker, mounted on the add-to-cart form. Without scripts the
// form's plain <select> (preselected from ?variant=) does the same job.
import { createApp, h } from "vue";
import VariantPicker from "./components/VariantPicker.vue";
import { pageData } from "./lib/shop.js";

function showPrice(target, variant) {
  if (!target || !variant) return;
  const parts = [];
  if (variant.was) {
    const was = document.createElement("s");
    was.className = "was-price";
    was.textContent = variant.was;
    parts.push(was, " ");
  }
  parts.push(variant.price);
  target.replaceChildren(...parts);
}

function showImage(variant) {
  const image = document.querySelector(".product-detail .gallery img");
  if (!image || !variant || !variant.image) return;
  image.src = variant.image.src;
  image.alt = variant.image.alt;
}

function rememberInUrl(variant) {
  const url = new URL(window.location.href);
  if (variant) url.searchParams.set("variant", String(variant.id));
  else url.searchParams.delete("variant");
  window.history.replaceState(window.history.state, "", url);
}

function mount() {
  const root = document.querySelector("[data-variant-picker]");
  const data = pageData("variant-data");
  const form = root && root.closest("form");
  if (!root || !data || !form || !data.options.length) return;
  const select = form.querySelector('select[name="variant_id"]');
  const submit = form.querySelector('button[type="submit"]');
  const price = document.querySelector(".product-detail .info > .price");
  let first = true;

  function onChange(variant) {
    if (select && variant) select.value = String(variant.id);
    if (submit) submit.disabled = !variant || !variant.available;
    showPrice(price, variant);
    showImage(variant);
    // The page as loaded keeps its URL; a choice the customer makes is shareable.
    if (!first) rememberInUrl(variant);
    first = false;
  }

  createApp({ render: () => h(VariantPicker, { data, onChange }) }).mount(root);
  root.hidden = false;
  const label = select && select.closest("label");
  if (label) label.hidden = true;
}

mount();
