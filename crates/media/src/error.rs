//! The one error of the media crate. Each variant says what the API answers;
//! the web crate owns the mapping (use [`MediaError::http_status`]).

/// A media operation's result.
pub type Result<T, E = MediaError> = std::result::Result<T, E>;

/// Why an upload, a video link or a storage operation was refused or failed.
///
/// Messages are written for the person who uploaded: they never contain a
/// server path or an internal detail (those go to the logs).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// 415: not a type the library accepts (by its content, not its name).
    #[error("this file type is not accepted: {0}; accepted are JPEG, PNG, WebP and GIF images, PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX) and OpenDocument text (ODT) documents, and MP4 videos")]
    UnsupportedType(String),
    /// 422: the file has no content at all.
    #[error("the file is empty")]
    Empty,
    /// 413: the file is larger than the limit for its kind.
    #[error("the file is larger than the limit of {} MB", limit / (1024 * 1024))]
    TooLarge { limit: u64 },
    /// 422: a PDF with active content (scripts, launch actions, XFA forms,
    /// automatic actions) is refused.
    #[error("this PDF contains active content ({0}) and is refused; export it again without scripts or actions")]
    ActiveContent(&'static str),
    /// 422: an Office document with macros, Excel 4.0 macro sheets or
    /// ActiveX controls is refused.
    #[error("this document contains {0} and is refused; save it again as a document without macros (DOCX, XLSX or PPTX)")]
    OfficeActiveContent(&'static str),
    /// 422: a document whose content could not be checked for active
    /// content (an encrypted PDF, a part in an encoding that cannot be
    /// read, more content than the check looks into) is refused rather
    /// than let through unread.
    #[error("this document could not be checked for scripts or macros ({0}) and is refused; save or export it again, without a password")]
    Uncheckable(&'static str),
    /// 422: the image is damaged or not what its signature says.
    #[error("the image could not be read; it may be damaged or incomplete")]
    Undecodable(String),
    /// 422: the image ends before its last part: cut off, most often
    /// during the transfer.
    #[error("the image is incomplete: its end is missing, perhaps cut off during the transfer; send it again")]
    Truncated,
    /// 422: the image has more pixels than the pipeline decodes, or than
    /// the memory shared by the images being processed can hold for its
    /// kind of pixels (a decompression bomb is refused before any pixel
    /// memory is taken).
    #[error("the image is {width}×{height} pixels; the limit is {max_megapixels} megapixels")]
    TooManyPixels {
        width: u32,
        height: u32,
        max_megapixels: u64,
    },
    /// 422: opening the image would take more memory than the pipeline allows
    /// (a decoder's own limit, e.g. a huge frame inside a small GIF).
    #[error("the image is too large to process")]
    OverMemoryLimit,
    /// 422: not a YouTube or Facebook video link.
    #[error("not a YouTube or Facebook video link: {0}")]
    InvalidVideoUrl(&'static str),
    /// 404: no stored file has this name.
    #[error("no stored file is named {0}")]
    NotFound(String),
    /// 500: a stored name that is not one this crate makes (a bug in the caller).
    #[error("invalid stored name")]
    InvalidStoredName(String),
    /// 500: a rendition could not be encoded (logged; not the uploader's fault).
    #[error("the image could not be processed")]
    Encode(String),
    /// 507 when the disk is full, else 500: the storage failed.
    #[error("the file could not be stored")]
    Io(#[from] std::io::Error),
    /// 503: the processing pool was shut down.
    #[error("image processing is unavailable")]
    Unavailable,
}

impl MediaError {
    /// The HTTP status the API answers with for this error.
    pub fn http_status(&self) -> u16 {
        match self {
            MediaError::UnsupportedType(_) => 415,
            MediaError::TooLarge { .. } => 413,
            MediaError::Empty
            | MediaError::ActiveContent(_)
            | MediaError::OfficeActiveContent(_)
            | MediaError::Uncheckable(_)
            | MediaError::Undecodable(_)
            | MediaError::Truncated
            | MediaError::TooManyPixels { .. }
            | MediaError::OverMemoryLimit
            | MediaError::InvalidVideoUrl(_) => 422,
            MediaError::NotFound(_) => 404,
            MediaError::Io(e) if e.kind() == std::io::ErrorKind::StorageFull => 507,
            MediaError::Unavailable => 503,
            MediaError::InvalidStoredName(_) | MediaError::Encode(_) | MediaError::Io(_) => 500,
        }
    }

    /// A stable identifier for problem+json `type` (e.g. `unsupported-type`).
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::UnsupportedType(_) => "unsupported-type",
            MediaError::Empty => "empty-file",
            MediaError::TooLarge { .. } => "too-large",
            MediaError::ActiveContent(_) => "active-content",
            MediaError::OfficeActiveContent(_) => "office-active-content",
            MediaError::Uncheckable(_) => "uncheckable-document",
            MediaError::Undecodable(_) => "undecodable-image",
            MediaError::Truncated => "truncated-image",
            MediaError::TooManyPixels { .. } | MediaError::OverMemoryLimit => "image-too-large",
            MediaError::InvalidVideoUrl(_) => "invalid-video-url",
            MediaError::NotFound(_) => "not-found",
            MediaError::InvalidStoredName(_) => "invalid-stored-name",
            MediaError::Encode(_) => "encode-failed",
            MediaError::Io(e) if e.kind() == std::io::ErrorKind::StorageFull => "storage-full",
            MediaError::Io(_) => "storage-failed",
            MediaError::Unavailable => "unavailable",
        }
    }
}
