//! Where an old site's file is found: in a local copy of its upload folder
//! (`--uploads DIR`), or on the old site itself (`--fetch-media`), fetched
//! with timeouts, a few retries and a size cap. Either way it then goes
//! through the same checks as any upload.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use percent_encoding::percent_decode_str;

use crate::media::MAX_VIDEO_BYTES;

/// Where files are taken from.
#[derive(Debug, Clone, Default)]
pub struct FileSources {
    pub uploads: Option<PathBuf>,
    pub fetch: bool,
}

/// The path under `dir` of a file of the old site: the part after
/// `/wp-content/uploads/` for WordPress, else its file name (a Blogger
/// image saved from its page). `None` for a path that would leave `dir`.
pub fn local_candidates(dir: &Path, url: &str) -> Vec<PathBuf> {
    let no_query = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode_str(no_query)
        .decode_utf8_lossy()
        .into_owned();
    let mut relative = Vec::new();
    if let Some(at) = decoded.find("/wp-content/uploads/") {
        let rest = &decoded[at + "/wp-content/uploads/".len()..];
        relative.push(rest.to_owned());
        // The export names a size of the photo; the original is the best.
        if let Some(key) = crate::import::convert::media_key(no_query) {
            if let Some(original) = key.strip_prefix("uploads/") {
                if original != rest {
                    relative.insert(0, original.to_owned());
                }
            }
        }
    } else if let Some(name) = decoded.rsplit('/').next().filter(|n| !n.is_empty()) {
        relative.push(name.to_owned());
    }
    relative
        .into_iter()
        .map(PathBuf::from)
        .filter(|p| p.components().all(|c| matches!(c, Component::Normal(_))))
        .map(|p| dir.join(p))
        .collect()
}

/// The local file for `url`, if the upload folder holds it.
pub fn find_local(sources: &FileSources, url: &str) -> Option<PathBuf> {
    let dir = sources.uploads.as_deref()?;
    local_candidates(dir, url).into_iter().find(|p| p.is_file())
}

/// Downloads `url` into memory, at most `MAX_VIDEO_BYTES`: three tries,
/// a connection timeout of 10 s, 60 s for the whole transfer.
pub async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest_tls::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .redirect(reqwest_tls::redirect::Policy::limited(5))
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
    let mut last = String::new();
    for attempt in 0..3u32 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
        }
        match fetch_once(&client, url).await {
            Ok(bytes) => return Ok(bytes),
            Err((message, retry)) => {
                last = message;
                if !retry {
                    break;
                }
            }
        }
    }
    Err(last)
}

/// One try; the error says whether another try could help.
async fn fetch_once(client: &reqwest_tls::Client, url: &str) -> Result<Vec<u8>, (String, bool)> {
    let mut response = client
        .get(url)
        .send()
        .await
        .map_err(|e| (format!("cannot download {url}: {e}"), true))?;
    let status = response.status();
    if !status.is_success() {
        return Err((format!("{url} answered {status}"), status.is_server_error()));
    }
    if response
        .content_length()
        .is_some_and(|len| len > MAX_VIDEO_BYTES)
    {
        return Err((format!("{url} is larger than the largest upload"), false));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| (format!("the download of {url} broke off: {e}"), true))?
    {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > MAX_VIDEO_BYTES {
            return Err((format!("{url} is larger than the largest upload"), false));
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_looked_for_where_the_upload_folder_kept_them() {
        let dir = Path::new("/copy");
        assert_eq!(
            local_candidates(
                dir,
                "https://old.ma/wp-content/uploads/2019/05/photo-300x200.jpg"
            ),
            vec![
                PathBuf::from("/copy/2019/05/photo.jpg"),
                PathBuf::from("/copy/2019/05/photo-300x200.jpg")
            ]
        );
        assert_eq!(
            local_candidates(dir, "https://old.ma/wp-content/uploads/2019/05/%D8%B5.png"),
            vec![PathBuf::from("/copy/2019/05/ص.png")]
        );
        assert_eq!(
            local_candidates(dir, "https://1.bp.blogspot.com/-a/s1600/photo.jpg"),
            vec![PathBuf::from("/copy/photo.jpg")]
        );
    }

    #[test]
    fn no_path_leaves_the_upload_folder() {
        let dir = Path::new("/copy");
        assert!(local_candidates(dir, "/wp-content/uploads/../../etc/passwd").is_empty());
        assert!(local_candidates(dir, "/wp-content/uploads/%2e%2e/x").is_empty());
    }
}
