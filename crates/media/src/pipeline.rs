//! The image pipeline: one decode under limits, the EXIF orientation
//! applied, every rendition re-encoded from pixels (so no metadata survives:
//! no EXIF, no GPS, no XMP, no ICC), resized with `fast_image_resize`. A
//! photo with a colour profile (Display P3 from phones) is converted to
//! sRGB, which browsers assume for images without one.
//!
//! [`process_image`] is the synchronous CPU work; [`ImageProcessor`] runs it
//! off the async workers on a pool bounded by the number of cores, so
//! uploads never stall page serving. Memory is bounded across the pool, not
//! per image: each image reserves what it will take from a
//! [`MemoryBudget`] before it is decoded (see [`PipelineConfig::memory_budget`]).
//!
//! A file that ends before its last part (cut off in transfer) is refused
//! before decoding: decoders would paint the missing part grey.

use std::io::Cursor;
use std::sync::Arc;

use fast_image_resize::images::Image as FirImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};
use moxcms::{ColorProfile, Layout, Transform8BitExecutor, TransformOptions};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::budget::{MemoryBudget, Reservation};
use crate::error::{MediaError, Result};
use crate::integrity::{check_complete, FileLayout};
use crate::names::ContentHash;
use crate::sniff::{sniff, MediaType};

/// What the pipeline makes and the limits it decodes under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// Widths of the renditions; never upscaled (an image narrower than a
    /// width gets one rendition at its own width instead).
    pub widths: Vec<u32>,
    /// Formats every rendition is made in.
    pub formats: Vec<RenditionFormat>,
    /// JPEG quality, 1–100.
    pub jpeg_quality: u8,
    /// Lossy WebP quality, 0–100.
    pub webp_quality: f32,
    /// libwebp's effort, 0 (fast) – 6 (small); 2 measured twice as fast as
    /// libwebp's default 4 for files about 1% larger.
    pub webp_method: u8,
    /// Side of the square thumbnail cropped around the focal point; none if `None`.
    pub thumbnail: Option<u32>,
    /// Largest number of pixels decoded (width × height as declared).
    pub max_pixels: u64,
    /// Largest allocation a decoder may make, in bytes.
    pub max_alloc: u64,
    /// Largest input accepted, in bytes.
    pub max_bytes: u64,
    /// Bytes of memory all the images being processed at once may take
    /// together (an [`ImageProcessor`]'s whole pool shares them). Each image
    /// reserves its share, estimated from its header, before it is decoded
    /// and waits while others hold the budget; one that alone needs more is
    /// refused with [`MediaError::TooManyPixels`].
    pub memory_budget: u64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            widths: vec![320, 640, 1024, 1600],
            formats: vec![RenditionFormat::Webp, RenditionFormat::Jpeg],
            jpeg_quality: 80,
            webp_quality: 75.0,
            webp_method: 2,
            thumbnail: Some(400),
            max_pixels: 50_000_000,
            max_alloc: 512 * 1024 * 1024,
            max_bytes: 30 * 1024 * 1024,
            memory_budget: 512 * 1024 * 1024,
        }
    }
}

/// The format of a rendition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RenditionFormat {
    Webp,
    Jpeg,
}

impl RenditionFormat {
    pub fn mime(self) -> &'static str {
        match self {
            RenditionFormat::Webp => "image/webp",
            RenditionFormat::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            RenditionFormat::Webp => "webp",
            RenditionFormat::Jpeg => "jpg",
        }
    }
}

/// Which rendition of the set this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "size")]
pub enum RenditionKind {
    /// Scaled to this width (the configured one, or the original's when narrower).
    Width(u32),
    /// The square thumbnail of this side.
    Thumbnail(u32),
}

/// Where the subject of a photo is, as fractions of its width and height
/// (after orientation); the square thumbnail is cropped around it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FocalPoint {
    pub x: f32,
    pub y: f32,
}

impl Default for FocalPoint {
    fn default() -> Self {
        Self { x: 0.5, y: 0.5 }
    }
}

