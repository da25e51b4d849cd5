//! The image pipeline end to end: renditions, orientation, metadata
//! stripping, limits, the memory budget shared by the pool, and corrupted
//! or truncated input.
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test: a panic there is a failing test"
)]

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use tawasul_media::{
    process_image, ContentHash, FocalPoint, ImageProcessor, MediaError, PipelineConfig, Processed,
    RenditionFormat, RenditionKind,
};

/// A small deterministic random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A photo-like picture: gradients plus noise.
fn photo(w: u32, h: u32) -> RgbImage {
    let mut rng = Rng(7);
    RgbImage::from_fn(w, h, |x, y| {
        let n = (rng.next() % 24) as u32;
        Rgb([
            ((x * 255 / w.max(1)) + n).min(255) as u8,
            ((y * 255 / h.max(1)) + n).min(255) as u8,
            (((x + y) * 128 / (w + h)) + n).min(255) as u8,
        ])
    })
}

fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// An EXIF block (big-endian TIFF) with an orientation, a camera make and a
/// GPS position, as a phone writes.
fn exif_block(orientation: u16) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    // IFD0 at 8: three entries.
    t.extend_from_slice(&3u16.to_be_bytes());
    // Make (ASCII, 6 bytes at offset 50): "Phone\0".
    t.extend_from_slice(&[0x01, 0x0F, 0, 2, 0, 0, 0, 6, 0, 0, 0, 50]);
    // Orientation (SHORT, 1).
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    t.extend_from_slice(&orientation.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    // GPSInfo IFD pointer (LONG) to 56.
    t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 56]);
    t.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
    assert_eq!(t.len(), 50);
    t.extend_from_slice(b"Phone\0");
    // GPS IFD at 56: latitude ref "N" and latitude 33/1 35/1 0/1 (Rabat-ish).
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x00, 0x01, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    t.extend_from_slice(&[0x00, 0x02, 0, 5, 0, 0, 0, 3, 0, 0, 0, 86]);
    t.extend_from_slice(&[0, 0, 0, 0]);
    assert_eq!(t.len(), 86);
    for (num, den) in [(33u32, 1u32), (35, 1), (0, 1)] {
        t.extend_from_slice(&num.to_be_bytes());
        t.extend_from_slice(&den.to_be_bytes());
    }
    t
}

/// A JPEG with an APP1 EXIF segment inserted after SOI.
fn jpeg_with_exif(img: &RgbImage, orientation: u16) -> Vec<u8> {
    let jpeg = encode(img, ImageFormat::Jpeg);
    let exif = exif_block(orientation);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((exif.len() + 8) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&exif);
    [&jpeg[..2], &app1, &jpeg[2..]].concat()
}

fn small_config() -> PipelineConfig {
    PipelineConfig {
        widths: vec![32, 64],
        thumbnail: Some(16),
        ..PipelineConfig::default()
    }
}

fn decode(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory(bytes).unwrap()
}

#[test]
fn a_photo_gets_the_whole_set() {
    let original = encode(&photo(2000, 1500), ImageFormat::Jpeg);
    let Processed {
        original: info,
        renditions,
    } = process_image(&original, FocalPoint::default(), &PipelineConfig::default()).unwrap();
    assert_eq!((info.width, info.height), (2000, 1500));
    assert_eq!(info.hash, ContentHash::of(&original));
    assert_eq!(info.exif_orientation, 1);

    let got: Vec<_> = renditions
        .iter()
        .map(|r| (r.kind, r.format, r.width, r.height))
        .collect();
    use RenditionFormat::{Jpeg, Webp};
    use RenditionKind::{Thumbnail, Width};
    assert_eq!(
        got,
        [
            (Width(1600), Webp, 1600, 1200),
            (Width(1600), Jpeg, 1600, 1200),
            (Width(1024), Webp, 1024, 768),
            (Width(1024), Jpeg, 1024, 768),
            (Width(640), Webp, 640, 480),
            (Width(640), Jpeg, 640, 480),
            (Width(320), Webp, 320, 240),
            (Width(320), Jpeg, 320, 240),
            (Thumbnail(400), Webp, 400, 400),
            (Thumbnail(400), Jpeg, 400, 400),
        ]
    );
    for r in &renditions {
        let expected = match r.format {
            Webp => ImageFormat::WebP,
            Jpeg => ImageFormat::Jpeg,
        };
        assert_eq!(image::guess_format(&r.bytes).unwrap(), expected);
        let img = decode(&r.bytes);
        assert_eq!((img.width(), img.height()), (r.width, r.height));
        let ext = if r.format == Webp { "webp" } else { "jpg" };
        assert_eq!(r.name, format!("{}.{ext}", ContentHash::of(&r.bytes).hex()));
        assert!(r.bytes.len() < original.len(), "{:?}", r);
    }
    // Lossy WebP is smaller than the JPEG of the same size.
    assert!(renditions[0].bytes.len() < renditions[1].bytes.len());
}

