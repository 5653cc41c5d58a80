//! API keys through the public API: creation, authentication, revocation,
//! scopes, and what the table holds.

mod common;

use common::{raw_connection, TempStore};
use sha2::{Digest, Sha256};
use vigil_store::{Scope, Store, StoreError};

#[tokio::test]
async fn a_created_key_authenticates_with_its_secret() {
    let t = TempStore::new().await;
    let (key, secret) = t
        .store
        .create_api_key("ingest-worker", &[Scope::Scan])
        .await
        .expect("create");
    assert!(key.is_active());
    assert_eq!(key.name, "ingest-worker");

    // `vigil_` + `vk_` and 12 hex digits + `_` + 64 hex digits.
    let id_hex = key.id.strip_prefix("vk_").expect("ids start with vk_");
    assert_eq!(id_hex.len(), 12, "{}", key.id);
    let random = secret
        .strip_prefix(&format!("vigil_{}_", key.id))
        .expect("the secret carries its key id");
    assert_eq!(random.len(), 64, "{secret}");
    assert!(
        (id_hex.to_owned() + random)
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{secret}"
    );

    let found = t.store.authenticate(&secret).await.expect("authenticate");
    assert_eq!(found, Some(key.clone()));
    assert_eq!(t.store.get_api_key(&key.id).await.expect("get"), Some(key));
}

#[tokio::test]
async fn a_wrong_secret_authenticates_nothing() {
    let t = TempStore::new().await;
    let (key, secret) = t
        .store
        .create_api_key("", &[Scope::Review])
        .await
        .expect("create");
    let mut altered = secret.clone();
    let last = altered.pop().expect("secrets are not empty");
    altered.push(if last == '0' { '1' } else { '0' });
    for wrong in [
        altered.as_str(),
        &secret[..secret.len() - 1],
        &format!("{secret} "),
        &secret.to_uppercase(),
        &key.id,
        "",
    ] {
        assert_eq!(
            t.store.authenticate(wrong).await.expect("authenticate"),
            None,
            "`{wrong}` must not authenticate"
        );
    }
}

#[tokio::test]
async fn a_revoked_key_no_longer_authenticates() {
    let t = TempStore::new().await;
    let (key, secret) = t
        .store
        .create_api_key("old", &[Scope::Admin])
        .await
        .expect("create");
    let (other, other_secret) = t
        .store
        .create_api_key("kept", &[Scope::Scan])
        .await
        .expect("create");

    assert!(t.store.revoke_api_key(&key.id).await.expect("revoke"));
    assert_eq!(t.store.authenticate(&secret).await.expect("auth"), None);
    // Revoking one key leaves the others alone.
    assert_eq!(
        t.store.authenticate(&other_secret).await.expect("auth"),
        Some(other)
    );

    let revoked = t
        .store
        .get_api_key(&key.id)
        .await
        .expect("get")
        .expect("a revoked key is still listed");
    let revoked_at = revoked.revoked_at.expect("revoked_at is set");
    assert!(revoked_at >= revoked.created_at);

    // Revoking again, or an unknown id, changes nothing.
    assert!(!t.store.revoke_api_key(&key.id).await.expect("revoke"));
    assert!(!t
        .store
        .revoke_api_key("vk_000000000000")
        .await
        .expect("revoke"));
    let again = t.store.get_api_key(&key.id).await.expect("get");
    assert_eq!(again.and_then(|k| k.revoked_at), Some(revoked_at));
}

#[tokio::test]
async fn scopes_round_trip_in_canonical_order() {
    let t = TempStore::new().await;
    let asked: [&[Scope]; 4] = [
        &[Scope::Scan],
        &[Scope::Review, Scope::Scan],
        &[Scope::Admin, Scope::Admin],
        &[Scope::Admin, Scope::Review, Scope::Scan],
    ];
    let expected: [&[Scope]; 4] = [
        &[Scope::Scan],
        &[Scope::Scan, Scope::Review],
        &[Scope::Admin],
        &[Scope::Scan, Scope::Review, Scope::Admin],
    ];
    let mut created = Vec::new();
    for (scopes, want) in asked.iter().zip(expected) {
        let (key, secret) = t.store.create_api_key("k", scopes).await.expect("create");
        assert_eq!(key.scopes, want);
        let found = t.store.authenticate(&secret).await.expect("auth");
        assert_eq!(found.map(|k| k.scopes), Some(want.to_vec()));
        created.push(key);
    }

    // Still there, in creation order, after a reopen.
    t.store.close().await;
    let store = Store::open(&t.url()).await.expect("reopen");
    // Keys made in the same second are ordered by id.
    created.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    assert_eq!(store.list_api_keys().await.expect("list"), created);
}

#[tokio::test]
async fn a_key_without_scopes_is_refused() {
    let t = TempStore::new().await;
    let err = t
        .store
        .create_api_key("nothing", &[])
        .await
        .expect_err("no scopes");
    assert!(matches!(err, StoreError::InvalidApiKey { .. }), "{err:?}");
    assert!(err.to_string().contains("scan, review, admin"), "{err}");
    assert!(t.store.list_api_keys().await.expect("list").is_empty());
}

#[tokio::test]
async fn only_the_hash_of_the_secret_is_stored() {
    let t = TempStore::new().await;
    let (key, secret) = t
        .store
        .create_api_key("ci", &[Scope::Scan, Scope::Review])
        .await
        .expect("create");
    let random_part = secret.rsplit('_').next().expect("the secret has parts");

    let mut conn = raw_connection(&t.path).await;
    let rows: Vec<(String, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, name, scopes, secret_sha256, created_at, revoked_at FROM api_keys",
    )
    .fetch_all(&mut conn)
    .await
    .expect("read the table");
    assert_eq!(rows.len(), 1);
    let (id, name, scopes, digest, created_at, revoked_at) = &rows[0];
    assert_eq!(
        (id, name, scopes),
        (&key.id, &"ci".to_owned(), &"scan,review".to_owned())
    );
    assert_eq!(digest, &hex::encode(Sha256::digest(secret.as_bytes())));
    assert!(
        created_at.ends_with('Z') && revoked_at.is_none(),
        "{created_at}"
    );
    for column in [id, name, scopes, digest, created_at] {
        assert!(!column.contains(random_part), "`{column}` holds the secret");
    }
}

#[tokio::test]
async fn the_table_refuses_unknown_scopes() {
    let t = TempStore::new().await;
    let mut conn = raw_connection(&t.path).await;
    for scopes in ["", "write", "scan,write"] {
        let inserted = sqlx::query(
            "INSERT INTO api_keys (id, name, scopes, secret_sha256, created_at) \
             VALUES ('vk_000000000000', '', $1, $2, '2025-01-01T00:00:00Z')",
        )
        .bind(scopes)
        .bind("0".repeat(64))
        .execute(&mut conn)
        .await;
        assert!(inserted.is_err(), "scopes `{scopes}` were accepted");
    }
}
