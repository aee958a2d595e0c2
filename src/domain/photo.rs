//! Photos of places: what an upload must be, and what the portal keeps of
//! it. The file is decoded within limits (a small file that declares a
//! huge picture is refused before anything is allocated), turned upright
//! by its orientation tag, and encoded again as JPEG in two widths: what
//! the camera wrote beside the pixels (EXIF, GPS included) is not kept.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use super::FormErrors;

/// The largest file taken.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most pixels a picture may have (a 12-megapixel phone's thrice).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest side: a panorama, not a strip of a million pixels.
pub const MAX_SIDE: u32 = 12_000;
/// The widths kept: for phones, and for wide screens. A smaller picture
/// is not enlarged.
pub const SMALL_WIDTH: u32 = 480;
pub const LARGE_WIDTH: u32 = 1200;
/// The longest alternative text.
pub const ALT_MAX: usize = 200;
/// JPEG quality of both widths.
const QUALITY: u8 = 80;

/// Why an upload was refused, each said at the file field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Missing,
    TooLarge,
    NotAnImage,
    TooManyPixels,
}

impl Refused {
    pub fn key(self) -> &'static str {
        match self {
            Refused::Missing => "form.photo.missing",
            Refused::TooLarge => "form.photo.too_large",
            Refused::NotAnImage => "form.photo.not_an_image",
            Refused::TooManyPixels => "form.photo.too_many_pixels",
        }
    }
}

/// One width of a photo, encoded.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// What is kept of an upload.
#[derive(Debug, Clone)]
pub struct Processed {
    pub small: Encoded,
    pub large: Encoded,
}

/// Decodes `bytes` (JPEG, PNG or WebP) within the limits and encodes the
/// two widths. CPU-heavy: run it off the request's thread.
pub fn process(bytes: &[u8]) -> Result<Processed, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Missing);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Refused::TooLarge);
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Refused::NotAnImage)?;
    if !matches!(reader.format(), Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) {
        return Err(Refused::NotAnImage);
    }
    let mut decoder = reader.into_decoder().map_err(|_| Refused::NotAnImage)?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(Refused::NotAnImage);
    }
    // Read from the header: refused before the pixels are allocated.
    if u64::from(w) * u64::from(h) > MAX_PIXELS || w > MAX_SIDE || h > MAX_SIDE {
        return Err(Refused::TooManyPixels);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    decoder.set_limits(limits).map_err(|_| Refused::TooManyPixels)?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => Refused::TooManyPixels,
        _ => Refused::NotAnImage,
    })?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    let rgb = flatten(img);
    // The small width from the large one: less to read, less memory.
    let (large, large_rgb) = encode(rgb, LARGE_WIDTH)?;
    let (small, _) = encode(large_rgb, SMALL_WIDTH)?;
    Ok(Processed { small, large })
}

/// The picture on white (a PNG's transparent parts would turn black).
fn flatten(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u16::from(p[3]);
        let on_white = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
        image::Rgb([on_white(p[0]), on_white(p[1]), on_white(p[2])])
    })
}

/// `rgb` at most `width` wide, as JPEG, and the picture it encoded.
fn encode(rgb: RgbImage, width: u32) -> Result<(Encoded, RgbImage), Refused> {
    let shown = if rgb.width() > width {
        let height = (u64::from(rgb.height()) * u64::from(width) / u64::from(rgb.width())).max(1);
        image::imageops::resize(
            &rgb,
            width,
            u32::try_from(height).unwrap_or(u32::MAX),
            image::imageops::FilterType::Triangle,
        )
    } else {
        rgb
    };
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode_image(&shown)
        .map_err(|_| Refused::NotAnImage)?;
    Ok((Encoded { jpeg, width: shown.width(), height: shown.height() }, shown))
}

/// The words of an upload: what the photo shows, in Chinese (required)
/// and English.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoText {
    pub alt_zh: String,
    pub alt_en: String,
}

