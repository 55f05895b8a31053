//! The builder persona scripts write with: it opens accounts, lays streams of statement lines
//! over spans of dates, and at the end orders each account's events, sets its opening balance
//! and writes the running balances, so a script never does balance arithmetic.
//!
//! A little over 600 lines on purpose: the simulated bank's rules (running balances, the NSF
//! fee a bounced pre-authorized payment brings, the overdraft limit) read as one story here,
//! and each depends on the order in which the others apply.

use chrono::{Datelike, NaiveDate, TimeDelta};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::model::{Account, Cents, Persona, Transaction};
use Amount::Fixed;
use Way::In;
use When::FirstDay;

const INSTITUTION_NUMBER: &str = "777";

/// Who a persona is, and the function that writes their accounts.
pub(super) struct Script<'a> {
    pub(super) username: &'a str,
    pub(super) holder: &'a str,
    pub(super) story: &'a str,
    pub(super) write: fn(&mut Builder),
}

/// A micro-lender's product: an advance repaid by biweekly PADs that include the fee.
pub(super) struct Lender {
    pub(super) advance: &'static str,
    pub(super) payment: &'static str,
    pub(super) fee_percent: Cents,
    pub(super) installments: i64,
}

/// Flinks Capital's NSF policy on an account: a pre-authorized payment that overdraws the
/// account is paid into the overdraft, and the NSF fee is charged right after it. So an NSF fee
/// only ever follows a payment that met an (almost) empty account.
#[derive(Debug, Clone, Copy)]
pub(super) struct NsfPolicy {
    /// The pre-authorized payments it applies to, by their exact description.
    pub(super) payments: &'static [&'static str],
    pub(super) fee: (&'static str, Cents),
    /// At most one fee within this many days.
    pub(super) min_gap_days: i64,
    /// With an [`Opening::OverdrawnInLast90Days`], the opening balance is also low enough that at
    /// least this many of these payments in the last 90 days leave the account at that opening's
    /// `balance` or below (whether each is charged still depends on `min_gap_days` and the
    /// overdraft limit).
    pub(super) overdrawn_in_last_90_days: usize,
}

/// One recurring kind of statement line: when, which way, what it says, how much.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stream(
    pub(super) When,
    pub(super) Way,
    pub(super) &'static [&'static str],
    pub(super) Amount,
);

/// The schedules a stream can follow.
#[derive(Debug, Clone, Copy)]
pub(super) enum When {
    /// Every other Friday; the phase (0 or 7) picks which Fridays.
    Biweekly(i64),
    /// Biweekly, but each payday happens only with the given percent chance (missed shifts).
    BiweeklyMostly(i64, u32),
    /// Every `step` days, `phase` days after the reference Friday.
    Every(i64, i64),
    /// On a day of the month (the last day in shorter months) ± jitter days, off weekends.
    Monthly(u32, i64),
    /// Monthly on a day in January, April, July and October.
    Quarterly(u32),
    /// Between `min` and `max` distinct days of each week.
    Weekly(u32, u32),
    /// `n` random days.
    Scattered(usize),
    /// The first day of the span.
    FirstDay,
}

/// Which way money moves, seen from the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Way {
    In,
    Out,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Chequing,
    BusinessChequing,
    Savings,
    CreditCard,
}

