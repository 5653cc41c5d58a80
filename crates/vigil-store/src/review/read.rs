//! Reading the queue: the open items by priority, and one item whole.

use time::OffsetDateTime;
use vigil_core::QueueReason;

use super::rows::{self, get};
use super::{sql, QueueListing, ReviewError, ReviewItem, ReviewItemId};
use crate::codec::unix_ms;
use crate::store::Backend;
use crate::{Store, StoreError};

impl Store {
    /// The first `limit` open items of one of `reasons` (any when empty), highest
    /// priority then oldest, after item `after` in that order when given
    /// (the next page: pass the last item of the previous one), without
    /// their content, and the open count of every reason. An `after` that
    /// names no item is [`ReviewError::NotFound`].
    pub async fn list_review_queue(
        &self,
        reasons: &[QueueReason],
        limit: u32,
        after: Option<ReviewItemId>,
    ) -> Result<QueueListing, ReviewError> {
        let now_ms = unix_ms(OffsetDateTime::now_utc());
        let Backend::Sqlite(pool) = &self.backend;
        let after_text = after.map(|a| a.to_string());
        if let (Some(id), Some(text)) = (after, &after_text) {
            let exists: bool = sqlx::query_scalar(sql::ITEM_EXISTS)
                .bind(text)
                .fetch_one(pool)
                .await
                .map_err(StoreError::query("find the page's cursor"))?;
            if !exists {
                return Err(ReviewError::NotFound(id));
            }
        }
        let item_rows = sqlx::query(sql::LIST_OPEN)
            .bind(now_ms)
            .bind(super::queue::reason_set(reasons))
            .bind(after_text)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(StoreError::query("list the review queue"))?;
        let count_rows = sqlx::query(sql::COUNT_OPEN)
            .fetch_all(pool)
            .await
            .map_err(StoreError::query("count the review queue"))?;
        let mut counts: Vec<(QueueReason, u64)> =
            QueueReason::ALL.iter().map(|&r| (r, 0)).collect();
        for row in &count_rows {
            let reason: String = get(row, "reason", "count the review queue")?;
            let n: i64 =
                sqlx::Row::try_get(row, 1).map_err(StoreError::query("count the review queue"))?;
            let reason = rows::parse_reason("(count)", &reason)?;
            if let Some(slot) = counts.iter_mut().find(|(r, _)| *r == reason) {
                slot.1 = u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(QueueListing {
            counts,
            items: item_rows
                .iter()
                .map(rows::entry_from_row)
                .collect::<Result<_, _>>()?,
        })
    }

    /// Item `id` with its content, live claim, verdicts and appeal; `None`
    /// when there is no such item.
    pub async fn get_review_item(
        &self,
        id: ReviewItemId,
    ) -> Result<Option<ReviewItem>, ReviewError> {
        let now_ms = unix_ms(OffsetDateTime::now_utc());
        let id_text = id.to_string();
        let Backend::Sqlite(pool) = &self.backend;
        let Some(row) = sqlx::query(sql::GET_ITEM)
            .bind(now_ms)
            .bind(&id_text)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::query("get a review item"))?
        else {
            return Ok(None);
        };
        let mut item = rows::item_from_row(&row)?;
        let claim = sqlx::query(sql::GET_CLAIM)
            .bind(&id_text)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::query("get a review claim"))?;
        item.claim = claim
            .map(|c| rows::claim_from_row(&id_text, &c))
            .transpose()?
            .filter(|c| unix_ms(c.lease_until) > now_ms);
        item.reviews = sqlx::query(sql::LIST_REVIEWS)
            .bind(&id_text)
            .fetch_all(pool)
            .await
            .map_err(StoreError::query("list an item's reviews"))?
            .iter()
            .map(|r| rows::review_from_row(&id_text, r))
            .collect::<Result<_, _>>()?;
        item.appeal = sqlx::query(sql::GET_APPEAL_BY_ITEM)
            .bind(&id_text)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::query("get an item's appeal"))?
            .map(|r| rows::appeal_from_row(&r))
            .transpose()?;
        Ok(Some(item))
    }
}
