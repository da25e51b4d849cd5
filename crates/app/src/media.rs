//! The media library's use cases: uploading (spooled to disk, checked by
//! content, stored once per site by content hash, images turned into
//! renditions on the bounded pool), video links, describing an item, the
//! library of a site, where an item is used, deleting an unused item, and
//! what entries need of their images before they go out (alt text, consent).
//!
//! Files live in the [`Storage`] of `[storage]` (the local uploads folder,
//! or a bucket every web node shares), made once when the app opens:
//! images' originals under `originals/` (never served: they keep the
//! phone's EXIF, GPS included, and are kept only to make renditions again),
//! renditions, documents and videos at the top, served by `/uploads/{name}`.
//! Uploads are received into the local uploads folder (`.incoming/`)
//! whatever the backend: they are checked there before being stored.

mod adopt;
mod entry_media;
mod imported;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::Serialize;
use tawasul_domain::{allowed, AuditAction, EntryStatus, FieldErrors, Locale, Operation, Subject};
use tawasul_media::storage::migrate::MigrationReport;
use tawasul_media::storage::{S3Settings, S3Storage};
use tawasul_media::{
    parse_video_url, sniff_file, stored_name, ContentHash, FocalPoint, ImageProcessor,
    LocalStorage, MediaError, MediaType, PipelineConfig, Processed, RenditionFormat, RenditionKind,
    SpooledUpload, Storage,
};
use tawasul_render::markdown::{self, EmbeddedVideo, MediaEmbed, MediaImage};
use tawasul_store::{EntryRow, MediaMeta, MediaRow, NewMedia, NewRendition, RenditionRow};
use tokio::io::AsyncRead;

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::{App, AppError, Config};

pub use adopt::{imported_file_name, AdoptReport};
pub(crate) use entry_media::not_in_library;
pub use entry_media::{parse_media_ids, srcset, OgImage, PictureData, MAX_GALLERY};
pub(crate) use imported::KnownAlts;

/// Largest image or document accepted, in bytes.
pub const MAX_FILE_BYTES: u64 = 30 * 1024 * 1024;
/// Largest MP4 video accepted, in bytes: a few minutes of phone video.
pub const MAX_VIDEO_BYTES: u64 = 200 * 1024 * 1024;
const MAX_ALT_CHARS: usize = 300;
const MAX_CAPTION_CHARS: usize = 1_000;
const MAX_CREDIT_CHARS: usize = 200;
/// Items per page of a library.
pub const PER_PAGE: u64 = 48;
const ORIGINALS: &str = "originals";

/// Rights under which a site may show an item.
pub const RIGHTS: [&str; 4] = ["own", "licensed", "consent_on_file", "public_domain"];

/// One image pipeline per process: its pool is bounded by the cores of the
/// machine, whatever the number of `App`s (tests open several).
fn processor() -> &'static ImageProcessor {
    static PROCESSOR: OnceLock<ImageProcessor> = OnceLock::new();
    PROCESSOR.get_or_init(|| {
        ImageProcessor::new(PipelineConfig {
            max_bytes: MAX_FILE_BYTES,
            ..PipelineConfig::default()
        })
    })
}

/// What an uploader or an editor says about an item. `None` leaves a value
/// as it is (on upload: the default).
#[derive(Debug, Clone, Default)]
pub struct MediaInput {
    pub alt_ar: Option<String>,
    pub alt_fr: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub rights: Option<String>,
    pub depicts_minors: Option<bool>,
    pub focal_x: Option<f32>,
    pub focal_y: Option<f32>,
}

/// A rendition as clients see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RenditionView {
    pub url: String,
    pub width: i32,
    pub height: i32,
    pub format: String,
    /// `width` or `thumbnail`.
    pub purpose: String,
    pub size: i64,
}

/// A linked video, for a privacy-respecting embed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VideoView {
    pub provider: String,
    pub id: String,
    pub url: String,
    pub embed_url: String,
}

/// An item of a library as the API and the admin show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MediaItem {
    pub id: i32,
    pub site: String,
    /// `image`, `document`, `video` or `video_link`.
    pub kind: String,
    pub original_name: String,
    /// Where the item is served: the largest JPEG of an image, the file of
    /// a document or a video, the page of a linked video.
    pub url: String,
    pub thumbnail_url: Option<String>,
    pub mime: String,
    /// "JPEG", "PDF", "YouTube"…
    pub type_label: String,
    pub size: i64,
    pub size_label: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub alt_ar: String,
    pub alt_fr: String,
    pub caption: String,
    pub credit: String,
    pub rights: String,
    pub depicts_minors: bool,
    pub focal_x: f32,
    pub focal_y: f32,
    pub video: Option<VideoView>,
    pub renditions: Vec<RenditionView>,
    pub uploaded_by: Option<i32>,
    pub created_at: String,
    pub updated_at: String,
}

/// The result of an upload: the item, and whether it is new (`false`: the
/// site already held this very file, which was not stored again).
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub item: MediaItem,
    pub created: bool,
}

/// An entry that uses an item.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MediaUse {
    pub entry_id: i32,
    pub title: String,
    pub status: String,
    pub locale: String,
    pub deleted: bool,
}

/// A page of a site's library.
#[derive(Debug, Clone, Serialize)]
pub struct MediaPage {
    pub items: Vec<MediaItem>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// A received upload waiting to be checked and stored; its temporary file
/// goes when it is dropped.
#[derive(Debug)]
pub struct ReceivedFile {
    spooled: SpooledUpload,
    original_name: String,
}

/// `"1.2 MB"`, `"350 KB"`.
pub fn size_label(bytes: i64) -> String {
    let bytes = bytes.max(0) as f64;
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes / 1024.0).ceil().max(1.0))
    }
}