#[test]
fn small_images_are_never_upscaled() {
    let original = encode(&photo(500, 300), ImageFormat::Png);
    let processed =
        process_image(&original, FocalPoint::default(), &PipelineConfig::default()).unwrap();
    let got: Vec<_> = processed
        .renditions
        .iter()
        .filter(|r| r.format == RenditionFormat::Jpeg)
        .map(|r| (r.kind, r.width, r.height))
        .collect();
    assert_eq!(
        got,
        [
            (RenditionKind::Width(500), 500, 300),
            (RenditionKind::Width(320), 320, 192),
            (RenditionKind::Thumbnail(300), 300, 300),
        ]
    );
}

/// Red in the top-left quarter of a landscape picture, blue elsewhere.
fn marked(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        if x < w / 2 && y < h / 2 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    })
}

/// Which quarter of a decoded picture is red: (right?, bottom?).
fn red_quarter(img: &image::DynamicImage) -> (bool, bool) {
    let rgb = img.to_rgb8();
    let (w, h) = rgb.dimensions();
    let is_red = |x: u32, y: u32| {
        let p = rgb.get_pixel(x, y);
        p[0] > 200 && p[2] < 60
    };
    let quarters = [(false, false), (true, false), (false, true), (true, true)];
    let red: Vec<_> = quarters
        .into_iter()
        .filter(|&(right, bottom)| {
            let x = if right { w * 3 / 4 } else { w / 4 };
            let y = if bottom { h * 3 / 4 } else { h / 4 };
            is_red(x, y)
        })
        .collect();
    assert_eq!(red.len(), 1, "exactly one red quarter: {red:?}");
    red[0]
}

#[test]
fn every_exif_orientation_is_applied() {
    // (orientation, displayed portrait?, red quarter (right, bottom))
    let cases = [
        (1, false, (false, false)),
        (2, false, (true, false)),
        (3, false, (true, true)),
        (4, false, (false, true)),
        (5, true, (false, false)),
        (6, true, (true, false)),
        (7, true, (true, true)),
        (8, true, (false, true)),
    ];
    let config = PipelineConfig {
        widths: vec![1600],
        thumbnail: None,
        ..PipelineConfig::default()
    };
    for (orientation, portrait, red) in cases {
        let bytes = jpeg_with_exif(&marked(160, 80), orientation);
        let processed = process_image(&bytes, FocalPoint::default(), &config).unwrap();
        assert_eq!(processed.original.exif_orientation, orientation as u8);
        let expected_dims = if portrait { (80, 160) } else { (160, 80) };
        assert_eq!(
            (processed.original.width, processed.original.height),
            expected_dims,
            "orientation {orientation}"
        );
        for r in &processed.renditions {
            let img = decode(&r.bytes);
            assert_eq!((img.width(), img.height()), expected_dims);
            assert_eq!(
                red_quarter(&img),
                red,
                "orientation {orientation}, {:?}",
                r.format
            );
        }
    }
}