impl Kind {
    /// (Flinks Type, Flinks Category, Title).
    fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Chequing => ("Chequing", "Operations", "Chequing Account"),
            Kind::BusinessChequing => ("Chequing", "Operations", "Business Chequing Account"),
            Kind::Savings => ("Savings", "Operations", "High Interest Savings Account"),
            Kind::CreditCard => ("CreditCard", "Credits", "Visa Infinite"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Opening {
    Fixed(Cents),
    /// `usual`, or more if the account would otherwise dip below `floor` at some point: a
    /// random walk of a year's spending can drift further than the story allows.
    KeepAbove {
        usual: Cents,
        floor: Cents,
    },
    /// Whatever opening balance makes the `days`-th lowest end-of-day balance of the last 90
    /// days equal `balance`, so that at least `days` days end at or below it.
    OverdrawnInLast90Days {
        days: usize,
        balance: Cents,
    },
}

pub(super) fn keep_above(usual: Cents, floor: Cents) -> Opening {
    Opening::KeepAbove { usual, floor }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Amount {
    Fixed(Cents),
    /// Within ± the given percent of the base.
    Around(Cents, Cents),
    /// Uniform between the two bounds, inclusive.
    Between(Cents, Cents),
}

/// An inclusive range of dates.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) from: NaiveDate,
    pub(super) to: NaiveDate,
}

impl Span {
    pub(super) fn contains(self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    pub(super) fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Acct(usize);

struct Event {
    date: NaiveDate,
    description: String,
    /// Credit minus debit.
    amount: Cents,
}

struct Ledger {
    opening: Opening,
    events: Vec<Event>,
    nsf: Option<NsfPolicy>,
}

pub(super) struct Builder {
    pub(super) rng: ChaCha8Rng,
    as_of: NaiveDate,
    first_day: NaiveDate,
    persona: Persona,
    ledgers: Vec<Ledger>,
}

impl Builder {
    pub(super) fn new(seed: u64, script: &Script, as_of: NaiveDate, history_days: i64) -> Builder {
        let mut rng =
            ChaCha8Rng::seed_from_u64(fnv1a(&[&seed.to_le_bytes(), script.username.as_bytes()]));
        let login_id = new_id(&mut rng);
        Builder {
            rng,
            as_of,
            first_day: as_of - TimeDelta::days(history_days),
            persona: Persona {
                username: script.username.to_owned(),
                holder_name: script.holder.to_owned(),
                story: script.story.to_owned(),
                login_id,
                accounts: Vec::new(),
            },
            ledgers: Vec::new(),
        }
    }

    /// Scripts open every account before laying out any transaction, which keeps account ids
    /// independent of `as_of`.
    pub(super) fn open(
        &mut self,
        kind: Kind,
        opened_days_ago: i64,
        overdraft_limit: Cents,
        opening: Opening,
    ) -> Acct {
        let (account_type, category, title) = kind.labels();
        let id = new_id(&mut self.rng);
        let transit_number = format!("{:05}", self.rng.gen_range(10_000u32..100_000));
        let account_number = format!("{:07}", self.rng.gen_range(1_000_000u32..10_000_000));
        self.persona.accounts.push(Account {
            id,
            title: title.to_owned(),
            account_type: account_type.to_owned(),
            category: category.to_owned(),
            currency: "CAD".to_owned(),
            transit_number,
            institution_number: INSTITUTION_NUMBER.to_owned(),
            account_number,
            overdraft_limit,
            opened: self.as_of - TimeDelta::days(opened_days_ago),
            transactions: Vec::new(),
        });
        self.ledgers.push(Ledger {
            opening,
            events: Vec::new(),
            nsf: None,
        });
        Acct(self.ledgers.len() - 1)
    }

    /// Charges NSF fees on the account as the policy says, once its balances are known.
    pub(super) fn nsf_policy(&mut self, acct: Acct, policy: NsfPolicy) {
        self.ledgers[acct.0].nsf = Some(policy);
    }

    // ---- spans ----

    /// The account's whole history: from the later of its opening and the first day.
    pub(super) fn span(&self, acct: Acct) -> Span {
        Span {
            from: self.first_day.max(self.persona.accounts[acct.0].opened),
            to: self.as_of,
        }
    }

    /// The last `days` days up to `as_of`, within the account's history.
    pub(super) fn last_days(&self, acct: Acct, days: i64) -> Span {
        let all = self.span(acct);
        Span {
            from: all.from.max(self.as_of - TimeDelta::days(days - 1)),
            to: all.to,
        }
    }

    /// From `from` days before `as_of` to `to` days before it, both included, within the
    /// account's history.
    pub(super) fn days_ago(&self, acct: Acct, from: i64, to: i64) -> Span {
        debug_assert!(from >= to);
        Span {
            from: self.span(acct).from.max(self.as_of - TimeDelta::days(from)),
            to: self.as_of - TimeDelta::days(to),
        }
    }

    /// The one day `days` days before `as_of`.
    pub(super) fn day(&self, acct: Acct, days: i64) -> Span {
        self.days_ago(acct, days, days)
    }

    /// The account's history before the last `days` days.
    pub(super) fn before_last_days(&self, acct: Acct, days: i64) -> Span {
        Span {
            from: self.span(acct).from,
            to: self.as_of - TimeDelta::days(days),
        }
    }

    // ---- posting ----

    /// Posts every stream of the table over the span.
    pub(super) fn streams(&mut self, acct: Acct, span: Span, table: &[Stream]) {
        for &Stream(when, way, descriptions, amount) in table {
            let dates = self.dates(span, when);
            for date in dates {
                let description = self.pick(descriptions).to_string();
                let cents = self.draw(amount);
                let signed = if way == In { cents } else { -cents };
                self.push(acct, date, description, signed);
            }
        }
    }

    /// The same amount leaves one account and reaches another on each date.
    pub(super) fn transfers(
        &mut self,
        from: Acct,
        to: Acct,
        span: Span,
        when: When,
        (out, into): (&str, &str),
        amount: Amount,
    ) {
        for date in self.dates(span, when) {
            let cents = self.draw(amount);
            self.push(from, date, out.to_owned(), -cents);
            self.push(to, date, into.to_owned(), cents);
        }
    }

    /// Pays the card's statement balance (what was owed at the end of the previous month) in
    /// full from `from` on `day` of each month. Post the card's purchases first.
    pub(super) fn pay_card_monthly(
        &mut self,
        card: Acct,
        from: Acct,
        day: u32,
        labels: (&str, &str),
    ) {
        let span = Span {
            from: self.span(card).from.max(self.span(from).from),
            to: self.as_of,
        };
        for date in self.monthly(span, day, 0) {
            let Opening::Fixed(opening) = self.ledgers[card.0].opening else {
                unreachable!("a card's opening balance is fixed")
            };
            let statement_day = first_of_month(date);
            let owed = -(opening
                + self.ledgers[card.0]
                    .events
                    .iter()
                    .filter(|e| e.date < statement_day)
                    .map(|e| e.amount)
                    .sum::<Cents>());
            if owed > 0 {
                let day = Span {
                    from: date,
                    to: date,
                };
                self.transfers(from, card, day, FirstDay, labels, Fixed(owed));
            }
        }
    }

    /// An advance on each date, repaid by the lender's biweekly PADs from two weeks later
    /// (those that fall after `as_of` are not yet on the statement).
    pub(super) fn micro_loans(
        &mut self,
        acct: Acct,
        span: Span,
        when: When,
        lender: &Lender,
        principal: Amount,
    ) {
        for date in self.dates(span, when) {
            let advance = self.draw(principal);
            self.push(acct, date, lender.advance.to_owned(), advance);
            let owed = advance * (100 + lender.fee_percent) / 100;
            let installment = owed / lender.installments;
            for k in 1..=lender.installments {
                let due = date + TimeDelta::days(14 * k);
                if due <= self.as_of {
                    // The last payment takes the rounding remainder.
                    let pay = if k == lender.installments {
                        owed - installment * (lender.installments - 1)
                    } else {
                        installment
                    };
                    self.push(acct, due, lender.payment.to_owned(), -pay);
                }
            }
        }
    }

    /// Exactly `n` transactions on random days over the account's span. Each picks a credit
    /// or a debit from a menu, leaning to credits when the balance runs low and to debits when
    /// it runs high, so that the balance stays believable however large `n` is.
    pub(super) fn busy_account(&mut self, acct: Acct, n: usize, opening: Cents) {
        const CREDITS: &[(&str, Cents, Cents)] = &[
            ("PAYROLL DEP AIR CANADA", 1_800_00, 2_600_00),
            ("INTERAC E-TRANSFER FROM J TREMBLAY", 20_00, 300_00),
            ("CANADA FED GST CREDIT", 100_00, 140_00),
        ];
        const DEBITS: &[(&str, Cents, Cents)] = &[
            ("LOBLAWS #1042", 20_00, 220_00),
            ("TIM HORTONS #2231", 2_50, 16_00),
            ("SHELL C12345", 40_00, 90_00),
            ("HYDRO ONE BILL PAYMENT", 60_00, 160_00),
            ("ROGERS WIRELESS PAD", 80_00, 95_00),
            ("AMAZON.CA", 12_00, 250_00),
            ("RENT E-TRANSFER", 900_00, 1_400_00),
        ];
        let mut dates = self.scattered(self.span(acct), n);
        dates.sort_unstable();
        let mut balance = opening;
        for date in dates {
            let credit_odds = match balance {
                b if b < 500_00 => 60,
                b if b > 20_000_00 => 2,
                _ => 15,
            };
            let is_credit = self.rng.gen_ratio(credit_odds, 100);
            let menu = if is_credit { CREDITS } else { DEBITS };
            let &(description, lo, hi) = self.pick(menu);
            let cents = self.draw(Amount::Between(lo, hi));
            let signed = if is_credit { cents } else { -cents };
            balance += signed;
            self.push(acct, date, description.to_owned(), signed);
        }
    }

    pub(super) fn push(&mut self, acct: Acct, date: NaiveDate, description: String, amount: Cents) {
        debug_assert!(amount != 0, "a transaction moves money");
        self.ledgers[acct.0].events.push(Event {
            date,
            description,
            amount,
        });
    }

    pub(super) fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        // Indexing through u32 keeps the draw identical on 32- and 64-bit targets.
        &items[self.rng.gen_range(0..items.len() as u32) as usize]
    }

    pub(super) fn draw(&mut self, amount: Amount) -> Cents {
        let cents = match amount {
            Amount::Fixed(c) => c,
            Amount::Around(base, percent) => {
                let spread = base * percent / 100;
                base + self.rng.gen_range(-spread..=spread)
            }
            Amount::Between(lo, hi) => self.rng.gen_range(lo..=hi),
        };
        cents.max(1)
    }

    /// Orders each account's events by date (same-day events keep the order they were posted
    /// in), fixes the opening balance, charges the NSF fees its policy calls for, and writes
    /// running balances and transaction ids.
    pub(super) fn finish(mut self) -> Persona {
        let window = Span {
            from: self.as_of - TimeDelta::days(89),
            to: self.as_of,
        };
        for (account, ledger) in self.persona.accounts.iter_mut().zip(&mut self.ledgers) {
            ledger.events.sort_by_key(|e| e.date);
            let mut balance = opening_balance(ledger, account.overdraft_limit, window);
            if let Some(policy) = ledger.nsf {
                balance =
                    charge_nsf_fees(&mut ledger.events, balance, account.overdraft_limit, policy);
            }
            account.transactions = ledger
                .events
                .drain(..)
                .map(|e| {
                    balance += e.amount;
                    Transaction {
                        id: new_id(&mut self.rng),
                        date: e.date,
                        description: e.description,
                        debit: (e.amount < 0).then_some(-e.amount),
                        credit: (e.amount > 0).then_some(e.amount),
                        balance,
                    }
                })
                .collect();
        }
        self.persona
    }
}

fn opening_balance(ledger: &Ledger, overdraft_limit: Cents, last_90_days: Span) -> Cents {
    let events = &ledger.events;
    match ledger.opening {
        Opening::Fixed(c) => c,
        Opening::KeepAbove { usual, floor } => usual.max(floor - lowest_running(events)),
        Opening::OverdrawnInLast90Days { days, balance } => {
            let mut ends = end_of_day_balances(events, last_90_days);
            ends.sort_unstable();
            let mut wanted = balance - ends.get(days - 1).copied().unwrap_or(0);
            if let Some(policy) = ledger.nsf {
                // Low enough, too, that that many of the policy's payments leave it at `balance`
                // or below.
                let mut after = balances_after_payments(events, policy, last_90_days);
                after.sort_unstable();
                if let Some(b) = after.get(policy.overdrawn_in_last_90_days.saturating_sub(1)) {
                    wanted = wanted.min(balance - b);
                }
            }
            // The overdraft limit wins: a bank refuses what would cross it.
            wanted.max(-overdraft_limit - lowest_running(events))
        }
    }
}

/// Where the policy charges its fee for an opening balance: after each payment it covers that
/// leaves the balance below zero, at most one per `min_gap_days`. Also gives the lowest balance
/// the account reaches, fees included.
fn nsf_fees(events: &[Event], opening: Cents, policy: NsfPolicy) -> (Vec<usize>, Cents) {
    let (_, fee) = policy.fee;
    let mut balance = opening;
    let mut lowest = opening;
    let mut last_fee: Option<NaiveDate> = None;
    let mut after = Vec::new();
    for (i, e) in events.iter().enumerate() {
        balance += e.amount;
        let bounced = e.amount < 0
            && balance < 0
            && policy.payments.contains(&e.description.as_str())
            && last_fee.map_or(true, |d| (e.date - d).num_days() >= policy.min_gap_days);
        if bounced {
            after.push(i);
            balance -= fee;
            last_fee = Some(e.date);
        }
        lowest = lowest.min(balance);
    }
    (after, lowest)
}

/// Charges the policy's NSF fees, each right after the payment it is for, and gives the opening
/// balance the account needs: the one given, or more where the fees would take the balance past
/// the overdraft limit, which a bank does not let it cross (fewer payments overdraw it then).
fn charge_nsf_fees(
    events: &mut Vec<Event>,
    mut opening: Cents,
    overdraft_limit: Cents,
    policy: NsfPolicy,
) -> Cents {
    let (mut after, mut lowest) = nsf_fees(events, opening, policy);
    while lowest < -overdraft_limit {
        opening += -overdraft_limit - lowest;
        (after, lowest) = nsf_fees(events, opening, policy);
    }
    let (description, fee) = policy.fee;
    for &i in after.iter().rev() {
        let date = events[i].date;
        events.insert(
            i + 1,
            Event {
                date,
                description: description.to_owned(),
                amount: -fee,
            },
        );
    }
    opening
}

/// The balance after each of the policy's payments within the span, for an opening balance of
/// zero and before any fee.
fn balances_after_payments(sorted: &[Event], policy: NsfPolicy, span: Span) -> Vec<Cents> {
    sorted
        .iter()
        .scan(0, |running, e| {
            *running += e.amount;
            Some((e, *running))
        })
        .filter(|(e, _)| span.contains(e.date) && policy.payments.contains(&e.description.as_str()))
        .map(|(_, b)| b)
        .collect()
}

/// The lowest balance after any event, for an opening balance of zero.
fn lowest_running(sorted: &[Event]) -> Cents {
    sorted
        .iter()
        .scan(0, |running, e| {
            *running += e.amount;
            Some(*running)
        })
        .min()
        .unwrap_or(0)
}

/// The balance at the end of each day of the span, for an opening balance of zero; days
/// without a transaction carry the previous day's balance.
fn end_of_day_balances(sorted: &[Event], span: Span) -> Vec<Cents> {
    let mut balance = 0;
    let mut next = sorted.iter().peekable();
    span.from
        .iter_days()
        .take_while(|d| *d <= span.to)
        .map(|day| {
            while let Some(e) = next.next_if(|e| e.date <= day) {
                balance += e.amount;
            }
            balance
        })
        .collect()
}

/// 64-bit FNV-1a over the parts in order. std's `DefaultHasher` may change between Rust
/// releases, and the login ids must not.
pub(super) fn fnv1a(parts: &[&[u8]]) -> u64 {
    parts
        .iter()
        .flat_map(|p| p.iter())
        .fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// A version-4-shaped UUID from the generator, so ids look like the GUIDs Flinks hands out.
pub(super) fn new_id(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
}

pub(super) fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("every month has a first day")
}
