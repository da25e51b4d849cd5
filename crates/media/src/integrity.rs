//! Whether an image file is whole. Decoders are lenient: given the first
//! third of a JPEG they paint the rest grey and report no error, so the
//! structure of each format is walked to its end mark first (a JPEG's
//! EOI after its last scan, a PNG's IEND chunk, the size a WebP's RIFF
//! header declares, a GIF's blocks through to its trailer).

use crate::error::{MediaError, Result};
use crate::sniff::MediaType;

/// What the walk learnt on the way, for the memory estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FileLayout {
    /// A progressive JPEG: the decoder keeps every coefficient of the
    /// image until its last scan.
    pub progressive: bool,
    /// A JPEG's colour components (3 for YCbCr, 4 for CMYK).
    pub components: u8,
}

/// Refuses a file that ends before its last part with
/// [`MediaError::Truncated`].
pub(crate) fn check_complete(bytes: &[u8], media_type: MediaType) -> Result<FileLayout> {
    match media_type {
        MediaType::Jpeg => jpeg(bytes),
        MediaType::Png => png(bytes).map(|()| FileLayout::default()),
        MediaType::Webp => webp(bytes).map(|()| FileLayout::default()),
        MediaType::Gif => gif(bytes).map(|()| FileLayout::default()),
        _ => Ok(FileLayout::default()),
    }
}

fn damaged(what: &str) -> MediaError {
    MediaError::Undecodable(what.to_owned())
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

/// Segments up to the end of image (EOI) marker, through the entropy-coded
/// data of every scan. Anything after EOI (padding, a camera's trailer)
/// is left alone.
fn jpeg(bytes: &[u8]) -> Result<FileLayout> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err(damaged("no JPEG start of image"));
    }
    let mut layout = FileLayout::default();
    let mut at = 2;
    loop {
        // Bytes between segments are skipped, as decoders do.
        let Some(ff) = bytes[at..].iter().position(|&b| b == 0xFF) else {
            return Err(MediaError::Truncated);
        };
        at += ff;
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let Some(&marker) = bytes.get(at) else {
            return Err(MediaError::Truncated);
        };
        at += 1;
        match marker {
            0xD9 => return Ok(layout),
            // Markers without a length.
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        let len = be16(bytes, at).ok_or(MediaError::Truncated)?;
        if len < 2 {
            return Err(damaged("JPEG segment shorter than its length field"));
        }
        let end = at + len;
        if end > bytes.len() {
            return Err(MediaError::Truncated);
        }
        // Start of frame: every SOFn but DHT (C4), JPG (C8) and DAC (CC).
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            layout.progressive |= matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
            layout.components = layout
                .components
                .max(bytes.get(at + 7).copied().unwrap_or(0));
        }
        at = end;
        if marker == 0xDA {
            at = entropy_coded_end(bytes, at)?;
        }
    }
}

/// Where a scan's entropy-coded data ends: at the first marker that is not
/// a stuffed 0xFF 0x00 nor a restart marker.
fn entropy_coded_end(bytes: &[u8], mut at: usize) -> Result<usize> {
    loop {
        let ff = bytes[at..]
            .iter()
            .position(|&b| b == 0xFF)
            .ok_or(MediaError::Truncated)?;
        at += ff;
        match bytes.get(at + 1) {
            None => return Err(MediaError::Truncated),
            Some(0x00 | 0xD0..=0xD7) => at += 2,
            Some(0xFF) => at += 1,
            Some(_) => return Ok(at),
        }
    }
}

/// Chunks up to IEND.
fn png(bytes: &[u8]) -> Result<()> {
    let mut at = 8;
    loop {
        let header = bytes.get(at..at + 8).ok_or(MediaError::Truncated)?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        if len > 0x7FFF_FFFF {
            return Err(damaged("PNG chunk length out of range"));
        }
        let end = at + 12 + len as usize;
        if end > bytes.len() {
            return Err(MediaError::Truncated);
        }
        if &header[4..8] == b"IEND" {
            return Ok(());
        }
        at = end;
    }
}

