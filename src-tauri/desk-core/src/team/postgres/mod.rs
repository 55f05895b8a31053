//! The team store on PostgreSQL: one database a lending team's desks all push to and pull from.
//!
//! `desk team setup` runs [`PgTeamStore::setup`] once as the database's owner: it makes the
//! tables (`migrations/postgres/`) and a role for the desks that may read and add records and
//! nothing else. Each desk then [`PgTeamStore::connect`]s as that role. The URL's password never
//! appears in an error, a log line or a `Debug` ([`redacted`]), and it only ever leaves this
//! machine over TLS.

mod conn;
mod copy;
mod history;
mod pull;
mod push;
mod schema;

use std::fmt;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

pub use conn::{check_url, redacted};

use super::{
    AuditEntry, Batch, Desks, Pulled, SharedDecision, Stored, TeamError, TeamFilter, TeamRun,
    TeamStore,
};

/// Connections a desk keeps to the team store: a sync and the history screen at once, with room.
const POOL_SIZE: usize = 4;

/// A team store on PostgreSQL, shared by the desks of a team.
pub struct PgTeamStore {
    pool: Pool,
    /// The URL without its password.
    at: String,
}

impl fmt::Debug for PgTeamStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgTeamStore").field("at", &self.at).finish()
    }
}

impl PgTeamStore {
    /// Connects to the team store at `url` (`postgres://user:password@host:port/db`, with
    /// `?sslmode=require` for any host but this machine) and checks its schema. Never creates or
    /// migrates anything: that is [`PgTeamStore::setup`]'s.
    pub async fn connect(url: &str) -> Result<PgTeamStore, TeamError> {
        let target = conn::target(url)?;
        let at = target.at.clone();
        let manager_config = ManagerConfig {
            // Asks the connection whether it closed, without a round trip: a query on one that
            // died anyway fails as Unreachable, and the next one gets a new connection.
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = if target.tls {
            let tls = conn::tls_connector(&target)?;
            Manager::from_config(target.config, tls, manager_config)
        } else {
            Manager::from_config(target.config, NoTls, manager_config)
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(conn::CONNECT_TIMEOUT))
            .recycle_timeout(Some(conn::CONNECT_TIMEOUT))
            .build()
            .map_err(|e| TeamError::Database(e.to_string()))?;
        let store = PgTeamStore { pool, at };
        let client = store.client().await?;
        schema::check(&**client, &store.at).await?;
        Ok(store)
    }

    /// As the database's owner (or a role that may create tables and roles) at `admin_url`:
    /// applies the migrations the database does not have yet, then makes the desks' LOGIN role
    /// `app_role` (or sets its password) and lets it read and add records, never change or
    /// remove them. Safe to run again, e.g. after an update of Flinks Desk.
    pub async fn setup(
        admin_url: &str,
        app_role: &str,
        app_password: &str,
    ) -> Result<(), TeamError> {
        schema::setup(admin_url, app_role, app_password).await
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, TeamError> {
        self.pool
            .get()
            .await
            .map_err(|e| conn::pool_error(&self.at, e))
    }
}

#[async_trait::async_trait]
impl TeamStore for PgTeamStore {
    async fn push(&self, batch: &Batch) -> Result<Stored, TeamError> {
        if batch.is_empty() {
            return Ok(Stored::default());
        }
        let mut client = self.client().await?;
        push::push(&mut client, &self.at, batch).await
    }

    async fn pull(&self, cursor: i64, from: Desks<'_>, max: usize) -> Result<Pulled, TeamError> {
        let client = self.client().await?;
        pull::pull(&client, &self.at, cursor, from, max).await
    }

    async fn history(&self, filter: &TeamFilter) -> Result<Vec<TeamRun>, TeamError> {
        let client = self.client().await?;
        history::history(&client, &self.at, filter).await
    }

    async fn decisions_of(&self, run_uid: &str) -> Result<Vec<SharedDecision>, TeamError> {
        let client = self.client().await?;
        pull::decisions_of(&client, &self.at, run_uid).await
    }

    async fn audit_log(&self) -> Result<Vec<AuditEntry>, TeamError> {
        let client = self.client().await?;
        pull::audit_log(&client, &self.at).await
    }
}

/// The driver's errors as the team store's, with the store's (redacted) URL.
trait Pg<T> {
    fn at(self, at: &str) -> Result<T, TeamError>;
}

impl<T> Pg<T> for Result<T, tokio_postgres::Error> {
    fn at(self, at: &str) -> Result<T, TeamError> {
        self.map_err(|e| conn::pg_error(at, e))
    }
}
