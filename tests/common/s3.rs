//! A real S3 server for the tests: `s3s-fs` (which checks request
//! signatures) on a loopback port over a temporary folder, and the files
//! the media tests upload to it.

use std::io::{Cursor, Write as _};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use image::{ImageFormat, Rgb, RgbImage};
use tawasul_app::Config;
use tempfile::TempDir;

pub const ACCESS_KEY: &str = "tawasul-test-key";
pub const SECRET_KEY: &str = "tawasul-test-secret-0123456789";
pub const BUCKET: &str = "media";
pub const PREFIX: &str = "tawasul";

/// An `s3s-fs` server on a free loopback port, over a temporary folder in
/// which the bucket is a sub-folder. Stopped when dropped.
pub struct S3Server {
    child: Child,
    pub endpoint: String,
    pub root: TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3Server {
    /// The server, or `None` (the test is skipped, and says so) when
    /// `s3s-fs` is not installed and `TAWASUL_REQUIRE_S3` is not `1`.
    pub fn start(test: &str) -> Option<S3Server> {
        let Some(binary) = on_path("s3s-fs") else {
            assert!(
                std::env::var("TAWASUL_REQUIRE_S3").as_deref() != Ok("1"),
                "TAWASUL_REQUIRE_S3=1 but s3s-fs is not on the PATH: \
                 cargo install s3s-fs@0.14.1 --locked --features binary"
            );
            // Written to the handle, not with eprintln!, which the test
            // harness hides for tests that pass.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: s3s-fs is not on the PATH \
                 (cargo install s3s-fs@0.14.1 --locked --features binary); \
                 TAWASUL_REQUIRE_S3=1 makes this a failure"
            );
            return None;
        };
        let root = tempfile::tempdir().expect("test set-up");
        std::fs::create_dir(root.path().join(BUCKET)).expect("test set-up");
        let port = free_port();
        let log = std::fs::File::create(root.path().join("s3s-fs.log")).expect("test set-up");
        let child = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("test set-up"))
            .stderr(log)
            .spawn()
            .expect("test set-up");
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            root,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "s3s-fs did not listen on port {port} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    /// Points `config` at the bucket, under a prefix.
    pub fn configure(&self, config: &mut Config) {
        let storage = &mut config.storage;
        storage.backend = "s3".to_owned();
        storage.endpoint = self.endpoint.clone();
        storage.region = "us-east-1".to_owned();
        storage.bucket = BUCKET.to_owned();
        storage.path_style = true;
        storage.prefix = PREFIX.to_owned();
        storage.access_key_id = ACCESS_KEY.to_owned();
        storage.secret_access_key = SECRET_KEY.to_owned();
    }

    /// Where the bucket keeps an object, on the server's disk.
    pub fn object(&self, name: &str) -> PathBuf {
        self.root.path().join(BUCKET).join(PREFIX).join(name)
    }
}

pub fn on_path(binary: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(binary))
        .find(|path| path.is_file())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("test set-up")
        .local_addr()
        .expect("test set-up")
        .port()
}

/// A photo-like JPEG: gradients plus noise.
pub fn photo(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let img = RgbImage::from_fn(w, h, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = (state % 24) as u32;
        Rgb([
            ((x * 255 / w) + n).min(255) as u8,
            ((y * 255 / h) + n).min(255) as u8,
            (((x + y) * 128 / (w + h)) + n).min(255) as u8,
        ])
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .expect("test set-up");
    out
}

/// An MP4 the library takes (its `ftyp` box), `len` bytes long, each byte
/// telling where it stands, so a wrong range shows.
pub fn video(len: usize) -> Vec<u8> {
    let mut out = 24u32.to_be_bytes().to_vec();
    out.extend_from_slice(b"ftypisom\0\0\x02\0isomavc1");
    let rest = len - out.len();
    out.extend_from_slice(&(rest as u32).to_be_bytes());
    out.extend_from_slice(b"free");
    let start = out.len();
    out.extend((start..len).map(|i| (i % 251) as u8));
    out
}
