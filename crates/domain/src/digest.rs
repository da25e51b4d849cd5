//! When the periodic mails go out: the daily digest of workflow notices and
//! the weekly newsletter of a site. A run belongs to the last scheduled
//! moment at or before the time it happens, and that moment names it (a
//! day, an ISO week): every server computes the same name, so a claim on
//! the name is what makes a digest go out once, however many servers run
//! the job, and a server that was down catches up when it comes back.

use time::{Date, Duration, OffsetDateTime, Time, UtcOffset, Weekday};

/// A time of day in a zone: when a digest goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestClock {
    /// 0 to 23.
    pub hour: u8,
    pub offset: UtcOffset,
}

impl DigestClock {
    /// `hour` o'clock in the zone `offset_minutes` from UTC; an hour past 23
    /// or an offset out of range is a configuration error.
    pub fn new(hour: u8, offset_minutes: i32) -> Option<Self> {
        let offset = UtcOffset::from_whole_seconds(offset_minutes.checked_mul(60)?).ok()?;
        (hour < 24).then_some(Self { hour, offset })
    }

    fn at(self, date: Date) -> OffsetDateTime {
        let time = Time::from_hms(self.hour, 0, 0).unwrap_or(Time::MIDNIGHT);
        date.with_time(time).assume_offset(self.offset)
    }

    /// The last daily moment at or before `now`.
    pub fn last_daily(self, now: OffsetDateTime) -> OffsetDateTime {
        let today = self.at(now.to_offset(self.offset).date());
        if today <= now {
            today
        } else {
            today - Duration::days(1)
        }
    }

    /// The last moment at or before `now` that falls on `weekday`.
    pub fn last_weekly(self, weekday: Weekday, now: OffsetDateTime) -> OffsetDateTime {
        let local = now.to_offset(self.offset).date();
        let back = (i64::from(local.weekday().number_days_from_monday())
            - i64::from(weekday.number_days_from_monday()))
        .rem_euclid(7);
        let moment = self.at(local - Duration::days(back));
        if moment <= now {
            moment
        } else {
            moment - Duration::weeks(1)
        }
    }

    /// The weekly moment a run at `now` makes the issue of, if it is
    /// still time: within `grace` after it. Later, the week is left out
    /// (its news go in the next issue): a weekly letter comes on its day,
    /// not on the Wednesday a site's first reader subscribed.
    pub fn weekly_due(
        self,
        weekday: Weekday,
        now: OffsetDateTime,
        grace: Duration,
    ) -> Option<OffsetDateTime> {
        let moment = self.last_weekly(weekday, now);
        (now - moment <= grace).then_some(moment)
    }

    /// The first weekly moment after `after`.
    pub fn next_weekly(self, weekday: Weekday, after: OffsetDateTime) -> OffsetDateTime {
        self.last_weekly(weekday, after + Duration::weeks(1))
    }

    /// The name of a daily run: its local date, `2026-12-02`.
    pub fn day_name(self, moment: OffsetDateTime) -> String {
        let date = moment.to_offset(self.offset).date();
        format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    }

    /// The name of a weekly run: the ISO week of its local date, `2026-W49`.
    pub fn week_name(self, moment: OffsetDateTime) -> String {
        let (year, week, _) = moment.to_offset(self.offset).date().to_iso_week_date();
        format!("{year:04}-W{week:02}")
    }
}

