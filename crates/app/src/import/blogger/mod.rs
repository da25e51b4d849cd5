//! Moving in from Blogger: its export (Atom) read as a stream. Labels
//! become tags; the writing is shared with WordPress (`import::moving`).

pub mod atom;

#[cfg(test)]
mod tests;
