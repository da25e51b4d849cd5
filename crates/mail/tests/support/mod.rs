pub mod smtp_server;
pub mod tls_server;