impl PhotoText {
    /// The texts trimmed, or the errors at their fields.
    pub fn check(&self) -> Result<(String, Option<String>), FormErrors> {
        let mut e = FormErrors::default();
        let zh = self.alt_zh.trim();
        let en = self.alt_en.trim();
        e.refuse_control(&[("alt_zh", zh), ("alt_en", en)]);
        if e.get("alt_zh").is_some() {
            // Said already.
        } else if zh.is_empty() {
            e.add("alt_zh", "form.photo.alt_required");
        } else if zh.chars().count() > ALT_MAX {
            e.add("alt_zh", "form.photo.alt_too_long");
        }
        if e.get("alt_en").is_none() && en.chars().count() > ALT_MAX {
            e.add("alt_en", "form.photo.alt_too_long");
        }
        if e.is_empty() {
            Ok((zh.to_owned(), Some(en.to_owned()).filter(|s| !s.is_empty())))
        } else {
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;

    fn jpeg(w: u32, h: u32, exif: Option<Vec<u8>>) -> Vec<u8> {
        let img =
            RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
        if let Some(e) = exif {
            enc.set_exif_metadata(e).unwrap();
        }
        enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8).unwrap();
        out
    }

    #[test]
    fn two_widths_upright_without_what_the_camera_wrote() {
        // Orientation 6 (turn right) and a GPS-looking string in the EXIF.
        let mut exif =
            b"II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0\0\0\0\0".to_vec();
        exif.extend_from_slice(b"GPS 30.2741N 120.1551E");
        let p = process(&jpeg(2000, 1000, Some(exif))).unwrap();
        // Turned upright: 1000 wide, 2000 high, then scaled.
        assert_eq!((p.large.width, p.large.height), (1000, 2000));
        assert_eq!((p.small.width, p.small.height), (480, 960));
        for e in [&p.small, &p.large] {
            let found = |needle: &[u8]| e.jpeg.windows(needle.len()).any(|w| w == needle);
            assert!(!found(b"Exif") && !found(b"GPS"), "metadata kept");
        }
        // A small picture is not enlarged.
        let p = process(&jpeg(300, 200, None)).unwrap();
        assert_eq!((p.large.width, p.large.height, p.small.width), (300, 200, 300));
    }

    #[test]
    fn bad_files_are_refused() {
        assert_eq!(process(b"").unwrap_err(), Refused::Missing);
        assert_eq!(process(b"%PDF-1.4 not a picture").unwrap_err(), Refused::NotAnImage);
        assert_eq!(process(&vec![0xFF; MAX_BYTES + 1]).unwrap_err(), Refused::TooLarge);
        // A PNG of a few bytes that declares 60,000 × 60,000 pixels, and
        // strips within the pixel count but beyond any side.
        assert_eq!(process(&bomb(60_000, 60_000)).unwrap_err(), Refused::TooManyPixels);
        assert_eq!(process(&bomb(20_000_000, 1)).unwrap_err(), Refused::TooManyPixels);
        assert_eq!(process(&bomb(1_000, 30_000)).unwrap_err(), Refused::TooManyPixels);
        // A JPEG cut short.
        let whole = jpeg(64, 64, None);
        assert_eq!(process(&whole[..whole.len() / 3]).unwrap_err(), Refused::NotAnImage);
    }

    /// A PNG of `w` × `h` pixels whose data is a few bytes.
    fn bomb(w: u32, h: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
            let mut body = kind.to_vec();
            body.extend_from_slice(data);
            png.extend_from_slice(&body);
            png.extend_from_slice(&crc32(&body).to_be_bytes());
        };
        let mut header = w.to_be_bytes().to_vec();
        header.extend_from_slice(&h.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(b"IHDR", &header);
        chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(b"IEND", &[]);
        png
    }

    /// PNG's CRC-32, for the test's hand-made header.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn alternative_text_in_chinese_is_required() {
        let t = PhotoText { alt_zh: " ".into(), alt_en: String::new() };
        assert_eq!(t.check().unwrap_err().get("alt_zh"), Some("form.photo.alt_required"));
        let t = PhotoText { alt_zh: "驿站门口".into(), alt_en: " ".into() };
        assert_eq!(t.check().unwrap(), ("驿站门口".into(), None));
        let t = PhotoText { alt_zh: "长".repeat(ALT_MAX + 1), alt_en: String::new() };
        assert_eq!(t.check().unwrap_err().get("alt_zh"), Some("form.photo.alt_too_long"));
        let t = PhotoText { alt_zh: "门\0口".into(), alt_en: "a\u{7}".into() };
        let e = t.check().unwrap_err();
        assert_eq!(
            (e.get("alt_zh"), e.get("alt_en")),
            (Some("form.text.control"), Some("form.text.control"))
        );
    }
}