/// The segment markers of a JPEG up to the image data.
fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
        at += 2 + len;
    }
    markers
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn renditions_carry_no_exif_and_no_gps() {
    let bytes = jpeg_with_exif(&photo(800, 600), 6);
    // The input really has EXIF with GPS, as the independent reader sees.
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&bytes))
        .unwrap();
    assert!(exif
        .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
        .is_some());
    assert!(exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .is_some());

    let processed =
        process_image(&bytes, FocalPoint::default(), &PipelineConfig::default()).unwrap();
    assert!(!processed.renditions.is_empty());
    for r in &processed.renditions {
        assert!(
            exif::Reader::new()
                .read_from_container(&mut Cursor::new(&r.bytes))
                .is_err(),
            "{r:?} has EXIF"
        );
        assert!(!contains(&r.bytes, b"Exif"), "{r:?}");
        assert!(!contains(&r.bytes, b"Phone"), "{r:?}");
        assert!(!contains(&r.bytes, b"MM\0\x2a"), "{r:?}");
        match r.format {
            RenditionFormat::Jpeg => {
                // Only JFIF (APP0), tables, frame and scan: no APP1..APP15, no comment.
                for m in jpeg_markers(&r.bytes) {
                    assert!(
                        !(0xE1..=0xEF).contains(&m) && m != 0xFE,
                        "marker {m:02X} in {r:?}"
                    );
                }
            }
            RenditionFormat::Webp => {
                for chunk in [&b"EXIF"[..], b"XMP ", b"ICCP"] {
                    assert!(!contains(&r.bytes, chunk), "{r:?}");
                }
            }
        }
    }
}

#[test]
fn the_thumbnail_follows_the_focal_point() {
    // A wide picture, blue with a red band at the far right.
    let img = RgbImage::from_fn(1200, 400, |x, _| {
        if x >= 1100 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    });
    let bytes = encode(&img, ImageFormat::Png);
    let red_share = |focal: FocalPoint| {
        let processed = process_image(&bytes, focal, &PipelineConfig::default()).unwrap();
        let thumb = processed
            .renditions
            .iter()
            .find(|r| {
                matches!(r.kind, RenditionKind::Thumbnail(_)) && r.format == RenditionFormat::Jpeg
            })
            .unwrap();
        assert_eq!((thumb.width, thumb.height), (400, 400));
        let rgb = decode(&thumb.bytes).to_rgb8();
        rgb.pixels().filter(|p| p[0] > 200 && p[2] < 60).count() as f64 / (400.0 * 400.0)
    };
    assert_eq!(red_share(FocalPoint::default()), 0.0);
    let right = red_share(FocalPoint::new(0.95, 0.5));
    assert!((0.2..0.3).contains(&right), "{right}");
    // Out-of-range and NaN focal points are clamped, not errors.
    assert!(red_share(FocalPoint::new(7.0, f32::NAN)) > 0.2);
}

#[test]
fn transparency_is_kept_in_webp_and_flattened_on_white_in_jpeg() {
    let img = RgbaImage::from_fn(100, 100, |x, _| {
        if x < 50 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([0, 128, 0, 255])
        }
    });
    let mut bytes = Vec::new();
    img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .unwrap();
    let processed = process_image(&bytes, FocalPoint::default(), &small_config()).unwrap();
    for r in processed
        .renditions
        .iter()
        .filter(|r| r.kind == RenditionKind::Width(64))
    {
        let decoded = decode(&r.bytes).to_rgba8();
        let left = decoded.get_pixel(5, 32);
        match r.format {
            RenditionFormat::Webp => assert!(left[3] < 10, "{left:?}"),
            RenditionFormat::Jpeg => {
                assert!(left[0] > 240 && left[1] > 240 && left[2] > 240, "{left:?}")
            }
        }
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[&kind[..], data].concat()).to_be_bytes());
    out
}

/// A PNG whose header declares `w`×`h` and whose data is a few bytes.
fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    [
        b"\x89PNG\r\n\x1a\n".to_vec(),
        png_chunk(b"IHDR", &ihdr),
        png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
        png_chunk(b"IEND", &[]),
    ]
    .concat()
}

