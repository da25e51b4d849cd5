#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("theme `{0}` does not exist")]
    UnknownTheme(String),
    #[error("theme `{theme}`: {message}")]
    BadTheme { theme: String, message: String },
    #[error("template `{name}`: {message}")]
    Template { name: String, message: String },
}

impl RenderError {
    /// Tera hides the useful part of an error in its source chain.
    pub(crate) fn template(name: &str, err: &tera::Error) -> Self {
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        RenderError::Template {
            name: name.to_owned(),
            message,
        }
    }
}
