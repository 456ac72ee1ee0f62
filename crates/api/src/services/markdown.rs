//! Markdown in, sanitized HTML out. Bodies are stored as written and rendered here with
//! pulldown-cmark, then cleaned by ammonia's allow-list: no script, no event handlers,
//! no `javascript:` URLs, no SVG or MathML.

use std::sync::OnceLock;

use pulldown_cmark::{Options, Parser, html};

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder.link_rel(Some("nofollow noopener noreferrer"));
        builder.url_schemes(["http", "https", "mailto"].into_iter().collect());
        builder
    })
}

/// Renders Markdown to safe HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    cleaner().clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html() {
        assert_eq!(render("We compare **soil** tests."), "<p>We compare <strong>soil</strong> tests.</p>\n");
    }

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let html = render("<script>alert(1)</script><img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        let link = render("[x](javascript:alert(1)) <a href=\"javascript:alert(2)\">y</a>");
        assert!(link.contains("<a"), "the link text survives: {link}");
        assert!(!link.contains("href=\"javascript:"), "{link}");
    }

    #[test]
    fn svg_and_mathml_are_removed() {
        let html = render("<svg><circle onload=alert(1) /></svg><math><mi>x</mi></math>");
        assert!(!html.contains("<svg"), "{html}");
        assert!(!html.contains("<math"), "{html}");
    }

    #[test]
    fn links_get_a_safe_rel() {
        assert!(render("[FAO](https://www.fao.org)").contains("rel=\"nofollow noopener noreferrer\""));
    }
}
