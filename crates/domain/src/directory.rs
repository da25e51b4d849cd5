//! The directory of a directorate: its institutions (schools, by cycle),
//! the contacts who have a functional mailbox (by function), and audiences,
//! named rules over them ("the principals of primary schools"). Everything
//! here is pure: the vocabularies with their Arabic and French names, how a
//! spreadsheet's wording is recognised, which contacts a rule matches, and
//! who may manage the directory or send a notice.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::{Actor, DomainError, Locale, Role};

/// Folds a label the way people vary it in spreadsheets: case, French
/// accents, Arabic vowel marks, hamza on alef and tatweel, punctuation and
/// repeated spaces. `"Secondaire  collégial"` and `"secondaire-collegial"`
/// fold alike, so do `"الإعدادي"` and `"الاعدادي"`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) || c == '\u{0640}' {
            continue;
        }
        let c = match c {
            'ى' => 'ي',
            'ة' => 'ه',
            other => other,
        };
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $($variant:ident => $code:literal, $ar:literal, $fr:literal, [$($alias:literal),* $(,)?];)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable name stored and exchanged by the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),*
                }
            }

            /// The name people read, in a language (French stands in for English).
            pub fn label(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $(($name::$variant, Locale::Ar) => $ar,
                      ($name::$variant, _) => $fr,)*
                }
            }

            /// Every name it goes by: the code, both labels, the usual variants.
            pub fn names(self) -> &'static [&'static str] {
                match self {
                    $($name::$variant => &[$code, $ar, $fr, $($alias),*]),*
                }
            }

            /// Recognises the code, either label, or a usual variant of
            /// them, in any case, with or without accents and vowel marks.
            pub fn recognise(text: &str) -> Option<$name> {
                let folded = fold(text);
                if folded.is_empty() {
                    return None;
                }
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.names().iter().any(|n| fold(n) == folded))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = DomainError;

            /// The code only: what the API and the database carry.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| DomainError::UnknownValue {
                        what: $what,
                        value: s.to_owned(),
                        expected: concat!($($code, " "),*),
                    })
            }
        }
    };
}

vocabulary! {
    /// The cycle of an institution, as the Moroccan school system names them.
    Cycle, "cycle" {
        Preschool => "preschool", "التعليم الأولي", "Préscolaire",
            ["أولي", "التعليم الاولي", "prescolaire", "maternelle"];
        Primary => "primary", "الابتدائي", "Primaire",
            ["ابتدائي", "التعليم الابتدائي", "مدرسة ابتدائية", "enseignement primaire", "ecole primaire"];
        Middle => "middle", "الثانوي الإعدادي", "Secondaire collégial",
            ["إعدادي", "الإعدادي", "ثانوية إعدادية", "collegial", "college", "secondaire college"];
        Secondary => "secondary", "الثانوي التأهيلي", "Secondaire qualifiant",
            ["تأهيلي", "التأهيلي", "ثانوية تأهيلية", "qualifiant", "lycee", "secondaire"];
    }
}

vocabulary! {
    /// What a contact does; audiences select on it.
    Function, "function" {
        Principal => "principal", "مدير(ة) المؤسسة", "Directeur·rice d'établissement",
            ["مدير", "مديرة", "مدير المؤسسة", "مديرة المؤسسة", "directeur", "directrice",
             "chef d'etablissement", "proviseur"];
        Teacher => "teacher", "أستاذ(ة)", "Enseignant·e",
            ["أستاذ", "أستاذة", "مدرس", "enseignant", "enseignante", "professeur", "professeure"];
        Inspector => "inspector", "مفتش(ة) تربوي(ة)", "Inspecteur·rice",
            ["مفتش", "مفتشة", "مفتش تربوي", "inspecteur", "inspectrice", "inspecteur pedagogique"];
        Counsellor => "counsellor", "مستشار(ة) في التوجيه", "Conseiller·ère d'orientation",
            ["مستشار في التوجيه", "مستشارة في التوجيه", "conseiller d'orientation",
             "conseillere d'orientation", "conseiller", "counselor"];
        Supervisor => "supervisor", "حارس(ة) عام(ة)", "Surveillant·e général·e",
            ["حارس عام", "حارسة عامة", "surveillant general", "surveillante generale"];
        Bursar => "bursar", "ممون(ة)", "Économe",
            ["ممون", "ممونة", "econome", "intendant", "intendante"];
        Administrative => "administrative", "إطار إداري", "Cadre administratif",
            ["إداري", "إدارية", "administratif", "administrative", "secretaire", "secretariat"];
        Other => "other", "مهمة أخرى", "Autre fonction", ["أخرى", "آخر", "autre"];
    }
}

