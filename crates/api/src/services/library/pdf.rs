//! PDF previews: a PNG thumbnail of a PDF's first page, rendered in pure Rust by
//! `hayro` (no C libraries, no fonts or data fetched at run time: the substitutes for
//! the 14 standard fonts are compiled in). The page's declared size is checked
//! before anything is rasterized, and the renderer runs under `catch_unwind`, so a
//! broken or hostile file yields an `Err` rather than a panic.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use flate2::read::{DeflateDecoder, ZlibDecoder};

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_syntax::object::dict::keys::{HEIGHT, SUBTYPE, WIDTH};
use hayro::hayro_syntax::object::{Name, Object};
use hayro::hayro_syntax::{Filter, LoadPdfError, Pdf};
use hayro::kurbo::Affine;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::peniko::ImageAlphaType;
use hayro::vello_cpu::{Pixmap, RasterizerSettings, RenderContext, Resources, TargetInit};
use hayro::{RenderCache, RenderSettings, render_into};

/// Most pixels a page may have at its natural size (1 pt = 1 px, 72 dpi); about
/// 2000 x 2000 pt, or 70 cm square. A4 is about 0.5 megapixels.
const MAX_PAGE_PIXELS: f64 = 4_000_000.0;
/// Largest thumbnail side asked for; the rasterizer addresses pixels with 16 bits.
const MAX_THUMBNAIL_SIDE: u32 = 4_096;
/// Most bytes one Flate stream may inflate to (a 600 dpi A4 RGB scan is ~100 MB).
const MAX_STREAM_BYTES: u64 = 128 * 1024 * 1024;
/// Most bytes all the Flate streams of a file may inflate to.
const MAX_INFLATED_BYTES: u64 = 1024 * 1024 * 1024;
/// Most pixels an image in the file may declare.
const MAX_IMAGE_PIXELS: f64 = 50_000_000.0;

/// Makes a PNG of a PDF's first page whose longest side is `max_side` pixels, on a
/// white background, or explains why not. Pure and blocking.
pub fn first_page_png(bytes: &[u8], max_side: u32) -> Result<Vec<u8>, String> {
    if max_side == 0 || max_side > MAX_THUMBNAIL_SIDE {
        return Err(format!("a thumbnail of {max_side} pixels is not made"));
    }
    // hayro parses leniently and may panic on malformed input it did not foresee.
    match catch_unwind(AssertUnwindSafe(|| render_first_page(bytes, max_side))) {
        Ok(outcome) => outcome,
        Err(_) => Err("the PDF could not be rendered".to_owned()),
    }
}

fn render_first_page(bytes: &[u8], max_side: u32) -> Result<Vec<u8>, String> {
    let pdf = Pdf::new(bytes.to_vec()).map_err(|e| match e {
        // Files whose user password is empty are decrypted and rendered; only
        // those that need a password to open land here.
        LoadPdfError::Decryption(_) => "the PDF is encrypted".to_owned(),
        LoadPdfError::Invalid => "the file is not a readable PDF".to_owned(),
    })?;
    check_streams(&pdf)?;
    let pages = pdf.pages();
    let page = pages.first().ok_or("the PDF has no pages")?;

    // The page's size in points, after its rotation and crop box.
    let (width, height) = page.render_dimensions();
    let (width, height) = (f64::from(width), f64::from(height));
    if !(width.is_finite() && height.is_finite() && width >= 1.0 && height >= 1.0) {
        return Err("the first page has no usable size".to_owned());
    }
    if width * height > MAX_PAGE_PIXELS {
        return Err(format!("a {width:.0}x{height:.0} pt page is too large to preview"));
    }

    let scale = f64::from(max_side) / width.max(height);
    let side = |points: f64| ((points * scale).round() as u32).clamp(1, max_side);
    let (out_width, out_height) = (side(width), side(height));

    let mut ctx = RenderContext::new(out_width as u16, out_height as u16);
    // Scale each axis to the rounded pixel size, so the page fills the picture; the
    // page's initial transform handles its rotation and the PDF's upward y axis.
    let transform = Affine::scale_non_uniform(f64::from(out_width) / width, f64::from(out_height) / height)
        * page.initial_transform(true).to_kurbo();
    let cache = RenderCache::new();
    let render_settings = RenderSettings {
        // Hinting only helps text read at small sizes on screen at 1:1.
        hinting: false,
        ..RenderSettings::default()
    };
    render_into(page, &cache, &InterpreterSettings::default(), &render_settings, &mut ctx, transform);
    ctx.flush();
    let mut pixmap = Pixmap::new(ctx.width(), ctx.height());
    ctx.render_with(
        &mut pixmap,
        &mut Resources::default(),
        RasterizerSettings { target_init: TargetInit::Clear(WHITE), ..Default::default() },
    );

    // On an opaque background every pixel is opaque, so premultiplied RGBA is plain RGBA.
    let rgba = pixmap.take_rgba8(ImageAlphaType::AlphaPremultiplied);
    let picture =
        image::RgbaImage::from_raw(out_width, out_height, rgba).ok_or("the rendered page has the wrong size")?;
    let picture = image::DynamicImage::ImageRgba8(picture).to_rgb8();
    let mut out = Vec::new();
    picture.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(out)
}