impl FocalPoint {
    /// A focal point, clamped into the image (NaN counts as the centre).
    pub fn new(x: f32, y: f32) -> Self {
        let clamp = |v: f32| if v.is_nan() { 0.5 } else { v.clamp(0.0, 1.0) };
        Self {
            x: clamp(x),
            y: clamp(y),
        }
    }
}

/// One generated file.
#[derive(Clone, PartialEq, Eq)]
pub struct Rendition {
    pub kind: RenditionKind,
    pub width: u32,
    pub height: u32,
    pub format: RenditionFormat,
    /// The encoded file, free of metadata.
    pub bytes: Vec<u8>,
    /// The name it is stored under: `<sha256 of bytes>.<webp|jpg>`.
    pub name: String,
}

impl std::fmt::Debug for Rendition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendition")
            .field("kind", &self.kind)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("bytes", &self.bytes.len())
            .field("name", &self.name)
            .finish()
    }
}

/// What the pipeline learnt about the uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginalImage {
    pub media_type: MediaType,
    /// Dimensions as shown, after the EXIF orientation.
    pub width: u32,
    pub height: u32,
    /// The hash of the uploaded bytes (the original's stored name).
    pub hash: ContentHash,
    pub size: u64,
    /// The EXIF orientation found (1–8; 1 when none).
    pub exif_orientation: u8,
}

/// The result of processing one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    pub original: OriginalImage,
    pub renditions: Vec<Rendition>,
}

/// Decodes `bytes` once and makes the whole rendition set, within a
/// memory budget of its own of [`PipelineConfig::memory_budget`] bytes.
pub fn process_image(
    bytes: &[u8],
    focal: FocalPoint,
    config: &PipelineConfig,
) -> Result<Processed> {
    process_image_within(
        bytes,
        focal,
        config,
        &MemoryBudget::new(config.memory_budget),
    )
}

/// Decodes `bytes` once and makes the whole rendition set, holding its
/// share of `budget` (shared with the other images being processed) from
/// before decoding until the renditions are made; blocks the calling
/// thread while the budget is taken.
pub fn process_image_within(
    bytes: &[u8],
    focal: FocalPoint,
    config: &PipelineConfig,
    budget: &MemoryBudget,
) -> Result<Processed> {
    if bytes.len() as u64 > config.max_bytes {
        return Err(MediaError::TooLarge {
            limit: config.max_bytes,
        });
    }
    let media_type = sniff(bytes)?;
    let (pixels, exif_orientation, _reservation) = decode(bytes, media_type, config, budget)?;
    let original = OriginalImage {
        media_type,
        width: pixels.width(),
        height: pixels.height(),
        hash: ContentHash::of(bytes),
        size: bytes.len() as u64,
        exif_orientation,
    };
    let renditions = render(&pixels, focal, config)?;
    Ok(Processed {
        original,
        renditions,
    })
}

/// Decoded, upright pixels: RGB8, or RGBA8 when the image has transparency.
pub(crate) struct Pixels {
    image: FirImage<'static>,
    /// From the photo's colour profile to sRGB, when it has one we can
    /// read: the renditions carry no profile, and browsers read untagged
    /// images as sRGB, so a Display P3 photo would look dull without it.
    to_srgb: Option<Arc<Transform8BitExecutor>>,
}

impl Pixels {
    fn width(&self) -> u32 {
        self.image.width()
    }

    fn height(&self) -> u32 {
        self.image.height()
    }
}

fn image_format(media_type: MediaType) -> Result<ImageFormat> {
    match media_type {
        MediaType::Jpeg => Ok(ImageFormat::Jpeg),
        MediaType::Png => Ok(ImageFormat::Png),
        MediaType::Webp => Ok(ImageFormat::WebP),
        MediaType::Gif => Ok(ImageFormat::Gif),
        other => Err(MediaError::UnsupportedType(format!(
            "a {} file is not an image",
            other.label()
        ))),
    }
}

fn decode_error(e: ImageError) -> MediaError {
    match e {
        ImageError::Limits(_) => MediaError::OverMemoryLimit,
        other => MediaError::Undecodable(other.to_string()),
    }
}