fn upload_url(name: &str) -> String {
    format!("/uploads/{name}")
}

fn time_text(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn type_label(row: &MediaRow) -> String {
    if let Some(provider) = &row.video_provider {
        return match provider.as_str() {
            "youtube" => "YouTube".to_owned(),
            "facebook" => "Facebook".to_owned(),
            other => other.to_owned(),
        };
    }
    let known = [
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Webp,
        MediaType::Gif,
        MediaType::Pdf,
        MediaType::Docx,
        MediaType::Xlsx,
        MediaType::Pptx,
        MediaType::Odt,
        MediaType::Mp4,
    ];
    known
        .into_iter()
        .find(|t| t.mime() == row.mime)
        .map_or_else(|| row.mime.clone(), |t| t.label().to_owned())
}

fn item_view(row: &MediaRow, site_slug: &str, renditions: &[RenditionRow]) -> MediaItem {
    let mine: Vec<&RenditionRow> = renditions.iter().filter(|r| r.media_id == row.id).collect();
    let largest_jpeg = mine
        .iter()
        .filter(|r| r.purpose == "width" && r.format == "jpeg")
        .max_by_key(|r| r.width);
    let thumbnail = mine
        .iter()
        .find(|r| r.purpose == "thumbnail" && r.format == "jpeg")
        .map(|r| upload_url(&r.stored_name));
    let video = match (&row.video_provider, &row.video_id) {
        (Some(provider), Some(id)) => {
            let (url, embed_url) = match provider.as_str() {
                "youtube" => (
                    format!("https://www.youtube.com/watch?v={id}"),
                    format!("https://www.youtube-nocookie.com/embed/{id}"),
                ),
                _ => {
                    // A numeric id is a video's; anything else is the
                    // short code of an fb.watch link.
                    let page = if id.bytes().all(|b| b.is_ascii_digit()) {
                        format!("https://www.facebook.com/watch/?v={id}")
                    } else {
                        format!("https://fb.watch/{id}/")
                    };
                    let href: String =
                        url::form_urlencoded::byte_serialize(page.as_bytes()).collect();
                    (
                        page,
                        format!("https://www.facebook.com/plugins/video.php?href={href}"),
                    )
                }
            };
            Some(VideoView {
                provider: provider.clone(),
                id: id.clone(),
                url,
                embed_url,
            })
        }
        _ => None,
    };
    let url = match (&video, largest_jpeg) {
        (Some(video), _) => video.url.clone(),
        (None, Some(jpeg)) => upload_url(&jpeg.stored_name),
        (None, None) => upload_url(&row.stored_name),
    };
    MediaItem {
        id: row.id,
        site: site_slug.to_owned(),
        kind: row.kind.clone(),
        original_name: row.original_name.clone(),
        url,
        thumbnail_url: thumbnail,
        mime: row.mime.clone(),
        type_label: type_label(row),
        size: row.size,
        size_label: size_label(row.size),
        width: row.width,
        height: row.height,
        alt_ar: row.alt_ar.clone(),
        alt_fr: row.alt_fr.clone(),
        caption: row.caption.clone(),
        credit: row.credit.clone(),
        rights: row.rights.clone(),
        depicts_minors: row.depicts_minors,
        focal_x: row.focal_x,
        focal_y: row.focal_y,
        video,
        renditions: mine
            .iter()
            .map(|r| RenditionView {
                url: upload_url(&r.stored_name),
                width: r.width,
                height: r.height,
                format: r.format.clone(),
                purpose: r.purpose.clone(),
                size: r.size,
            })
            .collect(),
        uploaded_by: row.uploaded_by,
        created_at: time_text(row.created_at),
        updated_at: time_text(row.updated_at),
    }
}

/// The checked metadata of an item: `base` with `input` applied.
fn checked_meta(base: MediaMeta, input: &MediaInput) -> Result<MediaMeta, AppError> {
    let mut errors = FieldErrors::new();
    let mut text = |field: &str, value: &Option<String>, max: usize, current: String| match value {
        None => current,
        Some(v) => {
            let v = v.trim().to_owned();
            if v.chars().count() > max {
                errors.add(field, format!("keep it under {max} characters"));
            }
            v
        }
    };
    let alt_ar = text("alt_ar", &input.alt_ar, MAX_ALT_CHARS, base.alt_ar);
    let alt_fr = text("alt_fr", &input.alt_fr, MAX_ALT_CHARS, base.alt_fr);
    let caption = text("caption", &input.caption, MAX_CAPTION_CHARS, base.caption);
    let credit = text("credit", &input.credit, MAX_CREDIT_CHARS, base.credit);
    let rights = match input.rights.as_deref().map(str::trim) {
        None | Some("") => base.rights,
        Some(r) if RIGHTS.contains(&r) => r.to_owned(),
        Some(_) => {
            errors.add(
                "rights",
                "choose the rights: own, licensed, consent_on_file or public_domain",
            );
            base.rights
        }
    };
    let mut focal = |field: &str, value: Option<f32>, current: f32| match value {
        None => current,
        Some(v) if (0.0..=1.0).contains(&v) => v,
        Some(_) => {
            errors.add(
                field,
                "a focal point is a fraction of the image, from 0 to 1",
            );
            current
        }
    };
    let focal_x = focal("focal_x", input.focal_x, base.focal_x);
    let focal_y = focal("focal_y", input.focal_y, base.focal_y);
    errors.into_result()?;
    Ok(MediaMeta {
        alt_ar,
        alt_fr,
        caption,
        credit,
        rights,
        depicts_minors: input.depicts_minors.unwrap_or(base.depicts_minors),
        focal_x,
        focal_y,
    })
}

pub(crate) fn default_meta() -> MediaMeta {
    MediaMeta {
        alt_ar: String::new(),
        alt_fr: String::new(),
        caption: String::new(),
        credit: String::new(),
        rights: "own".to_owned(),
        depicts_minors: false,
        focal_x: 0.5,
        focal_y: 0.5,
    }
}

fn meta_of(row: &MediaRow) -> MediaMeta {
    MediaMeta {
        alt_ar: row.alt_ar.clone(),
        alt_fr: row.alt_fr.clone(),
        caption: row.caption.clone(),
        credit: row.credit.clone(),
        rights: row.rights.clone(),
        depicts_minors: row.depicts_minors,
        focal_x: row.focal_x,
        focal_y: row.focal_y,
    }
}

fn new_renditions(processed: &Processed) -> Vec<NewRendition> {
    processed
        .renditions
        .iter()
        .map(|r| NewRendition {
            width: r.width as i32,
            height: r.height as i32,
            format: match r.format {
                RenditionFormat::Webp => "webp".to_owned(),
                RenditionFormat::Jpeg => "jpeg".to_owned(),
            },
            purpose: match r.kind {
                RenditionKind::Width(_) => "width".to_owned(),
                RenditionKind::Thumbnail(_) => "thumbnail".to_owned(),
            },
            stored_name: r.name.clone(),
            size: r.bytes.len() as i64,
        })
        .collect()
}

/// A media item counts, for permissions, as a draft nobody owns: editors
/// and above describe and delete any item; contributors only upload.
const ITEM_SUBJECT: Subject = Subject {
    status: EntryStatus::Draft,
    own: false,
    deleted: false,
};

/// The storage `[storage]` names. A bucket is checked once here (a tiny
/// object written, read and removed), so a wrong key or an unreachable
/// endpoint stops the start with a sentence that names what to fix.
pub(crate) async fn open_storage(config: &Config) -> Result<Arc<dyn Storage>, AppError> {
    let storage = &config.storage;
    if storage.backend != "s3" {
        return Ok(Arc::new(LocalStorage::new(config.uploads_dir())));
    }
    // Checked again here: a configuration made in code skips `Config::load`.
    storage.validate()?;
    let bucket = S3Storage::new(&S3Settings {
        endpoint: storage.endpoint.clone(),
        region: storage.region.clone(),
        bucket: storage.bucket.clone(),
        path_style: storage.path_style,
        prefix: storage.prefix.clone(),
        access_key_id: storage.access_key_id.clone(),
        secret_access_key: storage.secret_access_key.clone(),
    })
    .map_err(|e| AppError::Config(format!("storage: {e}")))?;
    bucket
        .check()
        .await
        .map_err(|e| AppError::Config(e.to_string()))?;
    tracing::info!(endpoint = %storage.endpoint, bucket = %storage.bucket, prefix = %storage.prefix, "media files are stored in a bucket");
    Ok(Arc::new(bucket))
}

impl App {
    /// Where media files are stored (the backend of `[storage]`).
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    /// The local folder uploads are received into before they are checked
    /// and stored, whatever the backend.
    fn spool_folder(&self) -> LocalStorage {
        LocalStorage::new(self.config.uploads_dir())
    }

    /// Copies a local uploads folder (`from`) into the configured bucket:
    /// what `tawasul storage migrate` does. Resumable, each copy verified
    /// by its hash (see [`tawasul_media::storage::migrate`]).
    pub async fn migrate_uploads(
        &self,
        from: &Path,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<MigrationReport, AppError> {
        if self.config.storage.backend != "s3" {
            return Err(AppError::Config(
                "storage.backend is \"local\": the files are already where they are served; set [storage] backend = \"s3\" and the bucket first".to_owned(),
            ));
        }
        tawasul_media::storage::migrate::copy_folder(from, self.storage.as_ref(), progress)
            .await
            .map_err(|e| match e {
                MediaError::NotFound(folder) => AppError::NotFound(format!("the folder {folder}")),
                e => AppError::Media(e),
            })
    }

    /// The site (by slug) where the viewer may use the library.
    fn library_site(&self, viewer: &Viewer, site_slug: &str) -> Result<(i32, String), AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(site_slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{site_slug}`")))?;
        if !viewer.may(&network, site.id, Operation::Create) {
            return Err(AppError::Forbidden(format!(
                "you may not use the media library of {}",
                site.slug
            )));
        }
        Ok((site.id, site.slug.clone()))
    }

    /// An item the viewer may see (any role on its site), with its site's slug.
    async fn media_row_for(
        &self,
        viewer: &Viewer,
        id: i32,
    ) -> Result<(MediaRow, String), AppError> {
        let row = self
            .store()
            .media(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("media #{id}")))?;
        let network = self.network();
        let site = network
            .site(row.site_id)
            .ok_or_else(|| AppError::NotFound(format!("media #{id}")))?;
        if !viewer.may(&network, row.site_id, Operation::Create) {
            return Err(AppError::Forbidden(format!(
                "media #{id} belongs to the library of {}, where you have no role",
                site.slug
            )));
        }
        Ok((row, site.slug.clone()))
    }

    pub(crate) async fn media_item_of(
        &self,
        row: &MediaRow,
        site_slug: &str,
    ) -> Result<MediaItem, AppError> {
        let renditions = self.store().renditions_of(&[row.id]).await?;
        Ok(item_view(row, site_slug, &renditions))
    }

    /// Checks that the viewer may upload to the site, before anything is
    /// read from the request.
    pub fn may_upload(&self, viewer: &Viewer, site_slug: &str) -> Result<(), AppError> {
        self.library_site(viewer, site_slug).map(|_| ())
    }

    /// Receives an upload into a temporary file, hashing it on the way and
    /// refusing it past the largest limit (the type's own limit is checked
    /// once the content is known).
    pub async fn receive_media(
        &self,
        original_name: &str,
        reader: &mut (dyn AsyncRead + Send + Unpin),
    ) -> Result<ReceivedFile, AppError> {
        let spooled = self
            .spool_folder()
            .spool(reader, MAX_VIDEO_BYTES)
            .await
            .map_err(AppError::Media)?;
        Ok(ReceivedFile {
            spooled,
            original_name: tawasul_media::clean_original_name(original_name),
        })
    }

    /// Stores a received file in the site's library: checked by its
    /// content, stored once per site (the same file again answers the item
    /// already there), images turned into renditions off the async workers.
    pub async fn add_media(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        file: ReceivedFile,
        input: MediaInput,
    ) -> Result<Uploaded, AppError> {
        let (site_id, site_slug) = self.library_site(viewer, site_slug)?;
        let meta = checked_meta(default_meta(), &input)?;
        self.store_upload(site_id, &site_slug, file, meta, Some(viewer.user.id))
            .await
    }

    /// What every upload goes through once its uploader may add to the
    /// site: the content checks, the size limits, one item per file and
    /// site, the renditions. Imports come in here too, with no uploader.
    pub(crate) async fn store_upload(
        &self,
        site_id: i32,
        site_slug: &str,
        file: ReceivedFile,
        meta: MediaMeta,
        uploaded_by: Option<i32>,
    ) -> Result<Uploaded, AppError> {
        let site_slug = site_slug.to_owned();
        // Reading a large PDF and inflating its streams takes a while: off
        // the async workers, like the image pipeline.
        let path = file.spooled.path().to_owned();
        let media_type = tokio::task::spawn_blocking(move || sniff_file(&path))
            .await
            .map_err(|e| AppError::io("checking an upload", std::io::Error::other(e)))?
            .map_err(AppError::Media)?;
        let limit = if media_type.is_video() {
            MAX_VIDEO_BYTES
        } else {
            MAX_FILE_BYTES
        };
        if file.spooled.len > limit {
            return Err(AppError::Media(MediaError::TooLarge { limit }));
        }
        let hash = file.spooled.hash.hex();
        if let Some(existing) = self.store().media_by_hash(site_id, &hash).await? {
            return Ok(Uploaded {
                item: self.media_item_of(&existing, &site_slug).await?,
                created: false,
            });
        }
        let storage = self.storage();
        let mut new = NewMedia {
            site_id,
            kind: String::new(),
            original_name: file.original_name.clone(),
            stored_name: String::new(),
            mime: media_type.mime().to_owned(),
            size: file.spooled.len as i64,
            width: None,
            height: None,
            hash: hash.clone(),
            meta,
            video_provider: None,
            video_id: None,
            uploaded_by,
        };
        let mut renditions = Vec::new();
        if media_type.is_image() {
            let bytes = tokio::fs::read(file.spooled.path())
                .await
                .map_err(|e| AppError::Media(e.into()))?;
            let focal = FocalPoint::new(new.meta.focal_x, new.meta.focal_y);
            let processed = processor()
                .process(Arc::from(bytes), focal)
                .await
                .map_err(AppError::Media)?;
            for r in &processed.renditions {
                store_if_missing(storage, &r.name, r.bytes.clone()).await?;
            }
            new.kind = "image".to_owned();
            new.width = Some(processed.original.width as i32);
            new.height = Some(processed.original.height as i32);
            new.stored_name = format!(
                "{ORIGINALS}/{}",
                stored_name(&file.spooled.hash, media_type)
            );
            renditions = new_renditions(&processed);
        } else {
            new.kind = if media_type.is_video() {
                "video"
            } else {
                "document"
            }
            .to_owned();
            new.stored_name = stored_name(&file.spooled.hash, media_type);
        }
        if !storage
            .exists(&new.stored_name)
            .await
            .map_err(AppError::Media)?
        {
            storage
                .put_file(&new.stored_name, file.spooled.path())
                .await
                .map_err(AppError::Media)?;
        }
        let (row, created) = self.store().insert_media(&new, &renditions).await?;
        if created {
            tracing::info!(
                media = row.id,
                site = %site_slug,
                kind = %row.kind,
                bytes = row.size,
                "a file was added to a media library"
            );
        }
        Ok(Uploaded {
            item: self.media_item_of(&row, &site_slug).await?,
            created,
        })
    }

    /// Adds a link to a YouTube or Facebook video to the site's library.
    pub async fn add_video_link(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        url: &str,
        input: MediaInput,
    ) -> Result<Uploaded, AppError> {
        let (site_id, site_slug) = self.library_site(viewer, site_slug)?;
        let meta = checked_meta(default_meta(), &input)?;
        self.store_video_link(site_id, &site_slug, url, meta, Some(viewer.user.id))
            .await
    }

    /// Adds a video link to a site's library once its adder may: also what
    /// an import does with the videos an old site embedded.
    pub(crate) async fn store_video_link(
        &self,
        site_id: i32,
        site_slug: &str,
        url: &str,
        meta: MediaMeta,
        uploaded_by: Option<i32>,
    ) -> Result<Uploaded, AppError> {
        let link = parse_video_url(url).map_err(AppError::Media)?;
        let provider = match link.provider {
            tawasul_media::VideoProvider::Youtube => "youtube",
            tawasul_media::VideoProvider::Facebook => "facebook",
        };
        // One item per video and site, as for files.
        let hash = ContentHash::of(format!("video:{provider}:{}", link.id).as_bytes()).hex();
        let new = NewMedia {
            site_id,
            kind: "video_link".to_owned(),
            original_name: link.canonical_url.clone(),
            stored_name: String::new(),
            mime: String::new(),
            size: 0,
            width: None,
            height: None,
            hash,
            meta,
            video_provider: Some(provider.to_owned()),
            video_id: Some(link.id.clone()),
            uploaded_by,
        };
        let (row, created) = self.store().insert_media(&new, &[]).await?;
        Ok(Uploaded {
            item: self.media_item_of(&row, site_slug).await?,
            created,
        })
    }

    /// An item of a library.
    pub async fn media_item(&self, viewer: &Viewer, id: i32) -> Result<MediaItem, AppError> {
        let (row, site) = self.media_row_for(viewer, id).await?;
        self.media_item_of(&row, &site).await
    }

    /// A site's library, newest first; `query` keeps the items whose file
    /// name, alt texts or caption hold every word of it.
    pub async fn media_library(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        query: &str,
        page: u64,
    ) -> Result<MediaPage, AppError> {
        let (site_id, site_slug) = self.library_site(viewer, site_slug)?;
        let words: Vec<String> = query
            .split_whitespace()
            .take(8)
            .map(str::to_owned)
            .collect();
        let page = page.max(1);
        let found = self
            .store()
            .search_media(site_id, &words, page, PER_PAGE)
            .await?;
        let ids: Vec<i32> = found.items.iter().map(|r| r.id).collect();
        let renditions = self.store().renditions_of(&ids).await?;
        Ok(MediaPage {
            items: found
                .items
                .iter()
                .map(|row| item_view(row, &site_slug, &renditions))
                .collect(),
            total: found.total,
            page,
            pages: found.total.div_ceil(PER_PAGE).max(1),
        })
    }

    /// Whether the viewer may describe (`Edit`) or delete (`Delete`) items
    /// of the site's library.
    pub fn may_manage_media(&self, viewer: &Viewer, site_id: i32, op: Operation) -> bool {
        let network = self.network();
        allowed(&viewer.actor(&network, site_id), op, Some(&ITEM_SUBJECT))
    }

    /// Describes an item: alt texts, caption, credit, rights, minors, focal
    /// point. Entries showing it are rendered again, so a corrected alt
    /// text reaches the public pages at once.
    pub async fn update_media(
        &self,
        viewer: &Viewer,
        id: i32,
        input: MediaInput,
    ) -> Result<MediaItem, AppError> {
        let (row, site) = self.media_row_for(viewer, id).await?;
        if !self.may_manage_media(viewer, row.site_id, Operation::Edit) {
            return Err(AppError::Forbidden(
                "describing the items of a library takes an editor's role".into(),
            ));
        }
        let meta = checked_meta(meta_of(&row), &input)?;
        let focal_moved = meta.focal_x != row.focal_x || meta.focal_y != row.focal_y;
        let updated = self
            .store()
            .update_media_meta(id, &meta)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("media #{id}")))?;
        let withdrawn = row.kind == "image" && !lacks_consent(&row) && lacks_consent(&updated);
        let restored = row.kind == "image" && lacks_consent(&row) && !lacks_consent(&updated);
        if withdrawn {
            self.withhold_photo(viewer, &updated).await?;
        } else if restored {
            if self.store().renditions_of(&[id]).await?.is_empty() {
                // Consent is back on file: the photo is made again from its
                // original, and the entries that name it show it again.
                self.remake_renditions(&updated).await?;
            }
            self.audit(AuditEntry {
                site: Some(updated.site_id),
                target: &audit_name(&updated),
                ..AuditEntry::new(AuditAction::MediaConsentRecorded, Some(viewer.user.id))
            })
            .await?;
        } else if focal_moved && row.kind == "image" {
            self.remake_thumbnail(&updated).await?;
        }
        self.rerender_entries_using(&updated).await?;
        self.media_item_of(&updated, &site).await
    }

    /// Alt texts typed beside an entry's photos in the editor, in the
    /// entry's language. Only those that differ from the library's are
    /// written, each as an edit of its item (so the entries showing it are
    /// rendered again); returns how many changed.
    pub async fn describe_photos(
        &self,
        viewer: &Viewer,
        locale: Locale,
        alts: &[(i32, String)],
    ) -> Result<usize, AppError> {
        let mut changed = 0;
        for (id, alt) in alts {
            let item = self.media_item(viewer, *id).await?;
            let (current, mut input) = (
                match locale {
                    Locale::Fr => &item.alt_fr,
                    _ => &item.alt_ar,
                },
                MediaInput::default(),
            );
            if current.trim() == alt.trim() {
                continue;
            }
            match locale {
                Locale::Fr => input.alt_fr = Some(alt.trim().to_owned()),
                _ => input.alt_ar = Some(alt.trim().to_owned()),
            }
            self.update_media(viewer, *id, input).await?;
            changed += 1;
        }
        Ok(changed)
    }

    /// A photo of minors whose consent was withdrawn stops being shown at
    /// once: its renditions are deleted (so no address of it answers any
    /// more; the private original stays, to make them again if consent
    /// comes back), the entries showing it are rendered without it, the
    /// publishers over each published one are told, and the change is in
    /// the audit log.
    async fn withhold_photo(&self, viewer: &Viewer, row: &MediaRow) -> Result<(), AppError> {
        let storage = self.storage();
        for purpose in ["width", "thumbnail"] {
            let freed = self
                .store()
                .replace_renditions(row.id, purpose, &[])
                .await?;
            remove_files(storage, &freed).await;
        }
        let using = self.entries_using(row).await?;
        let now = time::OffsetDateTime::now_utc();
        let mut mails = Vec::new();
        for entry in using.iter().filter(|e| crate::editorial::is_live(e, now)) {
            mails.extend(
                self.photo_withheld_mails(entry, Some(&viewer.user), &describe(row))
                    .await?,
            );
        }
        if !mails.is_empty() {
            self.store().queue_mail_batch(&mails).await?;
        }
        let ids: Vec<String> = using.iter().map(|e| e.id.to_string()).collect();
        self.audit(AuditEntry {
            site: Some(row.site_id),
            target: &audit_name(row),
            detail: &format!("entries: {}", ids.join(",")),
            ..AuditEntry::new(AuditAction::MediaConsentWithdrawn, Some(viewer.user.id))
        })
        .await?;
        tracing::info!(
            media = row.id,
            entries = using.len(),
            "consent withdrawn: a photo is no longer shown"
        );
        Ok(())
    }

    /// Makes every rendition of a photo again from its original.
    async fn remake_renditions(&self, row: &MediaRow) -> Result<(), AppError> {
        self.remake(row, &["width", "thumbnail"]).await
    }

    /// Crops the square thumbnail again around the item's focal point.
    async fn remake_thumbnail(&self, row: &MediaRow) -> Result<(), AppError> {
        self.remake(row, &["thumbnail"]).await
    }

    /// Makes a photo's renditions of these purposes again from its
    /// original, around its focal point, and lets go of the files they
    /// replace.
    async fn remake(&self, row: &MediaRow, purposes: &[&str]) -> Result<(), AppError> {
        let storage = self.storage();
        let original = storage
            .get(&row.stored_name)
            .await
            .map_err(AppError::Media)?;
        let processed = processor()
            .process(
                Arc::from(original),
                FocalPoint::new(row.focal_x, row.focal_y),
            )
            .await
            .map_err(AppError::Media)?;
        let all = new_renditions(&processed);
        for (made, kept) in processed.renditions.iter().zip(&all) {
            if purposes.contains(&kept.purpose.as_str()) {
                store_if_missing(storage, &made.name, made.bytes.clone()).await?;
            }
        }
        for purpose in purposes {
            let these: Vec<NewRendition> = all
                .iter()
                .filter(|r| r.purpose == *purpose)
                .cloned()
                .collect();
            let freed = self
                .store()
                .replace_renditions(row.id, purpose, &these)
                .await?;
            remove_files(storage, &freed).await;
        }
        Ok(())
    }

    /// Entries of the item's site whose text, cover or gallery shows it.
    async fn entries_using(&self, row: &MediaRow) -> Result<Vec<EntryRow>, AppError> {
        let candidates = self
            .store()
            .entries_mentioning(
                row.site_id,
                &format!("{}{}", markdown::MEDIA_SCHEME, row.id),
                row.id,
            )
            .await?;
        Ok(candidates
            .into_iter()
            .filter(|entry| {
                markdown::media_references(&entry.body_md)
                    .iter()
                    .any(|r| r.id == row.id)
                    || entry.cover_url.as_deref().and_then(markdown::media_id) == Some(row.id)
                    || entry.cover_media_id == Some(row.id)
                    || tawasul_store::gallery_ids(&entry.gallery).contains(&row.id)
            })
            .collect())
    }

    /// The entries that use an item and that the viewer may open: those
    /// they may read the drafts of (deleted ones included for a site admin:
    /// they may come back), and those readers see now. Others' drafts and
    /// the trash are nobody else's business, not even by title.
    pub async fn media_usage(&self, viewer: &Viewer, id: i32) -> Result<Vec<MediaUse>, AppError> {
        let (row, _) = self.media_row_for(viewer, id).await?;
        let (visible, _) = self.split_by_reader(viewer, self.entries_using(&row).await?);
        Ok(visible
            .into_iter()
            .map(|e| MediaUse {
                entry_id: e.id,
                title: e.title,
                status: e.status,
                locale: e.locale,
                deleted: e.deleted_at.is_some(),
            })
            .collect())
    }

    /// Entries the viewer may open, and how many others there are.
    fn split_by_reader(&self, viewer: &Viewer, entries: Vec<EntryRow>) -> (Vec<EntryRow>, usize) {
        let network = self.network();
        let now = time::OffsetDateTime::now_utc();
        let (visible, hidden): (Vec<EntryRow>, Vec<EntryRow>) =
            entries.into_iter().partition(|e| {
                viewer.may_on(&network, e, Operation::ReadDrafts)
                    || crate::editorial::is_live(e, now)
            });
        (visible, hidden.len())
    }

    /// Deletes an item no entry uses, and the files no other item shares.
    pub async fn delete_media(&self, viewer: &Viewer, id: i32) -> Result<(), AppError> {
        let (row, _) = self.media_row_for(viewer, id).await?;
        if !self.may_manage_media(viewer, row.site_id, Operation::Delete) {
            return Err(AppError::Forbidden(
                "deleting the items of a library takes an editor's role".into(),
            ));
        }
        let used = self.entries_using(&row).await?;
        if !used.is_empty() {
            let count = used.len();
            let (visible, hidden) = self.split_by_reader(viewer, used);
            let mut names: Vec<String> = visible
                .iter()
                .take(5)
                .map(|e| format!("«{}» (#{})", e.title, e.id))
                .collect();
            if hidden > 0 {
                names.push(format!(
                    "{hidden} {} you cannot open",
                    if hidden == 1 { "entry" } else { "entries" }
                ));
            }
            return Err(AppError::Conflict(format!(
                "{} is used by {}: take it out of {} first",
                describe(&row),
                names.join(", "),
                if count == 1 {
                    "this entry"
                } else {
                    "these entries"
                }
            )));
        }
        let freed = self.store().delete_media(id).await?;
        remove_files(self.storage(), &freed).await;
        tracing::info!(media = id, files = freed.len(), "a media item was deleted");
        self.audit(AuditEntry {
            site: Some(row.site_id),
            target: &audit_name(&row),
            detail: &row.hash,
            ..AuditEntry::new(AuditAction::MediaDelete, Some(viewer.user.id))
        })
        .await?;
        Ok(())
    }

    /// The library items a body refers to, as the renderer shows them in
    /// `locale`.
    async fn media_embeds(
        &self,
        site_id: i32,
        locale: &str,
        body: &str,
    ) -> Result<HashMap<i32, (MediaRow, MediaEmbed)>, AppError> {
        let mut ids: Vec<i32> = markdown::media_references(body)
            .iter()
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let rows = self.store().media_of_site(site_id, &ids).await?;
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let renditions = self.store().renditions_of(&ids).await?;
        let mut found = HashMap::new();
        for row in rows {
            // A photo without renditions (its consent was withdrawn) is
            // not shown at all, rather than as an empty frame.
            if row.kind == "image" && !renditions.iter().any(|r| r.media_id == row.id) {
                continue;
            }
            let embed = embed_of(&row, locale, &renditions);
            found.insert(row.id, (row, embed));
        }
        Ok(found)
    }

    /// An entry's Markdown rendered to safe HTML, its `media:<id>`
    /// references resolved against its site's library.
    pub(crate) async fn render_body(
        &self,
        site_id: i32,
        locale: &str,
        body: &str,
    ) -> Result<String, AppError> {
        if !body.contains(markdown::MEDIA_SCHEME) {
            return Ok(markdown::to_safe_html(body));
        }
        let embeds = self.media_embeds(site_id, locale, body).await?;
        Ok(markdown::to_safe_html_with_media(body, &|id| {
            embeds.get(&id).map(|(_, embed)| embed.clone())
        }))
    }

    /// [`App::render_body`] with the blocks holding `changed` lines marked,
    /// for a reviewer.
    pub(crate) async fn render_body_marking(
        &self,
        site_id: i32,
        locale: &str,
        body: &str,
        changed: &[usize],
    ) -> Result<String, AppError> {
        let embeds = if body.contains(markdown::MEDIA_SCHEME) {
            self.media_embeds(site_id, locale, body).await?
        } else {
            Default::default()
        };
        Ok(markdown::to_safe_html_marking_changes(
            body,
            &|id| embeds.get(&id).map(|(_, embed)| embed.clone()),
            changed,
        ))
    }

    /// The references of a body that name no item of the site's library.
    pub(crate) async fn unknown_media(
        &self,
        site_id: i32,
        body: &str,
    ) -> Result<Vec<i32>, AppError> {
        let mut ids: Vec<i32> = markdown::media_references(body)
            .iter()
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let known: Vec<i32> = self
            .store()
            .media_of_site(site_id, &ids)
            .await?
            .iter()
            .map(|r| r.id)
            .collect();
        Ok(ids.into_iter().filter(|id| !known.contains(id)).collect())
    }

    /// What the images of an entry need before it goes out: alt text in
    /// the entry's language, and consent on file for photos of minors.
    /// Refused with every offending photo named.
    pub(crate) async fn check_media_rules(&self, row: &EntryRow) -> Result<(), AppError> {
        let references = markdown::media_references(&row.body_md);
        let embeds = if references.is_empty() {
            HashMap::new()
        } else {
            self.media_embeds(row.site_id, &row.locale, &row.body_md)
                .await?
        };
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for reference in references.iter().filter(|r| r.image) {
            let Some((media, _)) = embeds.get(&reference.id) else {
                problems.push(entry_media::not_in_library(reference.id));
                continue;
            };
            if media.kind != "image" || seen.contains(&(reference.id, reference.text.is_empty())) {
                continue;
            }
            seen.push((reference.id, reference.text.is_empty()));
            let library_alt = if row.locale == "fr" {
                &media.alt_fr
            } else {
                &media.alt_ar
            };
            if reference.text.trim().is_empty() && library_alt.trim().is_empty() {
                problems.push(entry_media::without_alt(media, &row.locale));
            }
            if media.depicts_minors && media.rights != "consent_on_file" {
                problems.push(entry_media::minors_without_consent(media));
            }
        }
        let pictures = self.entry_media_problems(row).await?;
        if problems.is_empty() && pictures.is_empty() {
            return Ok(());
        }
        let mut errors = FieldErrors::new();
        for problem in problems {
            errors.add_problem("body", problem);
        }
        // The cover's and the gallery's photos are named beside the
        // gallery field of the editor (the cover's field is next to it).
        let field = if row.cover_media_id.is_some()
            && tawasul_store::gallery_ids(&row.gallery).is_empty()
        {
            "cover_media"
        } else {
            "gallery"
        };
        for problem in pictures {
            errors.add_problem(field, problem);
        }
        Err(AppError::Invalid(errors))
    }

    /// Renders again the entries that show an item (its alt text or its
    /// renditions changed) and drops their cached pages.
    async fn rerender_entries_using(&self, row: &MediaRow) -> Result<(), AppError> {
        for entry in self.entries_using(row).await? {
            let html = self
                .render_body(entry.site_id, &entry.locale, &entry.body_md)
                .await?;
            let body_changed = html != entry.body_html;
            if body_changed {
                self.store().refresh_body_html(entry.id, &html).await?;
            }
            // The cover's alt text and renditions are kept with the entry;
            // the gallery is read with its page, which only needs dropping.
            let mut cover_changed = false;
            if entry.cover_media_id == Some(row.id) {
                // A cover without renditions shows nothing, but stays the
                // entry's cover: it comes back with the photo's consent.
                let cover = self
                    .resolve_cover(entry.site_id, &entry.locale, row.id)
                    .await?
                    .unwrap_or(tawasul_store::CoverEdit {
                        media_id: Some(row.id),
                        ..Default::default()
                    });
                if entry.cover_image != cover.image
                    || entry.cover_alt != cover.alt
                    || entry.cover_url != cover.url
                {
                    self.store().refresh_entry_cover(entry.id, &cover).await?;
                    cover_changed = true;
                }
            }
            let in_gallery = tawasul_store::gallery_ids(&entry.gallery).contains(&row.id);
            if !(body_changed || cover_changed || in_gallery) {
                continue;
            }
            let before = self.entry_facts(&entry).await?;
            let after = EntryRow {
                body_html: html,
                ..entry
            };
            self.entry_changed(Some(before), &after).await?;
        }
        Ok(())
    }

    /// Removes temporary upload files (under `uploads/`, `.incoming`
    /// included) older than an hour: what a crash or a killed process left.
    /// Run when a server starts; a failure is logged, never fatal.
    pub async fn clean_stale_uploads(&self) -> usize {
        match self
            .spool_folder()
            .remove_stale_temp_files(Duration::from_secs(3600))
            .await
        {
            Ok(removed) => removed,
            Err(e) => {
                tracing::warn!(error = %e, "could not clean the temporary upload files");
                0
            }
        }
    }
}

/// A photo of minors without their parents' consent on file: it may not be
/// shown on a public page.
fn lacks_consent(row: &MediaRow) -> bool {
    row.depicts_minors && row.rights != "consent_on_file"
}

/// How the audit log names an item: its file name and library number,
/// which outlive the item.
fn audit_name(row: &MediaRow) -> String {
    format!("{} (media:{})", row.original_name, row.id)
}

/// How a message names an item: «file name» (media:42).
fn describe(row: &MediaRow) -> String {
    format!("the photo «{}» (media:{})", row.original_name, row.id)
}

fn embed_of(row: &MediaRow, locale: &str, renditions: &[RenditionRow]) -> MediaEmbed {
    let view = item_view(row, "", renditions);
    if row.kind == "image" {
        let widths = |format: &str| -> Vec<(String, u32)> {
            view.renditions
                .iter()
                .filter(|r| r.purpose == "width" && r.format == format)
                .map(|r| (r.url.clone(), r.width.max(0) as u32))
                .collect()
        };
        let largest = view
            .renditions
            .iter()
            .filter(|r| r.purpose == "width")
            .max_by_key(|r| r.width);
        MediaEmbed::Image(MediaImage {
            alt: if locale == "fr" {
                row.alt_fr.clone()
            } else {
                row.alt_ar.clone()
            },
            width: largest.map_or(0, |r| r.width.max(0) as u32),
            height: largest.map_or(0, |r| r.height.max(0) as u32),
            webp: widths("webp"),
            jpeg: widths("jpeg"),
            caption: row.caption.clone(),
            credit: row.credit.clone(),
        })
    } else if let (Some(video), "video_link") = (&view.video, row.kind.as_str()) {
        let (title, notice) = video_texts(locale, &view.type_label);
        let title = [&row.caption, &alt_of(row, locale)]
            .into_iter()
            .find(|t| !t.trim().is_empty())
            .cloned()
            .unwrap_or(title);
        MediaEmbed::VideoLink {
            video: EmbeddedVideo {
                provider: video.provider.clone(),
                id: video.id.clone(),
                url: video.url.clone(),
                title,
                notice,
            },
            label: view.type_label,
        }
    } else {
        let label = format!("{}, {}", view.type_label, view.size_label);
        if row.kind == "video" {
            MediaEmbed::VideoFile {
                url: view.url,
                label,
            }
        } else {
            MediaEmbed::File {
                url: view.url,
                label,
            }
        }
    }
}

fn alt_of(row: &MediaRow, locale: &str) -> String {
    if locale == "fr" {
        row.alt_fr.clone()
    } else {
        row.alt_ar.clone()
    }
}

/// A linked video's default title and the notice that says where it plays
/// from, in the entry's language: the words sit in the stored HTML of the
/// entry, which is the same whatever the theme.
fn video_texts(locale: &str, site: &str) -> (String, String) {
    if locale == "fr" {
        (
            format!("Vidéo sur {site}"),
            format!("Lire la vidéo : elle est chargée depuis {site} seulement après votre clic."),
        )
    } else {
        (
            format!("فيديو على {site}"),
            format!("تشغيل الفيديو: لا يُحمَّل من {site} إلا بعد النقر."),
        )
    }
}

/// Stores a content-named file unless it is there (same name, same bytes).
async fn store_if_missing(
    storage: &Arc<dyn Storage>,
    name: &str,
    bytes: Vec<u8>,
) -> Result<(), AppError> {
    if !storage.exists(name).await.map_err(AppError::Media)? {
        storage.put(name, bytes).await.map_err(AppError::Media)?;
    }
    Ok(())
}

/// Removes files no row refers to any more; a failure is logged (an
/// orphan file costs disk, not correctness).
async fn remove_files(storage: &Arc<dyn Storage>, names: &[String]) {
    for name in names {
        if let Err(e) = storage.delete(name).await {
            tracing::warn!(file = %name, error = %e, "could not remove a media file");
        }
    }
}