/// hayro inflates streams without a size limit, so a small file can hold a
/// decompression bomb; and it decodes images at their declared size. Before
/// rendering, each Flate stream is inflated into a counter (nothing is kept) and
/// each image's declared size is checked.
fn check_streams(pdf: &Pdf) -> Result<(), String> {
    let mut total = 0;
    for object in pdf.objects() {
        let Object::Stream(stream) = object else { continue };
        let dict = stream.dict();
        if dict.get::<Name<'_>>(SUBTYPE).is_some_and(|n| n.as_ref() == b"Image") {
            let width = dict.get::<f64>(WIDTH).unwrap_or(0.0);
            let height = dict.get::<f64>(HEIGHT).unwrap_or(0.0);
            let pixels = width * height;
            if pixels.is_nan() || pixels > MAX_IMAGE_PIXELS {
                return Err(format!("an image of {width}x{height} pixels is too large to preview"));
            }
        }
        if stream.filters().first() == Some(&Filter::FlateDecode) {
            let size = inflated_size(&stream.raw_data());
            total += size;
            if size > MAX_STREAM_BYTES || total > MAX_INFLATED_BYTES {
                return Err("the PDF inflates to too much data to preview".to_owned());
            }
        }
    }
    Ok(())
}

/// How many bytes `data` inflates to, read as zlib and then as raw deflate as hayro
/// does, stopping a little past the limit. Corrupt data counts as far as it reads.
fn inflated_size(data: &[u8]) -> u64 {
    fn count(mut reader: impl Read) -> u64 {
        let mut buffer = vec![0; 64 * 1024];
        let mut size = 0;
        while size <= MAX_STREAM_BYTES {
            match reader.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => size += n as u64,
            }
        }
        size
    }
    count(ZlibDecoder::new(data)).max(count(DeflateDecoder::new(data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF of one page holding `content`, with a correct cross-reference table.
    fn one_page_pdf(media_box: &str, content: &str) -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [{media_box}] \
                 /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            ),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        pdf
    }

    const LETTER: &str = "0 0 612 792";
    const RECT_AND_TEXT: &str = "1 0 0 rg 72 72 300 200 re f\nBT /F1 36 Tf 0 0 1 rg 72 600 Td (Hello, Copse) Tj ET";

    fn decode(png: &[u8]) -> image::RgbImage {
        image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap().to_rgb8()
    }

    fn count(picture: &image::RgbImage, keep: impl Fn(&image::Rgb<u8>) -> bool) -> usize {
        picture.pixels().filter(|p| keep(p)).count()
    }

    #[test]
    fn a_page_with_a_rectangle_and_text_renders_to_the_requested_size() {
        let png = first_page_png(&one_page_pdf(LETTER, RECT_AND_TEXT), 320).unwrap();
        let picture = decode(&png);
        // 612 x 792 pt scaled so that 792 becomes 320.
        assert_eq!(picture.dimensions(), (247, 320));
        let red = count(&picture, |p| p[0] > 200 && p[1] < 60 && p[2] < 60);
        let blue = count(&picture, |p| p[2] > 150 && p[0] < 100 && p[1] < 100);
        let white = count(&picture, |p| p.0 == [255, 255, 255]);
        // The rectangle covers 300 x 200 pt: 121 x 81 = 9,801 of the 79,040 pixels.
        assert!((9_500..10_200).contains(&red), "red pixels: {red}");
        assert!(blue > 100, "the Helvetica text drew {blue} blue pixels");
        assert!(white > 50_000, "white pixels: {white}");
        // The corners are the white background.
        assert_eq!(picture.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(picture.get_pixel(246, 319).0, [255, 255, 255]);
    }

    #[test]
    fn a_landscape_page_has_its_width_as_the_longest_side() {
        let png = first_page_png(&one_page_pdf("0 0 842 595", RECT_AND_TEXT), 320).unwrap();
        assert_eq!(decode(&png).dimensions(), (320, 226));
    }

    #[test]
    fn a_small_page_is_scaled_up_to_the_requested_size() {
        let png = first_page_png(&one_page_pdf("0 0 100 50", "0 g 10 10 20 20 re f"), 320).unwrap();
        let picture = decode(&png);
        assert_eq!(picture.dimensions(), (320, 160));
        assert!(count(&picture, |p| p.0 == [0, 0, 0]) > 3_000);
    }

    #[test]
    fn text_in_a_standard_font_alone_is_drawn() {
        let pdf = one_page_pdf(LETTER, "BT /F1 48 Tf 72 400 Td (Standard fonts) Tj ET");
        let picture = decode(&first_page_png(&pdf, 320).unwrap());
        let dark = count(&picture, |p| p[0] < 128);
        assert!(dark > 300, "the text drew {dark} dark pixels");
    }

    #[test]
    fn garbage_is_refused() {
        for bytes in
            [&b""[..], b"hello", b"%PDF-1.4\n", &[0xffu8; 4096], b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj"]
        {
            let outcome = first_page_png(bytes, 320);
            assert!(outcome.is_err(), "{:?}: {outcome:?}", String::from_utf8_lossy(bytes));
        }
        let noise: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        assert!(first_page_png(&noise, 320).is_err());
    }

    #[test]
    fn a_pdf_cut_before_its_page_is_refused_and_no_cut_panics() {
        let pdf = one_page_pdf(LETTER, RECT_AND_TEXT);
        let page_object = pdf.windows(8).position(|w| w == b"3 0 obj\n").unwrap();
        for cut in 0..page_object {
            assert!(first_page_png(&pdf[..cut], 320).is_err(), "cut at {cut}");
        }
        // Cut anywhere: hayro rebuilds a lost cross-reference table, so a file cut
        // after its objects may still render; what matters is an answer, not a panic.
        for cut in (page_object..pdf.len()).step_by(5) {
            let _ = first_page_png(&pdf[..cut], 320);
        }
    }

    #[test]
    fn corrupted_bytes_never_panic() {
        let pdf = one_page_pdf(LETTER, RECT_AND_TEXT);
        // Every third byte, with the values most likely to confuse a parser.
        for i in (0..pdf.len()).step_by(3) {
            for byte in [0u8, b'(', 0xff] {
                let mut broken = pdf.clone();
                broken[i] = byte;
                let _ = first_page_png(&broken, 64);
            }
        }
    }

    #[test]
    fn a_huge_page_is_refused_before_rendering() {
        let pdf = one_page_pdf("0 0 100000 100000", "0 g 0 0 100000 100000 re f");
        let outcome = first_page_png(&pdf, 320);
        assert!(outcome.as_ref().is_err_and(|e| e.contains("too large")), "{outcome:?}");
        // 2500 x 2500 pt is 6.25 megapixels: refused too.
        assert!(first_page_png(&one_page_pdf("0 0 2500 2500", ""), 320).is_err());
        // 1900 x 2000 pt is 3.8 megapixels: rendered.
        assert!(first_page_png(&one_page_pdf("0 0 1900 2000", ""), 320).is_ok());
    }

    /// A PDF whose page content is one Flate stream of `content` (with `/Length`
    /// and `/Filter` as given), compressed by flate2.
    fn compressed_page(content: &[u8], extra: &str) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(content).unwrap();
        let stream = encoder.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
            2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
            3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n"
            .to_vec();
        pdf.extend_from_slice(
            format!("4 0 obj\n<< /Length {} /Filter /FlateDecode{extra} >>\nstream\n", stream.len()).as_bytes(),
        );
        pdf.extend_from_slice(&stream);
        // No cross-reference table: hayro rebuilds it, as for a damaged file.
        pdf.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
        pdf
    }

    #[test]
    fn a_compressed_page_renders() {
        let pdf = compressed_page(b"0 0 1 rg 0 0 306 792 re f", "");
        let picture = decode(&first_page_png(&pdf, 320).unwrap());
        assert_eq!(picture.dimensions(), (247, 320));
        assert!(count(&picture, |p| p.0 == [0, 0, 255]) > 35_000);
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_rendering() {
        // 200 MB of spaces compresses to about 200 KB.
        let pdf = compressed_page(&vec![b' '; 200 * 1024 * 1024], "");
        assert!(pdf.len() < 300_000, "{}", pdf.len());
        let outcome = first_page_png(&pdf, 320);
        assert!(outcome.as_ref().is_err_and(|e| e.contains("inflates")), "{outcome:?}");
    }

    #[test]
    fn an_image_declaring_a_huge_size_is_refused() {
        let pdf = compressed_page(b"q 100 0 0 100 0 0 cm /Im1 Do Q", "");
        let pdf = String::from_utf8_lossy(&pdf).replace(
            "/MediaBox [0 0 612 792] /Contents 4 0 R",
            "/MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >>",
        );
        let mut pdf = pdf.into_bytes();
        pdf.extend_from_slice(
            b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width 60000 /Height 60000 \
              /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length 3 >>\nstream\nabc\nendstream\nendobj\n",
        );
        let outcome = first_page_png(&pdf, 320);
        assert!(outcome.as_ref().is_err_and(|e| e.contains("60000x60000")), "{outcome:?}");
    }

    #[test]
    fn a_silly_size_is_refused() {
        let pdf = one_page_pdf(LETTER, RECT_AND_TEXT);
        assert!(first_page_png(&pdf, 0).is_err());
        assert!(first_page_png(&pdf, 100_000).is_err());
        assert_eq!(decode(&first_page_png(&pdf, 1).unwrap()).dimensions(), (1, 1));
    }

    /// Made with `qpdf --encrypt user owner 256 -- plain.pdf` from `one_page_pdf(LETTER, RECT_AND_TEXT)`.
    #[test]
    fn a_password_protected_pdf_is_refused() {
        let pdf = include_bytes!("../../../tests/fixtures/user-password.pdf");
        let outcome = first_page_png(pdf, 320);
        assert_eq!(outcome, Err("the PDF is encrypted".to_owned()));
    }

    /// Made with `qpdf --encrypt "" owner 256 -- plain.pdf`: encrypted, but anyone may
    /// open it (the owner password only restricts printing, copying and so on).
    #[test]
    fn a_pdf_encrypted_without_a_user_password_renders() {
        let pdf = include_bytes!("../../../tests/fixtures/owner-password-only.pdf");
        let picture = decode(&first_page_png(pdf, 320).unwrap());
        assert_eq!(picture.dimensions(), (247, 320));
        assert!(count(&picture, |p| p[0] > 200 && p[1] < 60 && p[2] < 60) > 9_500);
    }
}