/// Longest name of an institution or a contact, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest institution code (Massar codes are 8 characters; room to spare).
pub const MAX_CODE_CHARS: usize = 32;

/// Whether a name or code is fit for a mail header and a list: no control
/// character (a line break in a name is how a header is injected).
pub fn is_clean_text(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// A functional address, already trimmed and lowercased. Stricter than
/// RFC 5322 on purpose: characters that mean something in a header
/// (`<>()[],;:"\` and spaces) are refused rather than quoted.
pub fn is_functional_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let forbidden = |c: char| c.is_control() || c.is_whitespace() || "<>()[],;:\"\\@".contains(c);
    !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !local.chars().any(forbidden)
        && !domain.chars().any(forbidden)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

/// Who an audience is: contacts whose function and institution match every
/// list that is not empty (an empty list matches anyone), of the site and,
/// when asked, of the sites below it. With `institution_emails`, the
/// functional mailboxes of the matching institutions too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudienceRule {
    pub functions: Vec<Function>,
    pub cycles: Vec<Cycle>,
    /// Ids of institutions: their staff only.
    pub institutions: Vec<i32>,
    pub include_descendants: bool,
    pub institution_emails: bool,
}

/// What a rule looks at in an institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstitutionFacts {
    pub id: i32,
    pub cycle: Cycle,
}

/// What a rule looks at in a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactFacts {
    pub function: Function,
    /// The contact's institution, when they work in one.
    pub institution: Option<InstitutionFacts>,
}

impl AudienceRule {
    /// Whether the rule selects this institution (for its cycle and id).
    pub fn matches_institution(&self, institution: InstitutionFacts) -> bool {
        (self.cycles.is_empty() || self.cycles.contains(&institution.cycle))
            && (self.institutions.is_empty() || self.institutions.contains(&institution.id))
    }

    /// Whether the rule selects this contact. A rule on cycles or
    /// institutions selects only people who work in a matching institution.
    pub fn matches_contact(&self, contact: ContactFacts) -> bool {
        let function = self.functions.is_empty() || self.functions.contains(&contact.function);
        let place = if self.cycles.is_empty() && self.institutions.is_empty() {
            true
        } else {
            contact
                .institution
                .is_some_and(|i| self.matches_institution(i))
        };
        function && place
    }

    /// Institutions' mailboxes are people of no function: a rule naming
    /// functions and asking for them would be contradictory, so they come
    /// in whenever the rule says so, filtered by cycle and institution.
    pub fn takes_institution(&self, institution: InstitutionFacts) -> bool {
        self.institution_emails && self.matches_institution(institution)
    }

    /// The same rule with its lists sorted and without repeats, so two
    /// spellings of one rule compare equal.
    pub fn normalised(mut self) -> AudienceRule {
        self.functions.sort_unstable();
        self.functions.dedup();
        self.cycles.sort_unstable();
        self.cycles.dedup();
        self.institutions.sort_unstable();
        self.institutions.dedup();
        self
    }
}

/// The addresses a rule selects among `contacts` and `institutions` (each
/// with its address), each once whatever its case, contacts first, in the
/// order given.
pub fn select_recipients<'a>(
    rule: &AudienceRule,
    contacts: impl IntoIterator<Item = (&'a str, ContactFacts)>,
    institutions: impl IntoIterator<Item = (&'a str, InstitutionFacts)>,
) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut take = |email: &str| {
        let email = email.trim().to_lowercase();
        if !email.is_empty() && seen.insert(email.clone()) {
            out.push(email);
        }
    };
    for (email, contact) in contacts {
        if rule.matches_contact(contact) {
            take(email);
        }
    }
    for (email, institution) in institutions {
        if rule.takes_institution(institution) {
            take(email);
        }
    }
    out
}