fn decode(
    bytes: &[u8],
    media_type: MediaType,
    config: &PipelineConfig,
    budget: &MemoryBudget,
) -> Result<(Pixels, u8, Reservation)> {
    let format = image_format(media_type)?;
    let layout = check_complete(bytes, media_type)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(config.max_alloc);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > config.max_pixels {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            max_megapixels: config.max_pixels / 1_000_000,
        });
    }
    if width == 0 || height == 0 {
        return Err(MediaError::Undecodable("zero-sized image".into()));
    }
    // A damaged EXIF block is no reason to refuse the photo: it stays as taken.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    // Likewise a damaged colour profile: the pixels are kept as they are.
    let icc = decoder.icc_profile().ok().flatten();
    let need = memory_needed(
        &Shape {
            width,
            height,
            decoded: decoder.total_bytes(),
            color: decoder.color_type(),
            media_type,
            layout,
            turned: turns(orientation),
            icc: icc.is_some(),
        },
        config,
    );
    let reservation = budget.reserve(need).ok_or_else(|| {
        // The most pixels of this kind the budget holds, for the message.
        let pixels = u64::from(width) * u64::from(height);
        let per_pixel = need.div_ceil(pixels.max(1)).max(1);
        MediaError::TooManyPixels {
            width,
            height,
            max_megapixels: (budget.total() / per_pixel).min(config.max_pixels) / 1_000_000,
        }
    })?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    let exif_orientation = orientation_number(orientation);
    let (w, h) = (image.width(), image.height());
    let alpha = image.color().has_alpha();
    let to_srgb = icc.and_then(|icc| srgb_transform(&icc, alpha));
    let fir = if alpha {
        FirImage::from_vec_u8(w, h, image.into_rgba8().into_raw(), PixelType::U8x4)
    } else {
        FirImage::from_vec_u8(w, h, image.into_rgb8().into_raw(), PixelType::U8x3)
    }
    .map_err(|e| MediaError::Encode(e.to_string()))?;
    Ok((
        Pixels {
            image: fir,
            to_srgb,
        },
        exif_orientation,
        reservation,
    ))
}

/// Whether an orientation swaps width and height (the image crate turns a
/// copy; flips and half turns are done in place).
fn turns(o: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
}

/// What an image's header says about the memory it will take.
struct Shape {
    width: u32,
    height: u32,
    /// Bytes of the decoder's output.
    decoded: u64,
    color: image::ColorType,
    media_type: MediaType,
    layout: FileLayout,
    turned: bool,
    icc: bool,
}

/// Memory taken besides the buffers counted: a sixteenth of them (measured
/// peaks exceed the count by up to 5%) and a few MiB whatever the image.
fn with_slack(counted: u64) -> u64 {
    counted + counted / 16 + 4 * 1024 * 1024
}

/// The most memory processing an image takes at once: the largest of its
/// phases (decoding, turning, converting to 8-bit RGB(A), making the
/// renditions), each counting the buffers alive together in it.
fn memory_needed(shape: &Shape, config: &PipelineConfig) -> u64 {
    let (w, h) = (u64::from(shape.width), u64::from(shape.height));
    let pixels = w * h;
    let d = shape.decoded;
    let alpha = shape.color.has_alpha();
    let channels: u64 = if alpha { 4 } else { 3 };
    let rgb = pixels * channels;
    // The decoders' own buffers, besides their output.
    let decoder = match shape.media_type {
        MediaType::Jpeg if shape.layout.progressive => {
            // Every coefficient (two bytes) of every component until the
            // last scan, on blocks padded to 16 pixels.
            2 * u64::from(shape.layout.components.max(1)) * (w + 16) * (h + 16)
        }
        // Upsampling rows and colour conversion (CMYK) of baseline JPEG.
        MediaType::Jpeg => d,
        // A frame's indices and its composition.
        MediaType::Gif => 2 * pixels,
        // Lossless WebP decodes to ARGB words, lossy to YUV planes, plus alpha.
        MediaType::Webp => 5 * pixels,
        // Rows being unfiltered.
        _ => 16 * w,
    };
    let decoding = d + decoder;
    let turning = if shape.turned { 2 * d } else { d };
    let converting = if matches!(
        shape.color,
        image::ColorType::Rgb8 | image::ColorType::Rgba8
    ) {
        d
    } else {
        d + rgb
    };
    let (rw, rh) = if shape.turned {
        (shape.height, shape.width)
    } else {
        (shape.width, shape.height)
    };
    let rendering = rendering_needed(rw, rh, channels, alpha, shape.icc, config);
    with_slack(decoding.max(turning).max(converting).max(rendering))
}

