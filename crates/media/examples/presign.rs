//! Prints a presigned GET URL for one object of a bucket, for
//! `bench/media`: it measures what sending readers straight to the bucket
//! would cost against streaming the file through a node.
//!
//! `presign ENDPOINT BUCKET KEY`, keys in `TAWASUL_S3_ACCESS_KEY_ID` and
//! `TAWASUL_S3_SECRET_ACCESS_KEY` (the server's own variables).

use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::signer::{Method, Signer};
use object_store::ClientOptions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, bucket, key] = args.as_slice() else {
        return Err("usage: presign ENDPOINT BUCKET KEY".into());
    };
    // The client's TLS provider, as the storage installs it.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let store = AmazonS3Builder::new()
        .with_endpoint(endpoint)
        .with_client_options(ClientOptions::new().with_allow_http(endpoint.starts_with("http://")))
        .with_region("us-east-1")
        .with_bucket_name(bucket)
        .with_access_key_id(env("TAWASUL_S3_ACCESS_KEY_ID")?)
        .with_secret_access_key(env("TAWASUL_S3_SECRET_ACCESS_KEY")?)
        .with_virtual_hosted_style_request(false)
        .build()?;
    let url = store
        .signed_url(
            Method::GET,
            &Path::from(key.as_str()),
            Duration::from_secs(3600),
        )
        .await?;
    println!("{url}");
    Ok(())
}
