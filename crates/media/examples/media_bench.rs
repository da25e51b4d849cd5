//! The media benchmark: a 4000×3000 phone-like JPEG turned into the full
//! rendition set, and into one 1200 px JPEG, beside `vipsthumbnail` doing
//! the same single resize when it is installed.
//!
//! `cargo run --release -p tawasul-media --example media_bench [-- RUNS]`

use std::process::Command;
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use tawasul_media::{process_image, FocalPoint, PipelineConfig, RenditionFormat};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let dir = std::env::temp_dir().join(format!("tawasul-media-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let photo_path = dir.join("photo.jpg");

    let photo = photo_like(4000, 3000);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&photo)?;
    std::fs::write(&photo_path, &jpeg)?;
    println!(
        "input: 4000×3000 JPEG (q90), {:.1} MB; {runs} runs each, mean (min)",
        jpeg.len() as f64 / 1e6
    );

    let full = PipelineConfig::default();
    let single = PipelineConfig {
        widths: vec![1200],
        formats: vec![RenditionFormat::Jpeg],
        thumbnail: None,
        ..PipelineConfig::default()
    };

    let set = time(runs, || {
        let p = process_image(&jpeg, FocalPoint::default(), &full).expect("full set");
        p.renditions.iter().map(|r| r.bytes.len()).sum::<usize>()
    });
    println!(
        "full set ({} widths × WebP+JPEG + {}px thumbnail): {} per photo, {:.0} kB out",
        full.widths.len(),
        full.thumbnail.unwrap_or(0),
        fmt(set.0, set.1),
        set.2 as f64 / 1e3
    );

    let one = time(runs, || {
        let p = process_image(&jpeg, FocalPoint::default(), &single).expect("single");
        p.renditions[0].bytes.len()
    });
    println!(
        "one 1200 px JPEG (q80):                    {}",
        fmt(one.0, one.1)
    );

    let out = dir.join("out.jpg");
    let vips_ok = Command::new("vipsthumbnail")
        .arg("--vips-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if vips_ok {
        let vips = time(runs, || {
            let status = Command::new("vipsthumbnail")
                .arg(&photo_path)
                .args(["-s", "1200", "-o"])
                .arg(format!("{}[Q=80]", out.display()))
                .status()
                .expect("vipsthumbnail runs");
            assert!(status.success());
            std::fs::metadata(&out)
                .map(|m| m.len() as usize)
                .unwrap_or(0)
        });
        println!(
            "vipsthumbnail -s 1200 (Q=80, a process):   {}",
            fmt(vips.0, vips.1)
        );
        println!(
            "ratio, one rendition / vipsthumbnail: {:.2} (below 1 is faster)",
            one.0.as_secs_f64() / vips.0.as_secs_f64()
        );
    } else {
        println!("vipsthumbnail is not installed (Debian: libvips-tools): no comparison");
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Mean and minimum of `runs` timed calls, after one warm-up; and the last result.
fn time(runs: u32, mut f: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    let mut last = f();
    let mut total = Duration::ZERO;
    let mut min = Duration::MAX;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        last = f();
        let t = started.elapsed();
        total += t;
        min = min.min(t);
    }
    (total / runs.max(1), min, last)
}

fn fmt(mean: Duration, min: Duration) -> String {
    format!(
        "{:>6.1} ms ({:.1} ms)",
        mean.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    )
}

/// Gradients, soft shapes and sensor-like noise, so the encoders work as on a photo.
fn photo_like(w: u32, h: u32) -> RgbImage {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 17) as i32 - 8
    };
    RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let sky = (1.0 - fy) * 200.0;
        let blob = ((fx * 9.0).sin() * (fy * 7.0).cos() * 60.0) + 60.0;
        let stripes = if (x / 97 + y / 61) % 5 == 0 {
            40.0
        } else {
            0.0
        };
        let mut c = |v: f32| (v as i32 + noise()).clamp(0, 255) as u8;
        Rgb([
            c(sky * 0.5 + blob + stripes),
            c(sky * 0.7 + fx * 80.0 + stripes * 0.5),
            c(sky + (1.0 - fx) * 40.0),
        ])
    })
}
