//! Files referenced by imported content. Covers and images in bodies are
//! checked here as the media library checks an upload ([`prepare_photo`]),
//! so a plan that passes is one the library accepts; they are then added to
//! the site's library when the plan is written. Logos are stored as they
//! are, under their content hash.

use std::path::{Path, PathBuf};

use tawasul_media::{MediaError, Storage};

/// Largest file the importer takes; the media library has its own limits.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    pub source: PathBuf,
    /// Name in the uploads folder: `<hash>.<ext>`.
    pub stored_name: String,
    /// Public URL: `/uploads/<stored_name>`.
    pub url: String,
}

/// The image type of `bytes`, by signature, with the extension it is stored under.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
        (head.trim_start().starts_with("<?xml") || head.trim_start().starts_with("<svg"))
            .then_some("svg")
            .filter(|_| head.contains("<svg"))
    }
}

/// Reads and checks an image referenced as `reference` from `base_dir`.
pub fn prepare(base_dir: &Path, reference: &str) -> Result<MediaFile, String> {
    let source = base_dir.join(reference);
    let metadata = std::fs::metadata(&source).map_err(|_| {
        format!(
            "the image `{reference}` does not exist (looked for {})",
            source.display()
        )
    })?;
    if !metadata.is_file() {
        return Err(format!("`{reference}` is not a file"));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "the image `{reference}` is {} MB; the limit is {} MB",
            metadata.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(&source).map_err(|e| format!("cannot read `{reference}`: {e}"))?;
    let ext = sniff_image(&bytes)
        .ok_or_else(|| format!("`{reference}` is not a JPEG, PNG, WebP, GIF or SVG image"))?;
    let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes));
    let stored_name = format!("{hash}.{ext}");
    Ok(MediaFile {
        source,
        url: format!("/uploads/{stored_name}"),
        stored_name,
    })
}

/// Reads and checks a photo an entry shows (its cover, an image of its
/// text) as the media library checks an upload: by its content, which must
/// be a JPEG, PNG, WebP or GIF image.
pub fn prepare_photo(base_dir: &Path, reference: &str) -> Result<MediaFile, String> {
    let file = prepare(base_dir, reference)?;
    match tawasul_media::sniff_file(&file.source) {
        Ok(found) if found.is_image() => Ok(file),
        Ok(found) => Err(format!(
            "`{reference}` is a {} file, not a photo",
            found.label()
        )),
        Err(e) => Err(format!(
            "`{reference}` cannot go into the media library: {e}"
        )),
    }
}

/// Copies the file into the media storage (the uploads folder or the
/// bucket) unless it is already there; the storage writes atomically, so a
/// reader never sees half a file.
pub async fn store(file: &MediaFile, storage: &dyn Storage) -> std::io::Result<()> {
    let stored = async {
        if !storage.exists(&file.stored_name).await? {
            storage.put_file(&file.stored_name, &file.source).await?;
        }
        Ok::<_, MediaError>(())
    };
    stored.await.map_err(|e| match e {
        MediaError::Io(e) => e,
        e => std::io::Error::other(e.to_string()),
    })
}

/// Whether a link in a body points at a local file to import.
pub fn is_local_reference(dest: &str) -> bool {
    !(dest.is_empty()
        || dest.starts_with('/')
        || dest.starts_with('#')
        || dest.contains("://")
        || dest.starts_with("data:")
        || dest.starts_with("mailto:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_content_not_name() {
        let table: [(&[u8], Option<&str>); 7] = [
            (&[0xFF, 0xD8, 0xFF, 0xE0], Some("jpg")),
            (b"\x89PNG\r\n\x1a\nrest", Some("png")),
            (b"RIFF\0\0\0\0WEBPVP8 ", Some("webp")),
            (b"GIF89a...", Some("gif")),
            (
                b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                Some("svg"),
            ),
            (b"%PDF-1.7", None),
            (b"MZ\x90\0", None),
        ];
        for (bytes, expected) in table {
            assert_eq!(sniff_image(bytes), expected, "{:?}", &bytes[..4]);
        }
    }

    #[test]
    fn local_references() {
        assert!(is_local_reference("../media/x.jpg"));
        assert!(is_local_reference("x.png"));
        assert!(!is_local_reference("https://example.org/x.png"));
        assert!(!is_local_reference("/uploads/abc.jpg"));
        assert!(!is_local_reference("data:image/png;base64,AAAA"));
    }
}
