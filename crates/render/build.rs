//! The built-in themes and the admin interface are compiled into the binary
//! (include_dir), which does not tell cargo to rebuild when one of their files
//! changes; this does.
fn main() {
    println!("cargo:rerun-if-changed=../../themes");
    println!("cargo:rerun-if-changed=../../admin");
}