/// A JPEG header declaring `w`×`h`, without image data.
fn jpeg_bomb(w: u16, h: u16) -> Vec<u8> {
    let mut out = encode(&photo(8, 8), ImageFormat::Jpeg);
    // Rewrite the frame header's dimensions.
    let sof = out.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    out[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    out
}

#[test]
fn decompression_bombs_are_refused_before_decoding() {
    let gif = {
        let mut g = b"GIF89a".to_vec();
        g.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]);
        g.extend_from_slice(&[0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0]);
        g.extend_from_slice(&[2, 2, 0x44, 0x01, 0, 0x3B]);
        g
    };
    let cases = [
        ("png 30000×30000", png_bomb(30_000, 30_000)),
        ("png 100000×1", png_bomb(100_000_000, 1)),
        ("jpeg 30000×30000", jpeg_bomb(30_000, 30_000)),
        ("gif 65535×65535", gif),
    ];
    for (what, bytes) in cases {
        let started = Instant::now();
        let err = process_image(&bytes, FocalPoint::default(), &PipelineConfig::default())
            .expect_err(what);
        assert!(
            matches!(
                err,
                MediaError::TooManyPixels { .. } | MediaError::OverMemoryLimit
            ),
            "{what}: {err:?}"
        );
        assert_eq!(err.http_status(), 422, "{what}");
        assert_eq!(err.code(), "image-too-large", "{what}");
        assert!(started.elapsed() < Duration::from_secs(1), "{what}");
    }
    let err = process_image(
        &png_bomb(30_000, 30_000),
        FocalPoint::default(),
        &PipelineConfig::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the image is 30000×30000 pixels; the limit is 50 megapixels"
    );
}

#[test]
fn what_is_not_an_image_is_refused_with_its_status() {
    let config = PipelineConfig {
        max_bytes: 1000,
        ..small_config()
    };
    let cases: [(&str, Vec<u8>, u16); 5] = [
        ("empty", vec![], 422),
        ("pdf", b"%PDF-1.4\n%%EOF".to_vec(), 415),
        ("text", b"not an image".to_vec(), 415),
        ("too large", vec![0xFF; 2000], 413),
        ("png header only", b"\x89PNG\r\n\x1a\n".to_vec(), 422),
    ];
    for (what, bytes, status) in cases {
        let err = process_image(&bytes, FocalPoint::default(), &config).expect_err(what);
        assert_eq!(err.http_status(), status, "{what}: {err:?}");
    }
}

/// Corrupted and truncated images never panic or hang: each is processed
/// or refused with an error.
#[test]
fn corrupted_images_are_errors_not_panics() {
    let base = photo(48, 32);
    let mut webp = Vec::new();
    image::DynamicImage::ImageRgb8(base.clone())
        .write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
        .unwrap();
    let seeds = [
        ("jpeg", jpeg_with_exif(&base, 6)),
        ("png", encode(&base, ImageFormat::Png)),
        ("gif", encode(&base, ImageFormat::Gif)),
        ("webp", webp),
    ];
    let config = small_config();
    let mut rng = Rng(0x5EED_1234);
    let (mut ok, mut refused) = (0, 0);
    for (name, seed) in &seeds {
        for round in 0..250 {
            let mut bytes = seed.clone();
            match round % 4 {
                0 => {
                    let flips = 1 + rng.below(8);
                    for _ in 0..flips {
                        let at = rng.below(bytes.len());
                        bytes[at] ^= 1 << rng.below(8);
                    }
                }
                1 => bytes.truncate(rng.below(bytes.len())),
                2 => {
                    let at = rng.below(bytes.len());
                    let len = rng.below(32).min(bytes.len() - at);
                    for b in &mut bytes[at..at + len] {
                        *b = rng.next() as u8;
                    }
                }
                _ => {
                    // Flip bits in the headers, where sizes live.
                    let at = rng.below(bytes.len().min(200));
                    bytes[at] = [0x00, 0xFF, 0x7F, 0x80][rng.below(4)];
                    let cut = bytes.len() - rng.below(bytes.len() / 2);
                    bytes.truncate(cut);
                }
            }
            let started = Instant::now();
            let result =
                std::panic::catch_unwind(|| process_image(&bytes, FocalPoint::default(), &config));
            let Ok(result) = result else {
                panic!("{name} round {round} panicked; input: {bytes:02X?}");
            };
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{name} round {round} took {:?}",
                started.elapsed()
            );
            match result {
                Ok(_) => ok += 1,
                Err(e) => {
                    assert!(
                        [413, 415, 422].contains(&e.http_status()),
                        "{name} {round}: {e:?}"
                    );
                    refused += 1;
                }
            }
        }
    }
    println!("corrupted inputs: {ok} processed, {refused} refused");
    assert!(
        refused > 100 && ok > 50,
        "{ok} processed, {refused} refused"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn processing_runs_off_the_async_workers() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    let processor = ImageProcessor::with_workers(PipelineConfig::default(), 1);
    let bytes: Arc<[u8]> = encode(&photo(2000, 1500), ImageFormat::Jpeg).into();
    // On a single-threaded runtime (the worst case for a server) a ticker
    // stands for page serving: it must keep ticking while images are processed.
    let longest_gap = Arc::new(AtomicU64::new(0));
    let gap = Arc::clone(&longest_gap);
    let ticker = tokio::spawn(async move {
        let mut last = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let now = Instant::now();
            gap.fetch_max((now - last).as_millis() as u64, Ordering::Relaxed);
            last = now;
        }
    });
    let started = Instant::now();
    let jobs: Vec<_> = (0..3)
        .map(|_| {
            let processor = processor.clone();
            let bytes = Arc::clone(&bytes);
            tokio::spawn(async move { processor.process(bytes, FocalPoint::default()).await })
        })
        .collect();
    for job in jobs {
        let processed = job.await.unwrap().unwrap();
        assert_eq!(processed.renditions.len(), 10);
    }
    let elapsed = started.elapsed();
    ticker.abort();
    let longest_gap = Duration::from_millis(longest_gap.load(Ordering::Relaxed));
    // Run on the runtime's thread, one image would have stopped the ticker
    // for a third of the total; a loaded machine's scheduling hiccups are
    // far shorter than that.
    assert!(
        longest_gap * 4 < elapsed,
        "processing took {elapsed:?}; the runtime stalled up to {longest_gap:?}"
    );
}