/// The memory [`render`] takes for an upright image of `w`×`h` pixels of
/// `channels` bytes, following its steps.
fn rendering_needed(
    w: u32,
    h: u32,
    channels: u64,
    alpha: bool,
    icc: bool,
    config: &PipelineConfig,
) -> u64 {
    let size = |w: u32, h: u32| u64::from(w) * u64::from(h) * channels;
    // A resize goes through an intermediate image (one pass each way) and,
    // with alpha, first premultiplies a copy of its source.
    let resizing = |(sw, sh): (u32, u32), (dw, dh): (u32, u32)| {
        let intermediate = (u64::from(dw) * u64::from(sh)).max(u64::from(sw) * u64::from(dh));
        let premultiplied = if alpha { size(sw, sh) } else { 0 };
        intermediate * channels + premultiplied
    };
    let mut held = size(w, h);
    let mut peak = held;
    let mut largest = 0;
    let mut widths: Vec<u32> = config.widths.iter().map(|&x| x.clamp(1, w)).collect();
    widths.sort_unstable_by(|a, b| b.cmp(a));
    widths.dedup();
    let mut scaled: Vec<(u32, u32)> = Vec::with_capacity(widths.len());
    for &width in &widths {
        let dst = (width, scaled_height(w, h, width));
        let work = if width == w {
            0
        } else {
            resizing(scaled.last().copied().unwrap_or((w, h)), dst)
        };
        peak = peak.max(held + size(dst.0, dst.1) + work);
        held += size(dst.0, dst.1);
        largest = largest.max(size(dst.0, dst.1));
        scaled.push(dst);
    }
    if let Some(side) = config.thumbnail {
        let source = scaled
            .iter()
            .rev()
            .copied()
            .find(|&(sw, sh)| sw.min(sh) >= side.saturating_mul(2))
            .unwrap_or((w, h));
        let side = side.clamp(1, source.0.min(source.1));
        peak = peak.max(held + size(side, side) + resizing(source, (side, side)));
        held += size(side, side);
        largest = largest.max(size(side, side));
    }
    if icc {
        // The conversion to sRGB copies each rendition.
        peak = peak.max(held + largest);
    }
    // Encoding: the encoders' own buffers and their output (more with
    // alpha: libwebp compresses the alpha plane losslessly, and the JPEG
    // is made from a copy flattened on white).
    let encoding = if alpha { 8 * largest } else { 4 * largest };
    peak.max(held + encoding)
}

/// A transform from an embedded ICC profile to sRGB, for RGB(A) pixels.
/// `None` for a profile that cannot be read or does not describe RGB (a
/// CMYK or grey profile on pixels the decoder already made RGB).
fn srgb_transform(icc: &[u8], alpha: bool) -> Option<Arc<Transform8BitExecutor>> {
    let source = ColorProfile::new_from_slice(icc).ok()?;
    let layout = if alpha { Layout::Rgba } else { Layout::Rgb };
    source
        .create_transform_8bit(
            layout,
            &ColorProfile::new_srgb(),
            layout,
            TransformOptions::default(),
        )
        .ok()
}

/// Converts an image's pixels to sRGB in place; a failure leaves them as
/// they were (a colour shift is better than no photo).
fn convert_to_srgb(image: &mut FirImage<'static>, transform: &Transform8BitExecutor) {
    let source = image.buffer().to_vec();
    if let Err(e) = transform.transform(&source, image.buffer_mut()) {
        tracing::warn!(error = %e, "colour profile conversion failed; pixels kept as decoded");
        image.buffer_mut().copy_from_slice(&source);
    }
}

