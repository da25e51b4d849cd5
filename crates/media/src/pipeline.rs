//! The image pipeline: one decode under limits, the EXIF orientation
//! applied, every rendition re-encoded from pixels (so no metadata survives:
//! no EXIF, no GPS, no XMP, no ICC), resized with `fast_image_resize`. A
//! photo with a colour profile (Display P3 from phones) is converted to
//! sRGB, which browsers assume for images without one.
//!
//! [`process_image`] is the synchronous CPU work; [`ImageProcessor`] runs it
//! off the async workers on a pool bounded by the number of cores, so
//! uploads never stall page serving.

use std::io::Cursor;
use std::sync::Arc;

use fast_image_resize::images::Image as FirImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};
use moxcms::{ColorProfile, Layout, Transform8BitExecutor, TransformOptions};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::error::{MediaError, Result};
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

/// Decodes `bytes` once and makes the whole rendition set.
pub fn process_image(
    bytes: &[u8],
    focal: FocalPoint,
    config: &PipelineConfig,
) -> Result<Processed> {
    if bytes.len() as u64 > config.max_bytes {
        return Err(MediaError::TooLarge {
            limit: config.max_bytes,
        });
    }
    let media_type = sniff(bytes)?;
    let (pixels, exif_orientation) = decode(bytes, media_type, config)?;
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

fn decode(bytes: &[u8], media_type: MediaType, config: &PipelineConfig) -> Result<(Pixels, u8)> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(media_type)?);
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
    ))
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

/// Runs [`process_image`] off the async workers, at most one image per core
/// at a time (the rest wait their turn), so uploads never stall page serving.
#[derive(Clone)]
pub struct ImageProcessor {
    config: Arc<PipelineConfig>,
    permits: Arc<Semaphore>,
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
            config: Arc::new(config),
            permits: Arc::new(Semaphore::new(workers.max(1))),
        }
    }

    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Processes an image on the bounded pool.
    pub async fn process(&self, bytes: Arc<[u8]>, focal: FocalPoint) -> Result<Processed> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| MediaError::Unavailable)?;
        let config = Arc::clone(&self.config);
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let started = std::time::Instant::now();
            let result = process_image(&bytes, focal, &config);
            tracing::debug!(
                bytes = bytes.len(),
                ms = started.elapsed().as_millis() as u64,
                ok = result.is_ok(),
                "processed an uploaded image"
            );
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
