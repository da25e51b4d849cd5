//! The media library's core: what an upload is (by its content), the safe
//! names files are stored under, video links, the image pipeline (limits,
//! orientation, metadata stripping, renditions) and the storage of files.
//!
//! No HTTP and no database here: the app crate orchestrates, the web crate
//! maps [`MediaError`] to a status with [`MediaError::http_status`].

mod budget;
mod error;
mod integrity;
pub mod names;
pub mod pipeline;
pub mod sniff;
pub mod storage;
pub mod video;

pub use budget::MemoryBudget;
pub use error::{MediaError, Result};
pub use names::{clean_original_name, stored_name, ContentHash, Hasher};
pub use pipeline::{
    process_image, process_image_within, FocalPoint, ImageProcessor, OriginalImage, PipelineConfig,
    Processed, Rendition, RenditionFormat, RenditionKind,
};
pub use sniff::{sniff, sniff_file, MediaType};
pub use storage::{LocalStorage, SpooledUpload, Storage, StoredFile};

pub use video::{parse_video_url, VideoLink, VideoProvider};
