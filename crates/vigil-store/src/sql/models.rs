//! The SQL of the model registry (`models`) and of shadow scoring
//! (`shadow_scores`), in the same portable dialect as the rest of
//! [`crate::sql`].

/// The columns every read of `models` selects, in [`crate::RegisteredModel`] order.
const MODEL_COLUMNS: &str = "name, version, kind, path, digest, training_data, status, \
    report, reason, created_at, decided_at";

/// Registers a candidate: `$1` name, `$2` version, `$3` kind, `$4` path,
/// `$5` digest, `$6` training data JSON, `$7` created at.
pub(crate) const INSERT_MODEL: &str = "\
    INSERT INTO models (name, version, kind, path, digest, training_data, status, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, 'candidate', $7)";

/// Every registered model, by name then registration time.
pub(crate) fn list_models() -> String {
    format!("SELECT {MODEL_COLUMNS} FROM models ORDER BY name, created_at, version")
}

/// One model: `$1` name, `$2` version.
pub(crate) fn get_model() -> String {
    format!("SELECT {MODEL_COLUMNS} FROM models WHERE name = $1 AND version = $2")
}

/// The active model of name `$1`.
pub(crate) fn active_model() -> String {
    format!("SELECT {MODEL_COLUMNS} FROM models WHERE name = $1 AND status = 'active'")
}

/// The most recently promoted active model of kind `$1`.
pub(crate) fn latest_active_of_kind() -> String {
    format!(
        "SELECT {MODEL_COLUMNS} FROM models WHERE kind = $1 AND status = 'active' \
         ORDER BY decided_at_unix_ms DESC, name LIMIT 1"
    )
}

/// Retires the active model of name `$1` unless it is version `$2`:
/// `$3` decided at, `$4` its Unix milliseconds.
pub(crate) const RETIRE_ACTIVE: &str = "\
    UPDATE models SET status = 'retired', decided_at = $3, decided_at_unix_ms = $4 \
    WHERE name = $1 AND version <> $2 AND status = 'active'";

/// Makes a candidate (or a retired model, to roll back, or a refused one
/// judged again) active: `$1` name,
/// `$2` version, `$3` report JSON, `$4` decided at, `$5` its Unix milliseconds.
pub(crate) const PROMOTE_MODEL: &str = "\
    UPDATE models SET status = 'active', report = $3, reason = NULL, \
        decided_at = $4, decided_at_unix_ms = $5 \
    WHERE name = $1 AND version = $2 AND status IN ('candidate', 'retired', 'refused')";

/// Refuses a candidate (or a retired or refused model judged again): `$1` name, `$2` version,
/// `$3` reason, `$4` report JSON, `$5` decided at, `$6` its Unix milliseconds.
pub(crate) const REFUSE_MODEL: &str = "\
    UPDATE models SET status = 'refused', reason = $3, report = $4, \
        decided_at = $5, decided_at_unix_ms = $6 \
    WHERE name = $1 AND version = $2 AND status IN ('candidate', 'retired', 'refused')";

/// One shadow score: `$1` decision id, `$2` model name, `$3` model version,
/// `$4` category, `$5` the decision's score, `$6` the candidate's.
pub(crate) const INSERT_SHADOW_SCORE: &str = "\
    INSERT INTO shadow_scores (decision_id, model_name, model_version, category, \
        active_score, candidate_score) \
    VALUES ($1, $2, $3, $4, $5, $6)";

/// Every shadow score of model `$1` version `$2`, by decision then category.
pub(crate) const SHADOW_SCORES: &str = "\
    SELECT decision_id, category, active_score, candidate_score FROM shadow_scores \
    WHERE model_name = $1 AND model_version = $2 ORDER BY decision_id, category";