/// A flat orange JPEG, tagged with `icc` when given.
fn flat_jpeg(icc: Option<Vec<u8>>) -> Vec<u8> {
    use image::ImageEncoder as _;
    let img = RgbImage::from_pixel(300, 200, Rgb([200, 120, 60]));
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95);
    if let Some(icc) = icc {
        encoder.set_icc_profile(icc).unwrap();
    }
    encoder
        .write_image(img.as_raw(), 300, 200, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn centre_of_first_jpeg(processed: &Processed) -> [u8; 3] {
    let r = processed
        .renditions
        .iter()
        .find(|r| r.format == RenditionFormat::Jpeg)
        .unwrap();
    let img = decode(&r.bytes).to_rgb8();
    img.get_pixel(img.width() / 2, img.height() / 2).0
}

#[test]
fn a_display_p3_photo_is_converted_to_srgb_and_an_untagged_one_is_left_alone() {
    let p3 = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let tagged = flat_jpeg(Some(p3));
    assert!(
        contains(&tagged, b"ICC_PROFILE"),
        "the input carries its profile"
    );

    let converted = process_image(&tagged, FocalPoint::default(), &small_config()).unwrap();
    let untagged = process_image(&flat_jpeg(None), FocalPoint::default(), &small_config()).unwrap();
    let [r, g, b] = centre_of_first_jpeg(&converted);
    let [r0, g0, b0] = centre_of_first_jpeg(&untagged);
    // The same orange in Display P3 is a more saturated one in sRGB: more
    // red, less blue than the numbers written in the file.
    assert!(
        r > r0 + 8 && b + 8 < b0,
        "P3 {:?} → sRGB {:?}",
        [r0, g0, b0],
        [r, g, b]
    );
    // Untagged pixels are read as sRGB already and kept (JPEG noise aside).
    for (got, want) in [(r0, 200), (g0, 120), (b0, 60)] {
        assert!(got.abs_diff(want) <= 4, "{got} vs {want}");
    }
    // And the profile itself, metadata like the rest, is not passed on.
    for r in &converted.renditions {
        assert!(!contains(&r.bytes, b"ICC_PROFILE") && !contains(&r.bytes, b"ICCP"));
    }
}

/// The same photo as a JPEG, a PNG, a lossy WebP and a GIF.
fn photo_files(w: u32, h: u32) -> Vec<(&'static str, Vec<u8>)> {
    let img = photo(w, h);
    let webp = webp::Encoder::from_rgb(img.as_raw(), w, h)
        .encode(75.0)
        .to_vec();
    vec![
        ("jpeg", encode(&img, ImageFormat::Jpeg)),
        ("png", encode(&img, ImageFormat::Png)),
        ("webp", webp),
        ("gif", encode(&img, ImageFormat::Gif)),
    ]
}

#[test]
fn a_photo_cut_off_in_transfer_is_refused_as_incomplete() {
    let config = small_config();
    for (format, whole) in photo_files(300, 200) {
        process_image(&whole, FocalPoint::default(), &config)
            .unwrap_or_else(|e| panic!("{format}: the whole file is fine: {e}"));
        let mut cuts = vec![whole.len() / 3, whole.len() * 2 / 3];
        if format != "gif" {
            // A GIF cut right before its trailer has every pixel; the others
            // miss their end mark without their last byte.
            cuts.push(whole.len() - 1);
        }
        for cut in cuts {
            let err = process_image(&whole[..cut], FocalPoint::default(), &config)
                .expect_err(&format!("{format} cut at {cut} of {}", whole.len()));
            assert!(
                matches!(err, MediaError::Truncated),
                "{format} cut at {cut}: {err:?}"
            );
            assert_eq!(err.http_status(), 422);
            assert_eq!(err.code(), "truncated-image");
            assert_eq!(
                err.to_string(),
                "the image is incomplete: its end is missing, perhaps cut off during the transfer; send it again"
            );
        }
    }
}

#[test]
fn bytes_after_a_jpeg_end_are_no_truncation() {
    let jpeg = encode(&photo(300, 200), ImageFormat::Jpeg);
    let padded = [&jpeg[..], &[0u8; 64], b"camera maker's trailer"].concat();
    assert!(process_image(&padded, FocalPoint::default(), &small_config()).is_ok());
}

#[test]
fn an_image_needing_more_than_the_whole_memory_budget_is_refused_before_decoding() {
    let config = PipelineConfig {
        memory_budget: 8 * 1024 * 1024,
        ..small_config()
    };
    let bytes = encode(&photo(2000, 1500), ImageFormat::Jpeg);
    let started = Instant::now();
    let err = process_image(&bytes, FocalPoint::default(), &config).unwrap_err();
    assert!(
        matches!(
            err,
            MediaError::TooManyPixels {
                width: 2000,
                height: 1500,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!((err.http_status(), err.code()), (422, "image-too-large"));
    assert!(
        err.to_string()
            .starts_with("the image is 2000×1500 pixels; the limit is"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    // A small one fits in the same budget.
    let small = encode(&photo(300, 200), ImageFormat::Jpeg);
    assert!(process_image(&small, FocalPoint::default(), &config).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_shares_one_memory_budget() {
    let bytes: std::sync::Arc<[u8]> = encode(&photo(1200, 900), ImageFormat::Jpeg).into();
    // What one photo reserves, alone.
    let alone = ImageProcessor::with_workers(PipelineConfig::default(), 1);
    alone
        .process(bytes.clone(), FocalPoint::default())
        .await
        .unwrap();
    let one = alone.memory_budget().peak();
    assert!(one > 1200 * 900 * 3, "at least its pixels: {one}");
    assert_eq!(alone.memory_budget().in_use(), 0);

    // Four workers, memory for one and a half photos: they run one at a
    // time, and all of them get through.
    let config = PipelineConfig {
        memory_budget: one * 3 / 2,
        ..PipelineConfig::default()
    };
    let processor = ImageProcessor::with_workers(config, 4);
    let jobs: Vec<_> = (0..6)
        .map(|_| {
            let processor = processor.clone();
            let bytes = bytes.clone();
            tokio::spawn(async move { processor.process(bytes, FocalPoint::default()).await })
        })
        .collect();
    for job in jobs {
        assert_eq!(job.await.unwrap().unwrap().renditions.len(), 10);
    }
    let budget = processor.memory_budget();
    assert_eq!(budget.total(), one * 3 / 2);
    assert!(budget.peak() <= budget.total(), "{budget:?}");
    assert_eq!(budget.peak(), one, "never two photos at once");
    assert_eq!(budget.peak_images(), 1);
    assert_eq!(budget.in_use(), 0);
}
