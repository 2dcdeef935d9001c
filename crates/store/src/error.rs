//! The one error type of the store.

/// What can go wrong in the store.
#[derive(thiserror::Error, Debug)]
pub enum StoreError {
    /// The row to change does not exist (in this tenant).
    #[error("{entity} `{id}` not found")]
    NotFound { entity: &'static str, id: String },
    /// A row with the same key (or unique value, such as a user name or an
    /// extension) already exists in this tenant.
    #[error("{entity} `{id}` already exists")]
    Conflict { entity: &'static str, id: String },
    /// The database URL is not one the store can open.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// The schema could not be brought up to date, or the database's
    /// migration history does not match this build.
    #[error("migration: {0}")]
    Migration(String),
    /// Any other database failure, including CHECK and foreign-key violations.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A JSON column could not be written or read.
    #[error("JSON column: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    /// Whether the database is away or overloaded (the connection failed,
    /// the server is shutting down or not accepting connections, a pool
    /// timed out, SQLite is busy), so the same write may work later — as
    /// opposed to a row the database refuses for itself.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(e) = self else { return false };
        match e {
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                // PostgreSQL: 08 connection exception, 53 insufficient resources,
                // 57P0x shutdown / cannot connect now, 40001/40P01 retryable;
                // SQLite: 5 busy, 6 locked.
                code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") || code == "40001" || code == "40P01" || code == "5" || code == "6"
            }
            _ => false,
        }
    }
}

/// The store's result type.
pub type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    /// True when the database refused a row because of a CHECK constraint.
    pub fn is_check_violation(&self) -> bool {
        self.db_kind() == Some(sqlx::error::ErrorKind::CheckViolation)
    }

    /// True when the database refused a row because a referenced row is missing.
    pub fn is_foreign_key_violation(&self) -> bool {
        self.db_kind() == Some(sqlx::error::ErrorKind::ForeignKeyViolation)
    }

    fn db_kind(&self) -> Option<sqlx::error::ErrorKind> {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => Some(e.kind()),
            _ => None,
        }
    }
}

/// Turns a unique-key violation into [`StoreError::Conflict`]; anything else
/// stays a database error.
pub(crate) fn conflict_or(e: sqlx::Error, entity: &'static str, id: &str) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict {
            entity,
            id: id.to_owned(),
        }
    } else {
        StoreError::Database(e)
    }
}

/// True for a unique or primary-key violation on either backend.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// The database's message for a constraint violation, to tell which unique
/// key was hit ("extension" vs the primary key). SQLite names the columns,
/// PostgreSQL the constraint; both contain the column name.
pub(crate) fn violation_mentions(e: &sqlx::Error, column: &str) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.message().contains(column) || d.constraint().is_some_and(|c| c.contains(column))
        }
        _ => false,
    }
}
