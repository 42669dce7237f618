// Search suggestions as you type in the header's search box. Without scripts the box is a
// plain search form.
import { createApp, h } from "vue";
import SearchSuggestions from "./components/SearchSuggestions.vue";

function mount() {
  const form = document.querySelector("form.search[data-search-suggest]");
  const input = form && form.querySelector('input[name="q"]');
  if (!input) return;
  const labels = JSON.parse(form.dataset.labels || "{}");
  const holder = document.createElement("div");
  holder.className = "search-suggest-holder";
  form.append(holder);
  createApp({ render: () => h(SearchSuggestions, { input, url: form.dataset.searchSuggest, labels }) })
    .mount(holder);
}

mount();