/// What one may do with a site's directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DirectoryOperation {
    /// Read the institutions, contacts and audiences, count recipients.
    Browse,
    /// Add, change, import and delete institutions, contacts and audiences.
    Manage,
    /// Send a published entry as a notice to audiences.
    SendNotice,
}

/// Who may: site administrators manage their site's directory (and the
/// directories of the sites below, through an inherited role); publishers,
/// who decide what goes out, browse it and send notices; contributors and
/// editors do neither; a platform admin does everything.
pub fn may_directory(actor: &Actor, op: DirectoryOperation) -> bool {
    if actor.platform_admin {
        return true;
    }
    let Some(role) = actor.reach.role() else {
        return false;
    };
    match op {
        DirectoryOperation::Manage => role >= Role::SiteAdmin,
        DirectoryOperation::Browse | DirectoryOperation::SendNotice => role >= Role::Publisher,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reach;

    #[test]
    fn labels_fold_alike_however_they_are_typed() {
        for (typed, folded) in [
            ("Secondaire  collégial", "secondaire collegial"),
            ("secondaire-collegial", "secondaire collegial"),
            ("الإعدادي", "الاعدادي"),
            ("الـإعـدادي", "الاعدادي"),
            ("مُدِير", "مدير"),
            ("  PRIMAIRE ", "primaire"),
            ("Chef d’établissement", "chef d etablissement"),
            ("مدرسة ابتدائية", "مدرسه ابتداييه"),
            ("", ""),
        ] {
            assert_eq!(fold(typed), folded, "{typed}");
        }
    }

    #[test]
    fn cycles_are_recognised_in_either_language() {
        for (typed, cycle) in [
            ("primary", Some(Cycle::Primary)),
            ("Primaire", Some(Cycle::Primary)),
            ("ابتدائي", Some(Cycle::Primary)),
            ("الابتدائي", Some(Cycle::Primary)),
            ("Secondaire collégial", Some(Cycle::Middle)),
            ("collège", Some(Cycle::Middle)),
            ("الثانوي الاعدادي", Some(Cycle::Middle)),
            ("Lycée", Some(Cycle::Secondary)),
            ("التأهيلي", Some(Cycle::Secondary)),
            ("préscolaire", Some(Cycle::Preschool)),
            ("university", None),
            ("", None),
        ] {
            assert_eq!(Cycle::recognise(typed), cycle, "{typed}");
        }
    }

    #[test]
    fn functions_are_recognised_in_either_language() {
        for (typed, function) in [
            ("principal", Some(Function::Principal)),
            ("Directrice", Some(Function::Principal)),
            ("مديرة", Some(Function::Principal)),
            ("مدير(ة) المؤسسة", Some(Function::Principal)),
            ("Professeur", Some(Function::Teacher)),
            ("أستاذة", Some(Function::Teacher)),
            ("inspecteur pédagogique", Some(Function::Inspector)),
            ("Conseillère d'orientation", Some(Function::Counsellor)),
            ("حارس عام", Some(Function::Supervisor)),
            ("Économe", Some(Function::Bursar)),
            ("autre", Some(Function::Other)),
            ("astronaute", None),
        ] {
            assert_eq!(Function::recognise(typed), function, "{typed}");
        }
    }

    #[test]
    fn codes_round_trip_and_labels_exist_in_both_languages() {
        for cycle in Cycle::ALL {
            assert_eq!(cycle.as_str().parse::<Cycle>(), Ok(*cycle));
            assert_eq!(Cycle::recognise(cycle.label(Locale::Ar)), Some(*cycle));
            assert_eq!(Cycle::recognise(cycle.label(Locale::Fr)), Some(*cycle));
        }
        for function in Function::ALL {
            assert_eq!(function.as_str().parse::<Function>(), Ok(*function));
            assert_eq!(
                Function::recognise(function.label(Locale::Ar)),
                Some(*function)
            );
            assert_eq!(
                Function::recognise(function.label(Locale::Fr)),
                Some(*function)
            );
        }
        assert!(
            "Primaire".parse::<Cycle>().is_err(),
            "the API takes codes only"
        );
    }

    #[test]
    fn no_name_means_two_things() {
        for cycle in Cycle::ALL {
            for name in cycle.names() {
                assert_eq!(Cycle::recognise(name), Some(*cycle), "{name}");
            }
        }
        for function in Function::ALL {
            for name in function.names() {
                assert_eq!(Function::recognise(name), Some(*function), "{name}");
            }
        }
    }

    #[test]
    fn functional_addresses() {
        for (email, ok) in [
            ("ecole.alamal@taalim.example", true),
            ("directeur-12@dp-rabat.taalim.example", true),
            ("a@b.c", true),
            ("", false),
            ("no-at.example", false),
            ("@taalim.example", false),
            ("x@localhost", false),
            ("x@-bad.example", false),
            ("x@bad..example", false),
            (".x@taalim.example", false),
            ("x..y@taalim.example", false),
            ("x y@taalim.example", false),
            ("x@taalim.example\r\nbcc: y@z.example", false),
            ("\"x\"@taalim.example", false),
            ("x<y>@taalim.example", false),
            ("x,y@taalim.example", false),
            ("x@y@taalim.example", false),
        ] {
            assert_eq!(is_functional_email(email), ok, "{email:?}");
        }
        assert!(!is_functional_email(&format!(
            "{}@t.example",
            "a".repeat(65)
        )));
    }

    #[test]
    fn clean_text_has_no_control_characters() {
        assert!(is_clean_text("مدرسة الأمل – Al Amal"));
        assert!(!is_clean_text("Ali\r\nBcc: x@y.example"));
        assert!(!is_clean_text("tab\there"));
    }

    fn school(id: i32, cycle: Cycle) -> Option<InstitutionFacts> {
        Some(InstitutionFacts { id, cycle })
    }

    #[test]
    fn a_rule_matches_contacts_by_function_cycle_and_institution() {
        let principals_of_primary = AudienceRule {
            functions: vec![Function::Principal],
            cycles: vec![Cycle::Primary],
            ..AudienceRule::default()
        };
        let everyone = AudienceRule::default();
        let staff_of_3 = AudienceRule {
            institutions: vec![3],
            ..AudienceRule::default()
        };
        let inspectors = AudienceRule {
            functions: vec![Function::Inspector],
            ..AudienceRule::default()
        };
        let teachers_of_middle_or_secondary = AudienceRule {
            functions: vec![Function::Teacher],
            cycles: vec![Cycle::Middle, Cycle::Secondary],
            ..AudienceRule::default()
        };
        let c = |function, institution| ContactFacts {
            function,
            institution,
        };
        for (rule, contact, expected) in [
            (
                &principals_of_primary,
                c(Function::Principal, school(1, Cycle::Primary)),
                true,
            ),
            (
                &principals_of_primary,
                c(Function::Principal, school(2, Cycle::Middle)),
                false,
            ),
            (
                &principals_of_primary,
                c(Function::Teacher, school(1, Cycle::Primary)),
                false,
            ),
            (&principals_of_primary, c(Function::Principal, None), false),
            (&everyone, c(Function::Other, None), true),
            (
                &everyone,
                c(Function::Teacher, school(1, Cycle::Primary)),
                true,
            ),
            (
                &staff_of_3,
                c(Function::Teacher, school(3, Cycle::Middle)),
                true,
            ),
            (
                &staff_of_3,
                c(Function::Principal, school(4, Cycle::Middle)),
                false,
            ),
            (&staff_of_3, c(Function::Inspector, None), false),
            (&inspectors, c(Function::Inspector, None), true),
            (
                &inspectors,
                c(Function::Inspector, school(1, Cycle::Primary)),
                true,
            ),
            (&inspectors, c(Function::Teacher, None), false),
            (
                &teachers_of_middle_or_secondary,
                c(Function::Teacher, school(5, Cycle::Secondary)),
                true,
            ),
            (
                &teachers_of_middle_or_secondary,
                c(Function::Teacher, school(6, Cycle::Middle)),
                true,
            ),
            (
                &teachers_of_middle_or_secondary,
                c(Function::Teacher, school(7, Cycle::Primary)),
                false,
            ),
        ] {
            assert_eq!(
                rule.matches_contact(contact),
                expected,
                "{rule:?} {contact:?}"
            );
        }
    }

    #[test]
    fn institutions_mailboxes_come_in_only_when_the_rule_says_so() {
        let primary = AudienceRule {
            cycles: vec![Cycle::Primary],
            ..AudienceRule::default()
        };
        let with_mailboxes = AudienceRule {
            institution_emails: true,
            ..primary.clone()
        };
        let primary_school = InstitutionFacts {
            id: 1,
            cycle: Cycle::Primary,
        };
        let college = InstitutionFacts {
            id: 2,
            cycle: Cycle::Middle,
        };
        assert!(!primary.takes_institution(primary_school));
        assert!(with_mailboxes.takes_institution(primary_school));
        assert!(!with_mailboxes.takes_institution(college));
    }

    #[test]
    fn recipients_are_deduplicated_by_address_whatever_the_case() {
        let rule = AudienceRule {
            cycles: vec![Cycle::Primary],
            institution_emails: true,
            ..AudienceRule::default()
        };
        let primary = school(1, Cycle::Primary);
        let contacts = [
            (
                "Ecole.Amal@taalim.example",
                ContactFacts {
                    function: Function::Principal,
                    institution: primary,
                },
            ),
            (
                "prof@taalim.example",
                ContactFacts {
                    function: Function::Teacher,
                    institution: primary,
                },
            ),
            (
                "PROF@taalim.example",
                ContactFacts {
                    function: Function::Teacher,
                    institution: primary,
                },
            ),
            (
                "lycee@taalim.example",
                ContactFacts {
                    function: Function::Teacher,
                    institution: school(2, Cycle::Secondary),
                },
            ),
        ];
        let institutions = [
            (
                "ecole.amal@taalim.example",
                InstitutionFacts {
                    id: 1,
                    cycle: Cycle::Primary,
                },
            ),
            (
                "college@taalim.example",
                InstitutionFacts {
                    id: 2,
                    cycle: Cycle::Middle,
                },
            ),
        ];
        assert_eq!(
            select_recipients(&rule, contacts, institutions),
            ["ecole.amal@taalim.example", "prof@taalim.example"]
        );
        assert!(select_recipients(&rule, [], []).is_empty());
    }

    #[test]
    fn rules_read_from_json_refuse_unknown_members_and_values() {
        let rule: AudienceRule =
            serde_json::from_str(r#"{"functions": ["principal"], "cycles": ["primary"]}"#)
                .expect("a rule");
        assert_eq!(rule.functions, [Function::Principal]);
        assert!(!rule.include_descendants);
        assert!(serde_json::from_str::<AudienceRule>(r#"{"function": ["principal"]}"#).is_err());
        assert!(serde_json::from_str::<AudienceRule>(r#"{"cycles": ["university"]}"#).is_err());
        let a = AudienceRule {
            cycles: vec![Cycle::Secondary, Cycle::Primary, Cycle::Primary],
            ..AudienceRule::default()
        };
        let b = AudienceRule {
            cycles: vec![Cycle::Primary, Cycle::Secondary],
            ..AudienceRule::default()
        };
        assert_eq!(a.normalised(), b.normalised());
    }

    #[test]
    fn who_may_use_the_directory() {
        use DirectoryOperation::*;
        let actor = |reach, platform_admin| Actor {
            reach,
            platform_admin,
        };
        let member = |role| actor(Reach::Member(role), false);
        let inherited = |role| actor(Reach::Inherited(role), false);
        for (who, browse, manage, send) in [
            (actor(Reach::Outsider, false), false, false, false),
            (actor(Reach::Outsider, true), true, true, true),
            (member(Role::Contributor), false, false, false),
            (member(Role::Editor), false, false, false),
            (member(Role::Publisher), true, false, true),
            (member(Role::SiteAdmin), true, true, true),
            (inherited(Role::Editor), false, false, false),
            (inherited(Role::Publisher), true, false, true),
            (inherited(Role::SiteAdmin), true, true, true),
        ] {
            assert_eq!(may_directory(&who, Browse), browse, "{who:?} browse");
            assert_eq!(may_directory(&who, Manage), manage, "{who:?} manage");
            assert_eq!(may_directory(&who, SendNotice), send, "{who:?} send");
        }
    }
}
