use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A member's role on a site (and, through an academy, on its descendants).
/// Ordered by reach: each role can do what the ones before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Contributor,
    Editor,
    Publisher,
    SiteAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Contributor,
        Role::Editor,
        Role::Publisher,
        Role::SiteAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Editor => "editor",
            Role::Publisher => "publisher",
            Role::SiteAdmin => "site_admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "role",
                value: s.to_owned(),
                expected: "contributor, editor, publisher, site_admin",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn roles_are_ordered_by_reach() {
        assert!(Role::Contributor < Role::Editor);
        assert!(Role::Editor < Role::Publisher);
        assert!(Role::Publisher < Role::SiteAdmin);
    }
}
