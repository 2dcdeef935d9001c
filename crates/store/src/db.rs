//! Small helpers shared by the table modules: reading portable column types
//! and writing SQL with `$1, $2, …` placeholders in increasing order.
//!
//! Both backends accept `$n` placeholders (SQLite reads `$NNN` as parameter
//! number NNN), so queries are written once. Wide tables build their INSERT
//! and UPDATE text from one column list, so placeholder numbers and bind
//! order cannot drift apart.

use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};

/// A query on the `Any` driver.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// `INSERT INTO table (c1, …, cn) VALUES ($1, …, $n)`.
pub(crate) fn insert_sql(table: &str, columns: &[&str]) -> String {
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        marks.join(", ")
    )
}

/// `UPDATE table SET c1 = $1, … WHERE k1 = $n+1 AND …`: the SET values are
/// bound first, then the keys.
pub(crate) fn update_sql(table: &str, set: &[&str], keys: &[&str]) -> String {
    let sets: Vec<String> = set
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let wheres: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", set.len() + i + 1))
        .collect();
    format!(
        "UPDATE {table} SET {} WHERE {}",
        sets.join(", "),
        wheres.join(" AND ")
    )
}

/// Booleans are stored as 0/1.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Serializes a JSON column.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v)?)
}

/// Typed access to the portable column types.
pub(crate) trait RowExt {
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn u32(&self, col: &str) -> Result<u32>;
    fn opt_u32(&self, col: &str) -> Result<Option<u32>>;
    fn u8(&self, col: &str) -> Result<u8>;
    fn flag(&self, col: &str) -> Result<bool>;
    fn json<T: DeserializeOwned>(&self, col: &str) -> Result<T>;
}

impl RowExt for AnyRow {
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.try_get::<String, _>(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.try_get::<Option<String>, _>(col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.try_get::<i64, _>(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.try_get::<Option<i64>, _>(col)?)
    }
    fn u32(&self, col: &str) -> Result<u32> {
        narrow(col, self.int(col)?)
    }
    fn opt_u32(&self, col: &str) -> Result<Option<u32>> {
        self.opt_int(col)?.map(|v| narrow(col, v)).transpose()
    }
    fn u8(&self, col: &str) -> Result<u8> {
        narrow(col, self.int(col)?)
    }
    fn flag(&self, col: &str) -> Result<bool> {
        Ok(self.int(col)? != 0)
    }
    fn json<T: DeserializeOwned>(&self, col: &str) -> Result<T> {
        Ok(serde_json::from_str(&self.text(col)?)?)
    }
}

/// An out-of-range stored integer is a decode error of that column.
fn narrow<T: TryFrom<i64>>(col: &str, v: i64) -> Result<T> {
    T::try_from(v).map_err(|_| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: col.to_owned(),
            source: format!("value {v} out of range for {}", std::any::type_name::<T>()).into(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_increase() {
        assert_eq!(
            insert_sql("t", &["a", "b"]),
            "INSERT INTO t (a, b) VALUES ($1, $2)"
        );
        assert_eq!(
            update_sql("t", &["a", "b"], &["k", "id"]),
            "UPDATE t SET a = $1, b = $2 WHERE k = $3 AND id = $4"
        );
    }
}