fn orientation_number(o: image::metadata::Orientation) -> u8 {
    use image::metadata::Orientation::*;
    match o {
        NoTransforms => 1,
        FlipHorizontal => 2,
        Rotate180 => 3,
        FlipVertical => 4,
        Rotate90FlipH => 5,
        Rotate90 => 6,
        Rotate270FlipH => 7,
        Rotate270 => 8,
    }
}

fn resize_options() -> ResizeOptions {
    ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
}

fn render(pixels: &Pixels, focal: FocalPoint, config: &PipelineConfig) -> Result<Vec<Rendition>> {
    let (src_w, src_h) = (pixels.width(), pixels.height());
    let pixel_type = pixels.image.pixel_type();
    let mut resizer = Resizer::new();

    // Widths to make, largest first; those at or above the original's width
    // collapse into one rendition at the original's width.
    let mut widths: Vec<u32> = config.widths.iter().map(|&w| w.clamp(1, src_w)).collect();
    widths.sort_unstable_by(|a, b| b.cmp(a));
    widths.dedup();

    let mut scaled: Vec<(u32, FirImage<'static>)> = Vec::with_capacity(widths.len());
    for &width in &widths {
        let height = scaled_height(src_w, src_h, width);
        let image = if width == src_w {
            pixels.image.copy()
        } else {
            // Each size is made from the next larger one: the quality loss of
            // a cascade of downscales of 1.5× or more is invisible and the
            // large resize is done once.
            let source = scaled.last().map_or(&pixels.image, |(_, img)| img);
            let mut dst = FirImage::new(width, height, pixel_type);
            resizer
                .resize(source, &mut dst, &resize_options())
                .map_err(|e| MediaError::Encode(e.to_string()))?;
            // The resizer keeps its work buffers (a premultiplied copy of
            // the source, an intermediate image) for the next call: the
            // first, from the original, are the size of a photo.
            resizer.reset_internal_buffers();
            dst
        };
        scaled.push((width, image));
    }

    let mut thumb = match config.thumbnail {
        Some(side) => {
            // Crop from the smallest scaled copy still at least twice the
            // thumbnail (sharp and cheap), else from the original.
            let source = scaled
                .iter()
                .rev()
                .map(|(_, img)| img)
                .find(|img| img.width().min(img.height()) >= side.saturating_mul(2))
                .unwrap_or(&pixels.image);
            Some(thumbnail(&mut resizer, source, side, focal)?)
        }
        None => None,
    };

    // Colours are converted on the renditions, a fraction of the
    // original's pixels, once every size is made from unconverted ones.
    if let Some(transform) = &pixels.to_srgb {
        for (_, image) in &mut scaled {
            convert_to_srgb(image, transform.as_ref());
        }
        if let Some(thumb) = &mut thumb {
            convert_to_srgb(thumb, transform.as_ref());
        }
    }

    let mut out = Vec::with_capacity((scaled.len() + 1) * config.formats.len());
    for (width, image) in &scaled {
        for &format in &config.formats {
            out.push(encode(image, format, RenditionKind::Width(*width), config)?);
        }
    }
    if let Some(thumb) = &thumb {
        for &format in &config.formats {
            out.push(encode(
                thumb,
                format,
                RenditionKind::Thumbnail(thumb.width()),
                config,
            )?);
        }
    }
    Ok(out)
}

fn scaled_height(src_w: u32, src_h: u32, width: u32) -> u32 {
    let h = (u64::from(src_h) * u64::from(width) + u64::from(src_w) / 2) / u64::from(src_w);
    u32::try_from(h).unwrap_or(u32::MAX).max(1)
}

/// The largest square around the focal point, scaled to `side` (or less
/// when the image is smaller).
fn thumbnail(
    resizer: &mut Resizer,
    source: &FirImage<'static>,
    side: u32,
    focal: FocalPoint,
) -> Result<FirImage<'static>> {
    let (w, h) = (f64::from(source.width()), f64::from(source.height()));
    let crop = w.min(h);
    let focal = FocalPoint::new(focal.x, focal.y);
    let left = (f64::from(focal.x) * w - crop / 2.0).clamp(0.0, w - crop);
    let top = (f64::from(focal.y) * h - crop / 2.0).clamp(0.0, h - crop);
    let side = side.clamp(1, source.width().min(source.height()));
    let mut dst = FirImage::new(side, side, source.pixel_type());
    resizer
        .resize(
            source,
            &mut dst,
            &resize_options().crop(left, top, crop, crop),
        )
        .map_err(|e| MediaError::Encode(e.to_string()))?;
    resizer.reset_internal_buffers();
    Ok(dst)
}

