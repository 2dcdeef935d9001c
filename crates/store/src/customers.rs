//! Customers and the caller-id index `customer_phones`, which the store keeps
//! in sync with each customer's phone list.

use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use crate::db::{to_json, RowExt};
use crate::error::{conflict_or, Result, StoreError};
use crate::{Customer, TenantStore};

const SELECT: &str =
    "SELECT c.id, c.name, c.phones, c.email, c.tier, c.tags, c.created_at, c.updated_at FROM customers c";

fn customer_row(r: &AnyRow) -> Result<Customer> {
    Ok(Customer {
        id: r.text("id")?,
        name: r.text("name")?,
        phones: r.json("phones")?,
        email: r.opt_text("email")?,
        tier: r.u8("tier")?,
        tags: r.json("tags")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

/// The form a phone number is indexed and looked up in: without spaces,
/// dashes and parentheses (`138-0013 8000` → `13800138000`).
pub fn normalize_phone(phone: &str) -> String {
    phone
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')'))
        .collect()
}

/// `%text%` for LIKE, with the wildcards in `text` taken literally (escape `\`).
fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl TenantStore {
    /// Adds a customer and indexes its phones, in one transaction. A taken id
    /// or a phone that belongs to another customer is a [`StoreError::Conflict`].
    pub async fn insert_customer(&self, c: &Customer) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO customers (tenant_id, id, name, phones, email, tier, tags, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&*self.tenant)
        .bind(&c.id)
        .bind(&c.name)
        .bind(to_json(&c.phones)?)
        .bind(&c.email)
        .bind(i64::from(c.tier))
        .bind(to_json(&c.tags)?)
        .bind(c.created_at)
        .bind(c.updated_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, "customer", &c.id))?;
        self.index_phones(&mut tx, c).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves a customer (all but its creation time) and re-indexes its phones.
    pub async fn update_customer(&self, c: &Customer) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE customers SET name = $1, phones = $2, email = $3, tier = $4, tags = $5, updated_at = $6 \
             WHERE tenant_id = $7 AND id = $8",
        )
        .bind(&c.name)
        .bind(to_json(&c.phones)?)
        .bind(&c.email)
        .bind(i64::from(c.tier))
        .bind(to_json(&c.tags)?)
        .bind(c.updated_at)
        .bind(&*self.tenant)
        .bind(&c.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "customer",
                id: c.id.clone(),
            });
        }
        sqlx::query("DELETE FROM customer_phones WHERE tenant_id = $1 AND customer_id = $2")
            .bind(&*self.tenant)
            .bind(&c.id)
            .execute(&mut *tx)
            .await?;
        self.index_phones(&mut tx, c).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn index_phones(&self, tx: &mut Transaction<'_, Any>, c: &Customer) -> Result<()> {
        let mut seen: Vec<String> = Vec::new();
        for phone in c.phones.iter().map(|p| normalize_phone(p)) {
            if phone.is_empty() || seen.contains(&phone) {
                continue;
            }
            sqlx::query(
                "INSERT INTO customer_phones (tenant_id, phone, customer_id) VALUES ($1, $2, $3)",
            )
            .bind(&*self.tenant)
            .bind(&phone)
            .bind(&c.id)
            .execute(&mut **tx)
            .await
            .map_err(|e| conflict_or(e, "customer phone", &phone))?;
            seen.push(phone);
        }
        Ok(())
    }

    /// One customer.
    pub async fn customer(&self, id: &str) -> Result<Option<Customer>> {
        let sql = format!("{SELECT} WHERE c.tenant_id = $1 AND c.id = $2");
        let row = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(customer_row).transpose()
    }

    /// The customer one of whose phones is `phone` (compared after
    /// [`normalize_phone`]).
    pub async fn customer_by_phone(&self, phone: &str) -> Result<Option<Customer>> {
        let sql = format!(
            "{SELECT} JOIN customer_phones p ON p.tenant_id = c.tenant_id AND p.customer_id = c.id \
             WHERE p.tenant_id = $1 AND p.phone = $2"
        );
        let row = sqlx::query(&sql)
            .bind(&*self.tenant)
            .bind(normalize_phone(phone))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(customer_row).transpose()
    }

    /// A page of customers in creation order. `search` matches part of the
    /// name or e-mail (ASCII case-insensitive) or part of a phone number.
    pub async fn list_customers(
        &self,
        search: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Customer>> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let rows = match search {
            None => {
                let sql = format!("{SELECT} WHERE c.tenant_id = $1 ORDER BY c.created_at, c.id LIMIT $2 OFFSET $3");
                sqlx::query(&sql)
                    .bind(&*self.tenant)
                    .bind(i64::from(limit))
                    .bind(i64::from(offset))
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(text) => {
                let sql = format!(
                    "{SELECT} WHERE c.tenant_id = $1 AND (LOWER(c.name) LIKE $2 ESCAPE '\\' \
                     OR LOWER(COALESCE(c.email, '')) LIKE $2 ESCAPE '\\' \
                     OR EXISTS (SELECT 1 FROM customer_phones p WHERE p.tenant_id = c.tenant_id \
                     AND p.customer_id = c.id AND p.phone LIKE $3 ESCAPE '\\')) \
                     ORDER BY c.created_at, c.id LIMIT $4 OFFSET $5"
                );
                let phone = normalize_phone(text);
                sqlx::query(&sql)
                    .bind(&*self.tenant)
                    .bind(contains_pattern(&text.to_lowercase()))
                    .bind(contains_pattern(if phone.is_empty() {
                        text
                    } else {
                        &phone
                    }))
                    .bind(i64::from(limit))
                    .bind(i64::from(offset))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(customer_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_patterns() {
        assert_eq!(normalize_phone(" 138-0013 8000 "), "13800138000");
        assert_eq!(normalize_phone("+86 (10) 6552-9988"), "+861065529988");
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