/// The size the RIFF header declares, and every chunk within it.
fn webp(bytes: &[u8]) -> Result<()> {
    let riff = bytes
        .get(4..8)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or(MediaError::Truncated)?;
    if riff < 4 + 8 {
        return Err(damaged("WebP RIFF size too small"));
    }
    let end = 8 + riff;
    if end > bytes.len() {
        return Err(MediaError::Truncated);
    }
    let mut at = 12;
    while at < end {
        let header = bytes.get(at..at + 8).ok_or(MediaError::Truncated)?;
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let chunk_end = at + 8 + size;
        if chunk_end > end {
            return Err(if chunk_end > bytes.len() {
                MediaError::Truncated
            } else {
                damaged("WebP chunk larger than its file")
            });
        }
        // Chunks are padded to an even size; some writers leave out the
        // last padding byte from the RIFF size.
        at = chunk_end + (size & 1);
    }
    Ok(())
}

/// Blocks through to the trailer. A file that stops right after a whole
/// image (some writers leave out the trailer) is complete.
fn gif(bytes: &[u8]) -> Result<()> {
    let flags = *bytes.get(10).ok_or(MediaError::Truncated)?;
    let mut at = 13 + colour_table(flags);
    let mut images = 0;
    loop {
        let Some(&block) = bytes.get(at) else {
            return if images > 0 {
                Ok(())
            } else {
                Err(MediaError::Truncated)
            };
        };
        match block {
            0x3B => return Ok(()),
            0x21 => at = sub_blocks(bytes, at + 2)?,
            0x2C => {
                let flags = *bytes.get(at + 9).ok_or(MediaError::Truncated)?;
                // Descriptor, local colour table, LZW minimum code size.
                at = sub_blocks(bytes, at + 10 + colour_table(flags) + 1)?;
                images += 1;
            }
            // Something else than a block: the decoder has the last word.
            _ => return Ok(()),
        }
    }
}

fn colour_table(flags: u8) -> usize {
    if flags & 0x80 != 0 {
        3 << ((flags & 7) + 1)
    } else {
        0
    }
}

/// Past a chain of data sub-blocks ending with an empty one.
fn sub_blocks(bytes: &[u8], mut at: usize) -> Result<usize> {
    loop {
        let len = *bytes.get(at).ok_or(MediaError::Truncated)? as usize;
        at += 1 + len;
        if len == 0 {
            return Ok(at);
        }
        if at > bytes.len() {
            return Err(MediaError::Truncated);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_markers_and_trailing_bytes() {
        let whole = [
            &[0xFF, 0xD8][..],
            &[0xFF, 0xC2, 0, 11, 8, 0, 1, 0, 1, 3, 0, 0, 0],
            &[0xFF, 0xDA, 0, 2],
            &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56],
            &[0xFF, 0xDA, 0, 2, 0x78],
            &[0xFF, 0xFF, 0xD9],
        ]
        .concat();
        let layout = check_complete(&whole, MediaType::Jpeg).unwrap();
        assert_eq!(
            layout,
            FileLayout {
                progressive: true,
                components: 3
            }
        );
        let padded = [&whole[..], &[0u8; 100], b"camera trailer"].concat();
        assert!(check_complete(&padded, MediaType::Jpeg).is_ok());
        for cut in 2..whole.len() - 1 {
            assert!(
                matches!(
                    check_complete(&whole[..cut], MediaType::Jpeg),
                    Err(MediaError::Truncated)
                ),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn gif_without_trailer_after_a_whole_image_is_complete() {
        let gif = [
            &b"GIF89a\x01\x00\x01\x00\x00\x00\x00"[..],
            &[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0],
            &[2, 2, 0x44, 0x01, 0],
        ]
        .concat();
        assert!(check_complete(&gif, MediaType::Gif).is_ok());
        assert!(check_complete(&[&gif[..], &[0x3B]].concat(), MediaType::Gif).is_ok());
        for cut in 6..gif.len() {
            assert!(
                matches!(
                    check_complete(&gif[..cut], MediaType::Gif),
                    Err(MediaError::Truncated)
                ),
                "cut at {cut}"
            );
        }
    }
}