/// A day of the week as configuration writes it: `monday` … `sunday`
/// (or `lundi` … `dimanche`), any case.
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    let day = match text.trim().to_lowercase().as_str() {
        "monday" | "lundi" => Weekday::Monday,
        "tuesday" | "mardi" => Weekday::Tuesday,
        "wednesday" | "mercredi" => Weekday::Wednesday,
        "thursday" | "jeudi" => Weekday::Thursday,
        "friday" | "vendredi" => Weekday::Friday,
        "saturday" | "samedi" => Weekday::Saturday,
        "sunday" | "dimanche" => Weekday::Sunday,
        _ => return None,
    };
    Some(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// 07:00 in Morocco (UTC+1).
    fn seven() -> DigestClock {
        DigestClock::new(7, 60).unwrap()
    }

    #[test]
    fn the_daily_run_is_the_last_seven_oclock_passed() {
        let table = [
            (
                "just before: yesterday's",
                datetime!(2026-12-02 05:59:59 UTC),
                datetime!(2026-12-01 06:00 UTC),
            ),
            (
                "on the dot",
                datetime!(2026-12-02 06:00 UTC),
                datetime!(2026-12-02 06:00 UTC),
            ),
            (
                "later that day",
                datetime!(2026-12-02 22:30 UTC),
                datetime!(2026-12-02 06:00 UTC),
            ),
            (
                "after midnight local, still 23:30 UTC",
                datetime!(2026-12-02 23:30 UTC),
                datetime!(2026-12-02 06:00 UTC),
            ),
            (
                "across a month",
                datetime!(2026-12-01 03:00 UTC),
                datetime!(2026-11-30 06:00 UTC),
            ),
        ];
        for (case, now, expected) in table {
            assert_eq!(seven().last_daily(now), expected, "{case}");
        }
    }

    #[test]
    fn the_weekly_run_is_the_last_monday_at_seven() {
        // 2026-12-07 is a Monday.
        let table = [
            (
                "the Monday itself, after seven",
                datetime!(2026-12-07 09:00 UTC),
                datetime!(2026-12-07 06:00 UTC),
            ),
            (
                "the Monday itself, before seven",
                datetime!(2026-12-07 05:00 UTC),
                datetime!(2026-11-30 06:00 UTC),
            ),
            (
                "mid-week",
                datetime!(2026-12-10 12:00 UTC),
                datetime!(2026-12-07 06:00 UTC),
            ),
            (
                "Sunday night",
                datetime!(2026-12-13 22:00 UTC),
                datetime!(2026-12-07 06:00 UTC),
            ),
        ];
        for (case, now, expected) in table {
            assert_eq!(
                seven().last_weekly(Weekday::Monday, now),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn a_weekly_issue_is_made_on_its_day_or_not_that_week() {
        let monday = Weekday::Monday;
        let day = Duration::days(1);
        let table = [
            ("Monday, 07:00", datetime!(2026-12-07 06:00 UTC), true),
            ("Monday noon", datetime!(2026-12-07 11:00 UTC), true),
            ("Tuesday, 06:59", datetime!(2026-12-08 05:59 UTC), true),
            ("Tuesday, 07:01", datetime!(2026-12-08 06:01 UTC), false),
            ("Wednesday", datetime!(2026-12-09 12:00 UTC), false),
        ];
        for (case, now, due) in table {
            assert_eq!(
                seven().weekly_due(monday, now, day),
                due.then_some(datetime!(2026-12-07 06:00 UTC)),
                "{case}"
            );
        }
        assert_eq!(
            seven().next_weekly(monday, datetime!(2026-12-02 10:00 UTC)),
            datetime!(2026-12-07 06:00 UTC)
        );
        assert_eq!(
            seven().next_weekly(monday, datetime!(2026-12-07 06:00 UTC)),
            datetime!(2026-12-14 06:00 UTC),
            "strictly after"
        );
    }

    #[test]
    fn runs_are_named_by_local_day_and_iso_week() {
        let clock = seven();
        assert_eq!(
            clock.day_name(datetime!(2026-12-02 06:00 UTC)),
            "2026-12-02"
        );
        // 23:30 UTC is already tomorrow in Morocco.
        assert_eq!(
            clock.day_name(datetime!(2026-12-02 23:30 UTC)),
            "2026-12-03"
        );
        assert_eq!(clock.week_name(datetime!(2026-12-07 06:00 UTC)), "2026-W50");
        // The first days of January may belong to the last week of the year before.
        assert_eq!(clock.week_name(datetime!(2027-01-01 06:00 UTC)), "2026-W53");
    }

    #[test]
    fn bad_clocks_and_days_are_refused() {
        assert!(DigestClock::new(24, 0).is_none());
        assert!(DigestClock::new(7, 26 * 60).is_none());
        assert!(DigestClock::new(0, -12 * 60).is_some());
        assert_eq!(parse_weekday(" Lundi "), Some(Weekday::Monday));
        assert_eq!(parse_weekday("sunday"), Some(Weekday::Sunday));
        assert_eq!(parse_weekday("mon"), None);
    }
}
