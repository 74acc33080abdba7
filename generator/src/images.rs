//! Local images: every `<img>` of a page whose file the site publishes gets the image's
//! `width` and `height` (read once per file from its header, [`ImageSizes::read`]), so
//! the page does not shift as images load; `decoding="async"`; and every image after
//! the page's first gets `loading="lazy"` (the first is likely on the first screen).
//! Attributes the writer set are kept. An image that is missing is the link checker's
//! error ([`crate::links`]), as before.
//!
//! Done on the page's HTML, raw `<img>` tags included, by an HTML rewrite (lol_html),
//! only for pages that have an `<img`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use lol_html::{RewriteStrSettings, element};
use rayon::prelude::*;

use crate::load::StaticFile;
use crate::urls;

/// Extensions read for a size (what `imagesize` reads; SVG has no fixed size).
const RASTER: [&str; 9] = [
    "png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "tiff",
];

/// Image URL → (width, height) in pixels.
#[derive(Debug, Clone, Default)]
pub struct ImageSizes(HashMap<String, (usize, usize)>);

impl ImageSizes {
    /// The sizes of the site's raster images (a file whose header cannot be read gets
    /// none and is left as written).
    pub fn read(files: &[StaticFile]) -> Self {
        Self(
            files
                .par_iter()
                .filter(|file| is_raster(&file.path))
                .filter_map(|file| {
                    let size = imagesize::size(&file.path).ok()?;
                    Some((file.url.clone(), (size.width, size.height)))
                })
                .collect(),
        )
    }

    pub fn get(&self, url: &str) -> Option<(usize, usize)> {
        self.0.get(url).copied()
    }
}

/// Whether the file at `path` is an image whose size is read (by its extension).
pub fn is_raster(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| RASTER.contains(&e.to_ascii_lowercase().as_str()))
}

/// `html` (the page at `page_url`) with its images sized; borrowed when it has none.
pub fn apply<'h>(html: &'h str, page_url: &str, sizes: &ImageSizes) -> Cow<'h, str> {
    if !html.contains("<img") {
        return Cow::Borrowed(html);
    }
    let mut seen = 0usize;
    let handler = element!("img[src]", |el| {
        seen += 1;
        if !el.has_attribute("decoding") {
            el.set_attribute("decoding", "async")?;
        }
        if seen > 1 && !el.has_attribute("loading") {
            el.set_attribute("loading", "lazy")?;
        }
        let src = el.get_attribute("src").unwrap_or_default();
        let (path, _) = urls::split_link(&src);
        if !urls::is_external(&src)
            && !el.has_attribute("width")
            && !el.has_attribute("height")
            && let Some((width, height)) =
                urls::resolve(page_url, path).and_then(|url| sizes.get(&url))
        {
            el.set_attribute("width", &width.to_string())?;
            el.set_attribute("height", &height.to_string())?;
        }
        Ok(())
    });
    let settings = RewriteStrSettings::new().append_element_content_handler(handler);
    match lol_html::rewrite_str(html, settings) {
        Ok(out) => Cow::Owned(out),
        // The HTML is ours (Markdown's output); a rewrite that fails leaves it as made.
        Err(_) => Cow::Borrowed(html),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes() -> ImageSizes {
        ImageSizes(HashMap::from([("/img/a.png".to_owned(), (640, 480))]))
    }

    #[test]
    fn local_images_get_their_size_and_all_but_the_first_load_lazily() {
        let html = "<p><img src=\"../img/a.png\" alt=\"A\"></p>\n<p><img src=\"/img/a.png\" alt=\"B\"><img src=\"https://x.org/b.png\" alt=\"C\"></p>";
        let out = apply(html, "/guide/", &sizes());
        assert_eq!(
            out,
            "<p><img src=\"../img/a.png\" alt=\"A\" decoding=\"async\" width=\"640\" height=\"480\"></p>\n\
             <p><img src=\"/img/a.png\" alt=\"B\" decoding=\"async\" loading=\"lazy\" width=\"640\" height=\"480\">\
             <img src=\"https://x.org/b.png\" alt=\"C\" decoding=\"async\" loading=\"lazy\"></p>"
        );
    }

    #[test]
    fn what_the_writer_set_is_kept_and_pages_without_images_are_untouched() {
        let html = "<img src=\"/img/a.png\" width=\"100\" loading=\"eager\" decoding=\"sync\">";
        assert_eq!(apply(html, "/", &sizes()), html);
        assert!(matches!(
            apply("<p>No image.</p>", "/", &sizes()),
            Cow::Borrowed(_)
        ));
    }
}