fn encode(
    image: &FirImage<'_>,
    format: RenditionFormat,
    kind: RenditionKind,
    config: &PipelineConfig,
) -> Result<Rendition> {
    let (width, height) = (image.width(), image.height());
    let alpha = image.pixel_type() == PixelType::U8x4;
    let bytes = match format {
        RenditionFormat::Jpeg => {
            let flattened;
            let rgb = if alpha {
                flattened = flatten_on_white(image.buffer());
                &flattened[..]
            } else {
                image.buffer()
            };
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, config.jpeg_quality)
                .encode(rgb, width, height, image::ExtendedColorType::Rgb8)
                .map_err(|e| MediaError::Encode(e.to_string()))?;
            out
        }
        RenditionFormat::Webp => {
            let layout = if alpha {
                webp::PixelLayout::Rgba
            } else {
                webp::PixelLayout::Rgb
            };
            let mut webp_config = webp::WebPConfig::new()
                .map_err(|()| MediaError::Encode("libwebp configuration".into()))?;
            webp_config.lossless = 0;
            webp_config.alpha_compression = 1;
            webp_config.method = i32::from(config.webp_method.min(6));
            webp_config.quality = config.webp_quality.clamp(0.0, 100.0);
            webp::Encoder::new(image.buffer(), layout, width, height)
                .encode_advanced(&webp_config)
                .map_err(|e| MediaError::Encode(format!("WebP: {e:?}")))?
                .to_vec()
        }
    };
    let name = format!("{}.{}", ContentHash::of(&bytes).hex(), format.extension());
    Ok(Rendition {
        kind,
        width,
        height,
        format,
        bytes,
        name,
    })
}

