//! The team's history: runs newest first, each with where it stands with its decisions, in
//! one query.

use tokio_postgres::Client;

use super::Pg;
use crate::team::{DeskId, ReviewStatus, TeamError, TeamFilter, TeamRun};

pub(super) async fn history(
    client: &Client,
    at: &str,
    filter: &TeamFilter,
) -> Result<Vec<TeamRun>, TeamError> {
    let underwriter = filter.underwriter.as_deref();
    let review = filter.review.map(ReviewStatus::as_str);
    let limit = filter.limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    // Each run's decisions gathered through decisions_by_run (a lookup per run, in id order,
    // which is the order they were stored); the review word is ReviewStatus::of in SQL so that
    // it can be filtered on before the limit. Newest first by start, then by the order runs
    // were stored (ids are drawn under the push lock, as feed seqs are).
    let rows = client
        .query(
            "SELECT * FROM (
                 SELECT r.id, r.uid, r.desk_id, r.made_by, r.env_name, r.customer_label,
                     r.package, r.status, r.started_at, r.finished_at, r.value_count::bigint,
                     d.n, coalesce(d.overridden, false) AS overridden, d.latest, d.latest_by,
                     coalesce(d.deciders, '{}') AS deciders,
                     CASE WHEN d.n = 0 THEN 'undecided'
                          WHEN d.overridden THEN 'overridden'
                          WHEN d.n = 1 THEN 'decided'
                          ELSE 'reviewed' END AS review
                 FROM runs r
                 CROSS JOIN LATERAL (
                     SELECT count(*) AS n,
                         bool_or(override_decision IS NOT NULL) AS overridden,
                         (array_agg(coalesce(override_decision, decision) ORDER BY id DESC))[1]
                             AS latest,
                         (array_agg(decided_by ORDER BY id DESC))[1] AS latest_by,
                         array_agg(decided_by ORDER BY id) AS deciders
                     FROM decisions WHERE run_id = r.id
                 ) d
             ) h
             WHERE ($1::text IS NULL OR h.made_by = $1 OR $1 = ANY (h.deciders))
               AND ($2::text IS NULL OR h.review = $2)
             ORDER BY h.started_at DESC, h.id DESC
             LIMIT $3",
            &[&underwriter, &review, &limit],
        )
        .await
        .at(at)?;
    Ok(rows
        .iter()
        .map(|r| TeamRun {
            uid: r.get(1),
            made_on: DeskId {
                desk: r.get(2),
                user: r.get(3),
            },
            environment: r.get(4),
            customer_label: r.get(5),
            package: r.get(6),
            status: r.get(7),
            started_at: r.get(8),
            finished_at: r.get(9),
            values: r.get(10),
            review: ReviewStatus::of(r.get(11), r.get(12)),
            decision: r.get(13),
            decided_by: r.get(14),
            deciders: r.get(15),
        })
        .collect())
}
