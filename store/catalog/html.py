"""Product descriptions: Markdown or a little HTML in, safe HTML out (one allow-list)."""

import markdown as md
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "h3", "h4",
                "blockquote", "a", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def sanitize_description(text: str) -> str:
    """Turn a description (Markdown or a small subset of HTML) into safe HTML."""
    text = (text or "").strip()
    if not text:
        return ""
    # Markdown passes HTML through untouched, so both inputs end up here; nh3 then drops
    # anything outside the allow-list (scripts, event handlers, javascript: links).
    html = md.markdown(text, output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener nofollow")