/// RGBA to RGB over a white background (JPEG has no transparency).
fn flatten_on_white(rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.chunks_exact(4) {
        let a = u16::from(px[3]);
        for &c in &px[..3] {
            out.push(((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    out
}

/// Runs [`process_image_within`] off the async workers, at most one image
/// per core at a time (the rest wait their turn), so uploads never stall
/// page serving, and all of them within one [`MemoryBudget`] of
/// [`PipelineConfig::memory_budget`] bytes.
///
/// The renditions of the last images processed are kept (up to
/// [`RECENT_BYTES`]): the same photo arriving again for another site (an
/// import into every directorate, imported photos adopted by the library
/// of each site that shows them) is not decoded and encoded again.
#[derive(Clone)]
pub struct ImageProcessor {
    config: Arc<PipelineConfig>,
    permits: Arc<Semaphore>,
    budget: MemoryBudget,
    recent: Arc<std::sync::Mutex<Recent>>,
}

/// Bytes of renditions an [`ImageProcessor`] keeps from its last images.
pub const RECENT_BYTES: usize = 32 * 1024 * 1024;

/// An image's content and focal point: what its renditions depend on,
/// besides the processor's configuration.
type RecentKey = (ContentHash, u32, u32);

/// The last images processed, oldest first.
#[derive(Default)]
struct Recent {
    items: std::collections::VecDeque<(RecentKey, Arc<Processed>)>,
    bytes: usize,
}

impl Recent {
    fn get(&self, key: &RecentKey) -> Option<Processed> {
        self.items
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, processed)| Processed::clone(processed))
    }

    fn keep(&mut self, key: RecentKey, processed: &Processed) {
        let size: usize = processed.renditions.iter().map(|r| r.bytes.len()).sum();
        if size > RECENT_BYTES || self.items.iter().any(|(k, _)| *k == key) {
            return;
        }
        while self.bytes + size > RECENT_BYTES {
            let Some((_, old)) = self.items.pop_front() else {
                break;
            };
            self.bytes -= old.renditions.iter().map(|r| r.bytes.len()).sum::<usize>();
        }
        self.bytes += size;
        self.items.push_back((key, Arc::new(processed.clone())));
    }
}

impl ImageProcessor {
    /// A processor running as many images at once as there are cores.
    pub fn new(config: PipelineConfig) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::with_workers(config, cores)
    }

    /// A processor running at most `workers` images at once.
    pub fn with_workers(config: PipelineConfig, workers: usize) -> Self {
        Self {
            budget: MemoryBudget::new(config.memory_budget),
            config: Arc::new(config),
            permits: Arc::new(Semaphore::new(workers.max(1))),
            recent: Arc::default(),
        }
    }

    /// The renditions already made of this image, if they are still kept.
    fn recent(&self, key: &RecentKey) -> Option<Processed> {
        self.recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
    }

    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// The memory budget the processor's images share.
    pub fn memory_budget(&self) -> &MemoryBudget {
        &self.budget
    }

    /// Processes an image on the bounded pool.
    pub async fn process(&self, bytes: Arc<[u8]>, focal: FocalPoint) -> Result<Processed> {
        let key = (
            ContentHash::of(&bytes),
            focal.x.to_bits(),
            focal.y.to_bits(),
        );
        if let Some(done) = self.recent(&key) {
            return Ok(done);
        }
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| MediaError::Unavailable)?;
        // The same photo may have been made while this one waited its turn.
        if let Some(done) = self.recent(&key) {
            return Ok(done);
        }
        let config = Arc::clone(&self.config);
        let budget = self.budget.clone();
        let recent = Arc::clone(&self.recent);
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let started = std::time::Instant::now();
            let result = process_image_within(&bytes, focal, &config, &budget);
            tracing::debug!(
                bytes = bytes.len(),
                ms = started.elapsed().as_millis() as u64,
                ok = result.is_ok(),
                "processed an uploaded image"
            );
            // Kept before the permit goes, so the next one in line finds it.
            if let Ok(processed) = &result {
                recent
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .keep(key, processed);
            }
            result
        });
        match task.await {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(error = %e, "image processing task failed");
                Err(MediaError::Encode("the processing task failed".into()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn processed(size: usize) -> Processed {
        Processed {
            original: OriginalImage {
                media_type: MediaType::Jpeg,
                width: 1,
                height: 1,
                hash: ContentHash::of(&[]),
                size: 1,
                exif_orientation: 1,
            },
            renditions: vec![Rendition {
                kind: RenditionKind::Width(1),
                width: 1,
                height: 1,
                format: RenditionFormat::Jpeg,
                bytes: vec![0; size],
                name: String::new(),
            }],
        }
    }

    fn key(n: u8) -> RecentKey {
        (ContentHash::of(&[n]), 0.5f32.to_bits(), 0.5f32.to_bits())
    }

    #[test]
    fn the_last_images_are_kept_within_their_budget_oldest_out_first() {
        let mut recent = Recent::default();
        let third = RECENT_BYTES / 3;
        for n in 0..3 {
            recent.keep(key(n), &processed(third));
        }
        assert!(recent.get(&key(0)).is_some() && recent.get(&key(2)).is_some());
        recent.keep(key(3), &processed(third));
        assert!(recent.get(&key(0)).is_none(), "the oldest made room");
        assert!(recent.get(&key(1)).is_some() && recent.get(&key(3)).is_some());
        assert!(recent.bytes <= RECENT_BYTES);

        // A focal point elsewhere is another set of renditions.
        let moved = (key(1).0, 0.2f32.to_bits(), 0.5f32.to_bits());
        assert!(recent.get(&moved).is_none());

        // An image larger than the whole budget is not kept.
        recent.keep(key(9), &processed(RECENT_BYTES + 1));
        assert!(recent.get(&key(9)).is_none() && recent.get(&key(3)).is_some());
    }
}
