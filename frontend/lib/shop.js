// Helpers the islands share: page data, requests to the shop, and the header's cart count.

/** The JSON a template put in <script type="application/json" id="...">, or null. */
export function pageData(id) {
  const block = document.getElementById(id);
  return block ? JSON.parse(block.textContent) : null;
}

/** The page's CSRF token (every page has a form carrying one). */
export function csrfToken(root = document) {
  const input = root.querySelector('input[name="csrf_token"]') ||
    document.querySelector('input[name="csrf_token"]');
  return input ? input.value : "";
}

/**
 * Ask the shop for JSON: `{ ok, status, data }`. A GET with `params`, or a POST of `form`
 * (FormData, the CSRF token included). A network failure answers with ok false and no data.
 */
export async function requestJson(url, { form = null, params = null } = {}) {
  const target = params ? `${url}?${new URLSearchParams(params)}` : url;
  const options = { headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (form) {
    if (!form.has("csrf_token")) form.append("csrf_token", csrfToken());
    options.method = "POST";
    options.body = form;
    options.headers["X-CSRFToken"] = form.get("csrf_token");
  }
  let response;
  try {
    response = await fetch(target, options);
  } catch {
    return { ok: false, status: 0, data: null };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

/** The message to show for a refused request. */
export function errorMessage(result, fallback) {
  const data = result.data || {};
  return data.error || data.message || fallback;
}

/** Show the cart's item count in the header and announce `message` to screen readers. */
export function showCartCount(count, message) {
  const link = document.querySelector(".cart-link");
  if (link) {
    let badge = link.querySelector(".badge");
    if (!badge && count > 0) {
      badge = document.createElement("span");
      badge.className = "badge";
      link.append(" ", badge);
    }
    if (badge) {
      badge.textContent = String(count);
      badge.hidden = count <= 0;
    }
  }
  const live = document.querySelector("[data-cart-announce]");
  if (live && message) {
    // Emptied first so the same sentence twice is announced twice.
    live.textContent = "";
    window.setTimeout(() => { live.textContent = message; }, 50);
  }
}
